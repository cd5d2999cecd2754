"""Clock policies: each marketplace's lengths and warning points, revised by version.

Saving an existing policy never edits it: ``policy_revise`` writes the next version
and retires this one, so running clocks keep the version (and due time) they were
started with. Retired versions are shown read-only, and no version is ever deleted.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tickets.models import ClockPolicy
from tickets.services.audit import audit_record
from tickets.services.policies import REVISABLE_FIELDS, policy_revise

from .base import REASON_LABEL, ServiceAdminMixin, ServiceRefused, adopt

ALREADY_CURRENT = _("This marketplace already has a current %(kind)s policy: open it and change it there.")


class ClockPolicyForm(forms.ModelForm):
    change_reason = forms.CharField(label=REASON_LABEL, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ClockPolicy
        fields = ("marketplace", "kind", *REVISABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # Model validation skips "one current version" (is_current is not on the form),
        # so a second current policy would only fail at the database.
        marketplace, kind = cleaned.get("marketplace"), cleaned.get("kind")
        if self.instance.pk is None and ClockPolicy.objects.filter(marketplace=marketplace, kind=kind,
                                                                    is_current=True).exists():
            raise ValidationError(ALREADY_CURRENT, params={"kind": ClockPolicy(kind=kind).get_kind_display()})
        return cleaned


@admin.register(ClockPolicy)
class ClockPolicyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ClockPolicyForm
    list_display = ("marketplace", "kind", "version", "is_current", "length", "warn_before", "escalate_before",
                    "created_at")
    list_filter = ("marketplace", "kind", "is_current")
    ordering = ("marketplace", "kind", "-version")
    fieldsets = (
        (None, {"fields": ("marketplace", "kind", "version", "is_current")}),
        (_("Length"), {"fields": ("length", "uses_working_hours", "outside_length", "cap", "day_end_zone")}),
        (_("Alerts"), {"fields": ("raises_alerts", "warn_before", "escalate_before")}),
        (_("Revision"), {"fields": ("note", "change_reason", "created_by", "created_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["version", "is_current", "created_by", "created_at"]
        if obj is not None:
            # A revision keeps the policy's identity; only its numbers change.
            readonly += ["marketplace", "kind"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # A retired version is history: no reason to give for a change it cannot take.
            return tuple((name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "change_reason")})
                         for name, opts in self.fieldsets)
        return self.fieldsets

    def has_change_permission(self, request, obj=None):
        # Retired versions are read-only: clocks still name them as their basis.
        if obj is not None and not obj.is_current:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        if not change:
            # A marketplace's first policy for a clock (the form has checked that no
            # current one exists); numbered after any retired versions.
            latest = ClockPolicy.objects.filter(marketplace=obj.marketplace, kind=obj.kind).aggregate(
                latest=Max("version"))["latest"]
            obj.version, obj.is_current, obj.created_by = (latest or 0) + 1, True, request.user
            super().save_model(request, obj, form, change)
            audit_record(subject=obj, actor=request.user, action="create", field="version", to_value=obj.version,
                         reason=reason)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in REVISABLE_FIELDS}
        if not changes:
            return
        # The stored row, not ``obj``: the form has already written the new values onto obj.
        stored = ClockPolicy.objects.get(pk=obj.pk)
        try:
            revised = policy_revise(policy=stored, actor=request.user, reason=reason, **changes)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        # The log entry, message and redirect then name the new version.
        adopt(obj, revised)
