"""Platform clocks, the alerts they raise, and each user's inbox copy of an alert."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.choices import ClockKind, ClockState
from tickets.models import Alert, AlertReceipt, Clock
from tickets.models.clocks import SUBJECT_FIELDS
from tickets.services.clocks import SUBJECT_RELATIONS, alert_text, clock_cancel, clock_meet

from .base import ScopedModelAdmin, ScopedTabularInline, WorkflowAdminMixin, WorkflowForm, scoped_filter

BREACHED_BY_SWEEP = _("Only the sweep marks a clock breached, at its due time. Mark it met or cancelled.")
ALREADY_RUNNING = _("A %(kind)s clock already runs on this subject.")
SUBJECT_OTHER_STORE = _("It belongs to another store.")


class ClockAdminForm(WorkflowForm):
    def check_service_rules(self, values, cleaned):
        if values.get("state") == ClockState.BREACHED:
            raise ValidationError({"state": BREACHED_BY_SWEEP})

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        name = next((name for name in SUBJECT_FIELDS if cleaned.get(name)), None)
        if name is None:
            return cleaned  # Clock.clean() says a subject is needed
        subject, store = cleaned[name], cleaned.get("store")
        if store is not None and subject.store_id != store.pk:
            self.add_error(name, SUBJECT_OTHER_STORE)
        kind = cleaned.get("kind")
        # The database allows one running clock of a kind per subject; say so on the form.
        if kind and Clock.objects.filter(kind=kind, subject_key=f"{name}:{subject.pk}",
                                         state=ClockState.RUNNING).exists():
            self.add_error("kind", ALREADY_RUNNING % {"kind": ClockKind(kind).label})
        return cleaned


@admin.register(Clock)
class ClockAdmin(WorkflowAdminMixin, ScopedModelAdmin):
    form = ClockAdminForm
    list_display = ("kind", "subject", "state", "due_at", "store", "stake", "started_at")
    list_filter = ("state", "kind", scoped_filter("store"))
    list_select_related = ("store",)
    ordering = ("due_at", "pk")
    search_fields = ("subject_key",)
    date_hierarchy = "due_at"
    autocomplete_fields = ("store", *SUBJECT_FIELDS)
    fieldsets = (
        (None, {"fields": ("store", "kind", "state", "change_reason")}),
        (_("Runs on"), {"fields": (*SUBJECT_FIELDS, "subject_key")}),
        (_("Deadline"), {"fields": ("started_at", "due_at", "warn_at", "escalate_at", "met_at", "breached_at",
                                    "cancelled_at")}),
        (_("At stake"), {"fields": ("amount_at_stake", "currency", "basis")}),
    )
    # State moves through clock_meet / clock_cancel, which stamp these.
    readonly_fields = ("subject_key", "met_at", "breached_at", "cancelled_at")

    @admin.display(description=pgettext_lazy("the object a clock runs on", "subject"), ordering="subject_key")
    def subject(self, obj):
        return obj.subject_key

    @admin.display(description=_("at stake"), ordering="amount_at_stake")
    def stake(self, obj):
        return f"{obj.amount_at_stake} {obj.currency}" if obj.amount_at_stake is not None else ""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None:
            # A new clock runs; it is met, cancelled or breached afterwards.
            return [*readonly, "state"]
        return [*readonly, "kind", *SUBJECT_FIELDS, "started_at"]

    def apply_services(self, request, obj, values, reason):
        if values["state"] == ClockState.MET:
            clock_meet(clock=obj, actor=request.user, reason=reason)
        elif values["state"] == ClockState.CANCELLED:
            clock_cancel(clock=obj, actor=request.user, reason=reason)


class AlertReceiptInline(ScopedTabularInline):
    model = AlertReceipt
    fields = ("user", "read_at", "acknowledged_at")
    autocomplete_fields = ("user",)


@admin.register(Alert)
class AlertAdmin(ScopedModelAdmin):
    """Alerts are raised by the sweep; here their receipts can be read and acknowledged."""

    list_display = ("raised_at", "level", "summary", "clock", "store")
    list_filter = ("level", scoped_filter("store"))
    list_select_related = ("store", "clock__store", *(f"clock__{name}" for name in SUBJECT_RELATIONS))
    search_fields = ("text",)
    date_hierarchy = "raised_at"
    readonly_fields = ("store", "clock", "level", "raised_at", "summary", "text", "created_at", "updated_at")
    inlines = (AlertReceiptInline,)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("alert"))
    def summary(self, alert):
        return alert_text(alert)


@admin.register(AlertReceipt)
class AlertReceiptAdmin(ScopedModelAdmin):
    list_display = ("alert", "user", "read_at", "acknowledged_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter), ("acknowledged_at", admin.EmptyFieldListFilter),
                   scoped_filter("alert__store"), scoped_filter("user"))
    list_select_related = ("alert", "user")
    search_fields = ("alert__text", "user__username")
    autocomplete_fields = ("alert", "user")

