"""Recording refunds. The desk never moves money; it records what the marketplace paid."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import DisputeOutcome, RefundReason, RefundSource
from tickets.models import Dispute, Order, Refund

from .audit import actor_fields, audit_record
from .origin import desk_stamp
from .webhooks import event_emit

AMOUNT_NOT_POSITIVE = gettext_lazy("A refund must be more than zero.")
CENT = Decimal("0.01")


def refund_record(*, order: Order, amount: Decimal, reason: str, actor, source: str | None = None,
                  dispute=None, return_request=None, currency: str | None = None, external_id: str = "",
                  note: str = "", refunded_at=None) -> Refund:
    """Record a refund and add it to the order's refunded total.

    1. Lock the order, so two refunds at once cannot both pass the cap check.
    2. Refuse a currency other than the order's, and a total above what was paid.
    3. Write the refund and the new total together; the order's check constraint
       backs the cap should anything bypass this function.
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": AMOUNT_NOT_POSITIVE})
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if currency and currency != locked.currency:
            raise ValidationError({"currency": _("Refunds of order %(order)s are in %(currency)s.") % {
                "order": locked.order_number, "currency": locked.currency}})
        if amount > locked.refundable_amount:
            raise ValidationError({"amount": _(
                "%(amount)s %(currency)s is more than the %(left)s %(currency)s still refundable on order "
                "%(order)s (paid %(total)s, refunded %(refunded)s)."
            ) % {"amount": amount, "currency": locked.currency, "left": locked.refundable_amount,
                 "order": locked.order_number, "total": locked.total, "refunded": locked.refunded_amount}})
        refund = Refund(
            store_id=locked.store_id, order=locked, dispute=dispute, return_request=return_request, amount=amount,
            currency=locked.currency, reason=reason, external_id=external_id, note=note,
            recorded_by=actor_fields(actor)["actor"], refunded_at=refunded_at or timezone.now(),
        )
        if source:
            refund.source = source
        refund.full_clean()
        try:
            with transaction.atomic():
                refund.save()
                Order.objects.filter(pk=locked.pk).update(refunded_amount=F("refunded_amount") + amount,
                                                          updated_at=timezone.now(), **desk_stamp(Order))
                if dispute is not None:
                    # The dispute's refunded amount changed: an ERP pulling changed disputes must see it,
                    # and an older ERP update of the dispute must not pass as news (it is stale).
                    Dispute.objects.filter(pk=dispute.pk).update(updated_at=timezone.now(), **desk_stamp(Dispute))
        except IntegrityError as exc:
            raise ValidationError({"amount": _("The refund would exceed what the buyer paid.")}) from exc
        audit_record(subject=locked, actor=actor, action="refund", field="refunded_amount",
                     from_value=locked.refunded_amount, to_value=locked.refunded_amount + amount,
                     reason=f"{refund.get_reason_display()} {amount} {locked.currency} {note}".strip())
        event_emit(name="refund.recorded", obj=refund, actor=actor, occurred_at=refund.refunded_at)
    order.refunded_amount = locked.refunded_amount + amount
    return refund


def dispute_refunded(dispute: Dispute) -> Decimal:
    """All the desk holds as refunded in ``dispute`` (withdrawn estimates left out)."""
    total = dispute.refunds.filter(withdrawn_at=None).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return total.quantize(CENT)


def dispute_refunds_reconcile(*, dispute: Dispute, total: Decimal, actor, at=None) -> Decimal:
    """The platform reports it has refunded ``total`` in ``dispute`` so far; make the
    desk's refunds add up to it and return the change.

    More than the desk holds is a refund the platform made: recorded once, as the
    platform's. Less can only be the desk's own estimate being corrected: a lapse
    consequence records what the buyer asked for, and the platform may have paid less
    (the ERP "may later confirm or correct them"). Anything else recorded is never
    taken back, so a total below it is refused.
    """
    with transaction.atomic():
        # The order first, as refund_record locks it: the same order of locks everywhere.
        order = Order.objects.select_for_update().get(pk=dispute.order_id)
        recorded = dispute_refunded(dispute)
        if total < recorded:
            _withdraw_estimates(order, dispute, excess=recorded - total, total=total, actor=actor)
        held = dispute_refunded(dispute)
        if total > held:
            lost = dispute.outcome == DisputeOutcome.BUYER_WON
            refund_record(order=order, dispute=dispute, amount=total - held, actor=actor,
                          reason=RefundReason.DISPUTE_LOST if lost else RefundReason.DISPUTE_AGREEMENT,
                          source=RefundSource.PLATFORM, refunded_at=at,
                          note=_("Refunded by the platform in dispute %(id)s.") % {"id": dispute.external_id})
    return total - recorded


def _withdraw_estimates(order: Order, dispute: Dispute, *, excess: Decimal, total: Decimal, actor) -> None:
    """The platform's figure replaces the desk's lapse estimates: each is withdrawn
    (never deleted, so an ERP that pulled it sees ``withdrawn_at`` and the
    ``refund.corrected`` event), and the caller records what the platform did pay as
    its own refund, with its reason and time. Refunds other than estimates are never
    taken back, so a total below them is refused."""
    estimates = list(dispute.refunds.filter(source=RefundSource.CLOCK_LAPSE, withdrawn_at=None))
    withdrawn = sum((e.amount for e in estimates), Decimal(0))
    if withdrawn < excess:
        raise ValidationError({"refunded_amount": _(
            "%(recorded)s %(currency)s has already been refunded in this dispute, and a refund is never taken "
            "back.") % {"recorded": total + excess, "currency": order.currency}})
    reason = _("The platform reports %(total)s %(currency)s refunded in dispute %(id)s.") % {
        "total": total, "currency": order.currency, "id": dispute.external_id}
    now = timezone.now()
    for estimate in estimates:
        Refund.objects.filter(pk=estimate.pk).update(withdrawn_at=now, updated_at=now)
        audit_record(subject=estimate, actor=actor, action="refund_withdraw", field="withdrawn_at",
                     from_value="", to_value=now.isoformat(), reason=reason)
        event_emit(name="refund.corrected", obj=estimate, actor=actor, occurred_at=now)
    Order.objects.filter(pk=order.pk).update(refunded_amount=F("refunded_amount") - withdrawn, updated_at=now)
    Dispute.objects.filter(pk=dispute.pk).update(updated_at=now)
    audit_record(subject=order, actor=actor, action="refund_correct", field="refunded_amount",
                 from_value=order.refunded_amount, to_value=order.refunded_amount - withdrawn, reason=reason)
    order.refunded_amount -= withdrawn
