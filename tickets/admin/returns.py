"""Returns agreed in disputes. A new return is recorded by ``return_agree``, which
starts the buyer's return-shipment clock at ``agreed_at``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.choices import ReturnStatus
from tickets.models import Return
from tickets.models.returns import ENDED_RETURN_STATUSES
from tickets.services.returns import TRACKING_REQUIRED, return_agree, return_set_status

from .base import CreateThroughServiceMixin, ScopedModelAdmin, WorkflowAdminMixin, WorkflowForm, scoped_filter

AGREED_AT_HELP = _("The platform's time: the buyer's return-shipment clock starts then.")
RETURN_ID_TAKEN = _("Store %(store)s already has a return with this platform id.")
RETURN_UNDER_WAY = _("This dispute already has a return under way.")


class ReturnAdminForm(WorkflowForm):
    def check_service_rules(self, values, cleaned):
        tracking = (cleaned.get("tracking_number") or "").strip()
        if values.get("status") == ReturnStatus.IN_TRANSIT and not tracking:
            raise ValidationError({"tracking_number": TRACKING_REQUIRED})


class ReturnAddForm(forms.ModelForm):
    """A return agreed in a dispute, recorded by ``return_agree``: on the dispute's
    store and order, awaiting the buyer's shipment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "agreed_at" in self.fields:
            self.fields["agreed_at"].help_text = AGREED_AT_HELP

    def clean(self):
        cleaned = super().clean()
        dispute = cleaned.get("dispute")
        if dispute is None:
            return cleaned
        # As return_agree does, before the model's checks run.
        self.instance.store_id, self.instance.order_id = dispute.store_id, dispute.order_id
        # The form has no store or status field, so it cannot check these constraints itself.
        external_id = cleaned.get("external_id")
        if external_id and Return.objects.filter(store_id=dispute.store_id, external_id=external_id).exists():
            self.add_error("external_id", RETURN_ID_TAKEN % {"store": dispute.store.code})
        if Return.objects.filter(dispute=dispute).exclude(status__in=ENDED_RETURN_STATUSES).exists():
            self.add_error("dispute", RETURN_UNDER_WAY)
        return cleaned


@admin.register(Return)
class ReturnAdmin(CreateThroughServiceMixin, WorkflowAdminMixin, ScopedModelAdmin):
    form = ReturnAdminForm
    add_form = ReturnAddForm
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
    add_fieldsets = (
        (None, {"fields": ("external_id", "dispute", "agreed_at", "carrier")}),
    )

    def create_through_service(self, request, data):
        return return_agree(dispute=data["dispute"], external_id=data["external_id"], agreed_at=data["agreed_at"],
                            actor=request.user, carrier=data.get("carrier", ""))

    def apply_services(self, request, obj, values, reason):
        return_set_status(ret=obj, status=values["status"], actor=request.user, reason=reason,
                          tracking_number=obj.tracking_number, carrier=obj.carrier)
