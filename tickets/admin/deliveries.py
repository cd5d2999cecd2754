"""Alert deliveries by email and webhook, with every attempt: read-only, for operations.

Deliveries are written by the delivery task before each call; a failed one stays
here (and the in-app inbox has the alert regardless), so nothing to edit.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.models import AlertDelivery, DeliveryAttempt

from .base import ReadOnlyAdminMixin, ReadOnlyInline, ScopedModelAdmin, scoped_filter


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "finished_at", "ok", "status_code", "error")
    readonly_fields = fields
    show_change_link = False  # attempts have no page of their own


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("created_at", "alert", "channel", "target", "status", "attempts", "sent_at", "short_error")
    list_filter = ("status", "channel", scoped_filter("alert__store"))
    list_select_related = ("alert",)
    search_fields = ("target", "last_error")
    date_hierarchy = "created_at"
    inlines = (DeliveryAttemptInline,)

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]
