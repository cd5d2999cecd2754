"""Refund records: money the marketplace paid back to the buyer, for the ERP to book."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.choices import RefundReason, RefundSource

from .base import currency_check, currency_field, money_field, scoped_manager
from .disputes import Dispute
from .orders import Order
from .returns import Return
from .stores import Store


class Refund(models.Model):
    """One refund to the buyer. The desk records refunds, it never moves money:
    ``tickets.services.refunds.refund_record`` keeps the order's refunded total,
    which the database caps at what was paid."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("store"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order"))
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds",
                                verbose_name=_("dispute"))
    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="refunds", verbose_name=_("return"))
    amount = money_field(_("amount"))
    currency = currency_field()
    reason = models.CharField(_("reason"), max_length=30, choices=RefundReason.choices)
    source = models.CharField(_("source"), max_length=20, choices=RefundSource.choices, default=RefundSource.AGENT)
    external_id = models.CharField(_("platform refund id"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    refunded_at = models.DateTimeField(_("refunded at"), default=timezone.now)
    # Set when the platform's own figures replace a refund the desk estimated from a
    # lapse: the row stays (an ERP that pulled it sees it change) but no longer counts.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-refunded_at", "-pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        indexes = [models.Index(fields=["updated_at", "id"], name="refund_sync_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(reason__in=RefundReason.values), name="refund_reason_valid"),
            models.CheckConstraint(condition=Q(source__in=RefundSource.values), name="refund_source_valid"),
            models.UniqueConstraint(fields=["store", "external_id"], condition=~Q(external_id=""),
                                    name="refund_external_id_unique_per_store"),
            currency_check("refund_currency_iso"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.get_reason_display()})"
