"""The audit trail and the background processes' heartbeats: read-only."""

from django.contrib import admin
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.models import AuditEntry, Heartbeat

from .base import ReadOnlyAdminMixin, ScopedModelAdmin, scoped_filter

DESK_APPS = ("tickets", "templates_lib")


class ObjectTypeFilter(admin.RelatedFieldListFilter):
    """The desk's own object types, without scanning the (large, growing) audit table
    for the ones in use as RelatedOnlyFieldListFilter would."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(include_blank=False, ordering=("model",),
                                 limit_choices_to=Q(app_label__in=DESK_APPS))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Append-only: entries are written by the services, never here."""

    list_display = ("created_at", "actor_label", "content_type", "subject_link", "action", "field", "from_value",
                    "to_value", "reason")
    list_filter = ("action", ("content_type", ObjectTypeFilter), scoped_filter("store"))
    list_select_related = ("content_type",)
    search_fields = ("reason", "actor_label")
    date_hierarchy = "created_at"

    @admin.display(description=_("object id"), ordering="object_id")
    def subject_link(self, obj):
        try:
            url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change",
                          args=[obj.object_id])
        except NoReverseMatch:
            return obj.object_id
        return format_html('<a href="{}">{}</a>', url, obj.object_id)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "last_seen")
    ordering = ("name",)

