"""Admin of the reply-template library.

The shared library (templates without a store) is visible to everybody but edited
only by those who see every store; a store's team edits its own store's templates.
Texts are never edited in place: a changed text on the template's page becomes a new
version through ``template_update``, checked like every other text (placeholders,
compliance rules). Old versions stay readable under "template texts".
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from tickets.admin.base import ReadOnlyAdminMixin, ScopedModelAdmin, ScopedTabularInline, scoped_filter

from .compliance import compliance_check
from .effectiveness import template_effectiveness
from .io import export_csv, export_json, export_queryset
from .models import ComplianceRule, ReplyTemplate, TemplateBody, TemplateUse
from .services import template_errors, template_update, text_errors


def _may_edit(user, template) -> bool:
    return template is None or template.store_id is not None or user.sees_all_stores


class TemplateBodyForm(forms.ModelForm):
    class Meta:
        model = TemplateBody
        fields = ("language", "title", "body")

    def clean_language(self):
        return self.cleaned_data["language"].strip().lower()

    def clean_body(self):
        body = self.cleaned_data["body"]
        errors = text_errors(body)
        if errors:
            raise ValidationError(errors)
        return body

    def validate_unique(self):
        # A changed text is saved as a new version by the service, never over this row.
        pass


class TemplateBodyInline(ScopedTabularInline):
    """The current text of each language; changing one adds a version."""

    model = TemplateBody
    form = TemplateBodyForm
    fields = ("language", "title", "body", "version", "origin", "created_by", "created_at")
    readonly_fields = ("version", "origin", "created_by", "created_at")
    can_delete = False
    verbose_name_plural = _("current texts (a change is saved as a new version)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_current=True).select_related("created_by")

    def has_add_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ("store", "code", "title", "scenario", "marketplaces", "tags", "is_active")

    def _post_clean(self):
        super()._post_clean()
        for name, errors in template_errors(self.instance).items():
            for error in errors:
                if name in self.fields and error not in self.errors.get(name, []):
                    self.add_error(name, error)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ScopedModelAdmin):
    form = ReplyTemplateForm
    change_list_template = "templates_lib/admin/replytemplate_change_list.html"
    list_display = ("code", "title", "scenario", "store", "languages", "uses", "is_active", "updated_at")
    list_filter = ("scenario", "is_active", scoped_filter("store"))
    list_select_related = ("store",)
    search_fields = ("code", "title", "tags")
    autocomplete_fields = ("store",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("store", "code", "title", "scenario", "marketplaces", "tags", "is_active", "created_at", "updated_at")
    inlines = (TemplateBodyInline,)
    actions = ("export_as_csv", "export_as_json")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("uses", distinct=True)).prefetch_related(
            Prefetch("bodies", queryset=TemplateBody.objects.filter(is_current=True), to_attr="current_bodies"))

    @admin.display(description=_("languages"))
    def languages(self, obj):
        return ", ".join(sorted(body.language for body in obj.current_bodies))

    @admin.display(description=_("uses"), ordering="use_count")
    def uses(self, obj):
        return obj.use_count

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "store" and not request.user.sees_all_stores:
            # Their own stores only: the shared library is not theirs to add to.
            formfield.required = True
        return formfield

    def save_formset(self, request, form, formset, change):
        if formset.model is not TemplateBody:
            return super().save_formset(request, form, formset, change)
        bodies = {f.cleaned_data["language"]: {"title": f.cleaned_data.get("title") or "",
                                               "body": f.cleaned_data["body"]}
                  for f in formset.forms if f.has_changed() and f.cleaned_data and f.cleaned_data.get("body")}
        # Unsaved instances keep the formset happy; the service writes the versions.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if bodies:
            template_update(template=form.instance, actor=request.user, bodies=bodies)
        return None

    # Effectiveness report and export ----------------------------------------------------
    def get_urls(self):
        return [path("effectiveness/", self.admin_site.admin_view(self.effectiveness_view),
                     name="templates_lib_replytemplate_effectiveness"), *super().get_urls()]

    def effectiveness_view(self, request):
        """Per template and language: uses, median hours to resolution, dispute outcomes."""
        rows = template_effectiveness(TemplateUse.objects.visible_to(request.user))
        templates = {t.pk: t for t in ReplyTemplate.objects.filter(pk__in={r["template"] for r in rows})}
        for row in rows:
            row["template_obj"] = templates.get(row["template"])
        context = {**self.admin_site.each_context(request), "title": _("Template effectiveness"), "rows": rows,
                   "opts": self.model._meta}
        return TemplateResponse(request, "templates_lib/admin/effectiveness.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "effectiveness_url": reverse("admin:templates_lib_replytemplate_effectiveness")}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Export the selected templates as CSV"))
    def export_as_csv(self, request, queryset):
        response = HttpResponse(export_csv(export_queryset(queryset)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="templates.csv"'
        return response

    @admin.action(description=_("Export the selected templates as JSON"))
    def export_as_json(self, request, queryset):
        text = json.dumps(export_json(export_queryset(queryset)), ensure_ascii=False, indent=2)
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="templates.json"'
        return response


@admin.register(TemplateBody)
class TemplateBodyAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Every version of every text, read-only: texts change on their template's page."""

    list_display = ("template", "language", "version", "is_current", "origin", "created_by", "created_at")
    list_filter = ("language", "is_current", "origin", scoped_filter("template__store"))
    list_select_related = ("template", "created_by")
    search_fields = ("body", "template__code", "template__title")


@admin.register(TemplateUse)
class TemplateUseAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Every reply sent from a template, read-only: written by the send itself, the
    record the effectiveness figures are computed from."""

    list_display = ("sent_at", "template", "version", "language", "agent", "ticket")
    list_filter = ("language", ("sent_at", admin.DateFieldListFilter), scoped_filter("store"),
                   scoped_filter("template"), scoped_filter("agent"))
    list_select_related = ("template", "body", "agent", "ticket")
    search_fields = ("template__code", "template__title", "ticket__subject")
    date_hierarchy = "sent_at"
    fields = ("sent_at", "store", "template", "body", "language", "agent", "ticket", "message")

    @admin.display(description=_("version"), ordering="body__version")
    def version(self, obj):
        return obj.body.version


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    """Shared by every store, like the sensitive terms; edited by those who see every
    store. A rule is switched off rather than deleted."""

    list_display = ("name", "code", "category", "kind", "is_active", "updated_at")
    list_filter = ("category", "kind", "is_active")
    search_fields = ("name", "code", "pattern")
    fields = ("code", "name", "category", "kind", "pattern", "is_active")

    def has_add_permission(self, request):
        return request.user.sees_all_stores and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.sees_all_stores and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.is_active:
            return
        # Texts saved before the rule are not rewritten, but the editor should know them.
        broken = sorted({f"{b.template.code} [{b.language}]" for b in
                         TemplateBody.objects.filter(is_current=True).select_related("template")
                         if compliance_check(b.body, rules=[obj])})
        if broken:
            messages.warning(request, _("Current texts that break this rule: %(texts)s") % {
                "texts": ", ".join(broken[:20]) + (" …" if len(broken) > 20 else "")})
