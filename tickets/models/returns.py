"""Returns agreed in a dispute: buyer ships back, seller confirms receipt, refund follows."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import ReturnStatus

from .base import TimeStampedModel, scoped_manager
from .disputes import Dispute
from .orders import Order
from .stores import Store

# Statuses in which the buyer has necessarily entered a return tracking number.
SHIPPED_RETURN_STATUSES = (ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED,
                           ReturnStatus.DISPUTED)
ENDED_RETURN_STATUSES = (ReturnStatus.LAPSED, ReturnStatus.CANCELLED)


class Return(TimeStampedModel):
    """The return of an order's goods agreed in a dispute."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="returns", verbose_name=_("store"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns", verbose_name=_("order"))
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="returns",
                                verbose_name=_("dispute"))
    external_id = models.CharField(_("platform return id"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=ReturnStatus.choices,
                              default=ReturnStatus.AWAITING_SHIPMENT)
    agreed_at = models.DateTimeField(_("agreed at"))
    carrier = models.CharField(_("return carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("return tracking number"), max_length=80, blank=True)
    tracking_submitted_at = models.DateTimeField(_("tracking submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    platform_updated_at = models.DateTimeField(_("platform updated at"), null=True, blank=True)
    # When the desk itself last changed the row (a refund, a status, a lapse consequence):
    # an ERP update older than this is stale and is not applied over it.
    desk_changed_at = models.DateTimeField(_("changed on the desk"), null=True, blank=True,
                                           editable=False)

    objects = scoped_manager()

    class Meta:
        ordering = ["-agreed_at", "-pk"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [models.Index(fields=["updated_at", "id"], name="return_sync_idx")]
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="return_external_id_unique_per_store"),
            # One live return per dispute; a lapsed or cancelled one may be followed by another.
            models.UniqueConstraint(fields=["dispute"], condition=~Q(status__in=ENDED_RETURN_STATUSES),
                                    name="return_one_active_per_dispute",
                                    violation_error_message=_("This dispute already has a return under way.")),
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=SHIPPED_RETURN_STATUSES) | ~Q(tracking_number=""),
                name="return_shipped_has_tracking",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_at__gte=models.F("agreed_at")),
                name="return_received_after_agreed",
            ),
        ]

    def __str__(self):
        return self.external_id

    def clean(self):
        errors = {}
        if self.dispute_id and self.order_id and self.dispute.order_id != self.order_id:
            errors["dispute"] = _("The dispute is about another order.")
        if self.order_id and self.store_id and self.order.store_id != self.store_id:
            errors["order"] = _("The order belongs to another store.")
        if self.status in SHIPPED_RETURN_STATUSES and not self.tracking_number:
            errors["tracking_number"] = _("A shipped return needs the buyer's return tracking number.")
        if errors:
            raise ValidationError(errors)
