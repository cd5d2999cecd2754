"""Returns agreed in disputes."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.choices import ReturnStatus
from tickets.models import Return
from tickets.services.returns import TRACKING_REQUIRED, return_set_status

from .base import ScopedModelAdmin, WorkflowAdminMixin, WorkflowForm, scoped_filter


class ReturnAdminForm(WorkflowForm):
    def check_service_rules(self, values, cleaned):
        tracking = (cleaned.get("tracking_number") or "").strip()
        if values.get("status") == ReturnStatus.IN_TRANSIT and not tracking:
            raise ValidationError({"tracking_number": TRACKING_REQUIRED})


@admin.register(Return)
class ReturnAdmin(WorkflowAdminMixin, ScopedModelAdmin):
    form = ReturnAdminForm
    list_display = ("external_id", "order", "dispute", "status", "carrier", "tracking_number", "agreed_at",
                    "received_at", "store")
    list_filter = (scoped_filter("store"), "status", "carrier")
    list_select_related = ("store", "order", "dispute")
    search_fields = ("external_id", "tracking_number", "order__order_number", "dispute__external_id")
    date_hierarchy = "agreed_at"
    autocomplete_fields = ("store", "order", "dispute")
    # Stamped by return_set_status as the return moves.
    readonly_fields = ("tracking_submitted_at", "received_at", "refunded_at", "closed_at", "created_at",
                       "updated_at")
    fieldsets = (
        (None, {"fields": ("store", "external_id", "order", "dispute", "agreed_at")}),
        (_("Workflow"), {"fields": ("status", "carrier", "tracking_number", "change_reason")}),
        (_("Times"), {"fields": ("tracking_submitted_at", "received_at", "refunded_at", "closed_at",
                                 "platform_updated_at", "created_at", "updated_at")}),
    )

    def apply_services(self, request, obj, values, reason):
        return_set_status(ret=obj, status=values["status"], actor=request.user, reason=reason,
                          tracking_number=obj.tracking_number, carrier=obj.carrier)
