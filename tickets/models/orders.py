"""Orders and their line items."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import OrderStatus

from .base import TimeStampedModel, currency_check, currency_field, money_field, scoped_manager
from .buyers import Buyer
from .stores import Store


class Order(TimeStampedModel):
    """A marketplace order. ``refunded_amount`` is kept beside ``total`` so that the
    database itself refuses refunds above what the buyer paid."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders", verbose_name=_("store"))
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer"))
    order_number = models.CharField(_("order number"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PAID)
    currency = currency_field()
    total = money_field(_("total paid"))
    refunded_amount = money_field(_("refunded"), default=Decimal("0.00"), editable=False)
    carrier = models.CharField(_("carrier / logistics channel"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True, db_index=True)
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    platform_updated_at = models.DateTimeField(_("platform updated at"), null=True, blank=True)
    # When the desk itself last changed the row (a refund, a status, a lapse consequence):
    # an ERP update older than this is stale and is not applied over it.
    desk_changed_at = models.DateTimeField(_("changed on the desk"), null=True, blank=True,
                                           editable=False)

    objects = scoped_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        # Keyset pages of "changed since" lists walk (updated_at, id).
        indexes = [models.Index(fields=["updated_at", "id"], name="order_sync_idx")]
        constraints = [
            models.UniqueConstraint(fields=["store", "order_number"], name="order_number_unique_per_store"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="order_refunded_non_negative"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("total")),
                                   name="order_refund_not_above_paid"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            currency_check("order_currency_iso"),
        ]

    def __str__(self):
        return self.order_number

    @property
    def refundable_amount(self) -> Decimal:
        return self.total - self.refunded_amount

    def clean(self):
        if self.buyer_id and self.store_id and self.buyer.store_id != self.store_id:
            raise ValidationError({"buyer": _("The buyer belongs to another store.")})


class OrderItem(models.Model):
    """One line of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("order"))
    sku = models.CharField(_("SKU"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1,
                                           validators=[MinValueValidator(1, _("Quantity must be at least 1."))])
    unit_price = money_field(_("unit price"))

    objects = scoped_manager("order__store")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_item_price_non_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity
