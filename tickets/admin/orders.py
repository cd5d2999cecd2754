"""Orders with their line items, and the refunds recorded against them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.models import Order, OrderItem, Refund
from tickets.services.orders import order_set_status
from tickets.services.refunds import AMOUNT_NOT_POSITIVE, refund_record

from .base import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceAdminMixin,
    ServiceRefused,
    WorkflowAdminMixin,
    adopt,
    scoped_filter,
)

REFUND_WRONG_CURRENCY = _("Refunds of order %(order)s are in %(currency)s.")
REFUND_ABOVE_REFUNDABLE = _("%(amount)s %(currency)s is more than the %(left)s %(currency)s still refundable "
                            "on order %(order)s.")
REFUND_OTHER_ORDER = _("It is about another order.")


class OrderItemInline(ScopedTabularInline):
    model = OrderItem
    fields = ("sku", "title", "quantity", "unit_price", "line_total")
    readonly_fields = ("line_total",)

    @admin.display(description=_("line total"))
    def line_total(self, obj):
        return obj.line_total if obj.pk else ""


@admin.register(Order)
class OrderAdmin(WorkflowAdminMixin, ScopedModelAdmin):
    list_display = ("order_number", "store", "buyer", "status", "total_paid", "refunded_amount", "carrier",
                    "tracking_number", "placed_at")
    list_filter = (scoped_filter("store"), "status", "currency", "carrier")
    list_select_related = ("store", "buyer")
    search_fields = ("order_number", "tracking_number", "buyer__name", "buyer__platform_buyer_id")
    date_hierarchy = "placed_at"
    autocomplete_fields = ("store", "buyer")
    # refunded_amount moves only through refund_record.
    readonly_fields = ("refunded_amount", "still_refundable", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("store", "order_number", "buyer", "status", "change_reason")}),
        (_("Money"), {"fields": ("currency", "total", "refunded_amount", "still_refundable")}),
        (_("Shipping"), {"fields": ("carrier", "tracking_number")}),
        (_("Platform times"), {"fields": ("placed_at", "paid_at", "shipped_at", "delivered_at", "completed_at",
                                         "platform_updated_at")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (OrderItemInline,)

    @admin.display(description=_("total paid"), ordering="total")
    def total_paid(self, obj):
        return f"{obj.total} {obj.currency}"

    @admin.display(description=_("still refundable"))
    def still_refundable(self, obj):
        return f"{obj.refundable_amount} {obj.currency}" if obj.pk else ""

    def apply_services(self, request, obj, values, reason):
        order_set_status(order=obj, status=values["status"], actor=request.user, reason=reason)


class RefundAdminForm(forms.ModelForm):
    """Checks what ``refund_record`` checks, so a refusal shows on its field; the
    service checks again under a lock and stays the authority."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            self.fields["currency"].required = False
            self.fields["currency"].initial = ""
            self.fields["currency"].help_text = _("Leave blank for the order's currency.")

    def clean(self):
        cleaned = super().clean()
        order, amount, currency = cleaned.get("order"), cleaned.get("amount"), cleaned.get("currency")
        if order is None:
            return cleaned
        if currency and currency != order.currency:
            self.add_error("currency", REFUND_WRONG_CURRENCY % {"order": order.order_number,
                                                                 "currency": order.currency})
        if amount is not None:
            if amount <= 0:
                self.add_error("amount", AMOUNT_NOT_POSITIVE)
            elif amount > order.refundable_amount:
                self.add_error("amount", REFUND_ABOVE_REFUNDABLE % {
                    "amount": amount, "currency": order.currency, "left": order.refundable_amount,
                    "order": order.order_number})
        for name in ("dispute", "return_request"):
            related = cleaned.get(name)
            if related is not None and related.order_id != order.pk:
                self.add_error(name, REFUND_OTHER_ORDER)
        return cleaned


@admin.register(Refund)
class RefundAdmin(ServiceAdminMixin, ScopedModelAdmin):
    """Refunds are recorded once, through ``refund_record``, and never edited or removed:
    the order's refunded total and the ERP's books follow from them."""

    form = RefundAdminForm
    list_display = ("refunded_at", "order", "amount_display", "reason", "source", "store", "recorded_by",
                    "external_id", "withdrawn_at")
    list_filter = (scoped_filter("store"), "reason", "source", "withdrawn_at")
    list_select_related = ("store", "order", "recorded_by")
    search_fields = ("order__order_number", "external_id", "note")
    date_hierarchy = "refunded_at"
    autocomplete_fields = ("order", "dispute", "return_request")
    fields = ("order", "dispute", "return_request", "amount", "currency", "reason", "source", "external_id",
              "note", "refunded_at", "store", "recorded_by", "created_at", "withdrawn_at")
    readonly_fields = ("store", "recorded_by", "created_at", "withdrawn_at")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return f"{obj.amount} {obj.currency}"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            refund = refund_record(
                order=data["order"], amount=data["amount"], reason=data["reason"], actor=request.user,
                source=data.get("source") or None, dispute=data.get("dispute"),
                return_request=data.get("return_request"), currency=data.get("currency") or None,
                external_id=data.get("external_id", ""), note=data.get("note", ""),
                refunded_at=data.get("refunded_at"),
            )
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, refund)
