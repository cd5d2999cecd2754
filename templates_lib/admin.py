"""Admin of the reply-template library.

The shared library (templates without a store) is visible to everybody but edited
only by those who see every store; a store's team edits its own store's templates.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.admin.base import ScopedModelAdmin, ScopedTabularInline, scoped_filter

from .models import ReplyTemplate, TemplateBody


def _may_edit(user, template) -> bool:
    return template is None or template.store_id is not None or user.sees_all_stores


class TemplateBodyInline(ScopedTabularInline):
    model = TemplateBody
    fields = ("language", "version", "is_current", "body", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    def has_add_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_edit(request.user, obj) and super().has_delete_permission(request, obj)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ScopedModelAdmin):
    list_display = ("code", "title", "scenario", "store", "languages", "is_active", "updated_at")
    list_filter = ("scenario", "is_active", scoped_filter("store"))
    list_select_related = ("store",)
    search_fields = ("code", "title", "tags")
    autocomplete_fields = ("store",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("store", "code", "title", "scenario", "marketplaces", "tags", "is_active", "created_at", "updated_at")
    inlines = (TemplateBodyInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bodies")

    @admin.display(description=_("languages"))
    def languages(self, obj):
        return ", ".join(sorted({body.language for body in obj.bodies.all() if body.is_current}))

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
        for body in formset.save(commit=False):
            if body.pk is None:
                body.created_by = request.user
            body.save()
        for body in formset.deleted_objects:
            body.delete()
        formset.save_m2m()


@admin.register(TemplateBody)
class TemplateBodyAdmin(ScopedModelAdmin):
    list_display = ("template", "language", "version", "is_current", "created_by", "created_at")
    list_filter = ("language", "is_current", scoped_filter("template__store"))
    list_select_related = ("template", "created_by")
    search_fields = ("body", "template__code", "template__title")
    autocomplete_fields = ("template",)
    readonly_fields = ("created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj and obj.template) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_edit(request.user, obj and obj.template) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "template" and not request.user.sees_all_stores:
            formfield.queryset = formfield.queryset.filter(store__isnull=False)
        return formfield

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
