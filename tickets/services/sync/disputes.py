"""Disputes in from the ERP: ``POST /api/v1/sync/disputes/``.

A new dispute goes through ``dispute_open``, so its response clock starts at the
platform's ``opened_at``: one synced 25 hours late is already due, and the next
sweep applies the lapse. Later states go through ``dispute_set_status``, one
audited step at a time. Each item is applied in its own savepoint, after its
platform times are checked against each other and against what is stored.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    Priority,
    RefundSource,
    RequestedSolution,
    TicketCategory,
)
from tickets.models import Clock, Dispute, Order

from ..disputes import (
    STEP_TIME,
    dispute_open,
    dispute_outcome_correct,
    dispute_resolved_by_lapse,
    dispute_seller_responded,
    dispute_set_status,
    dispute_times_check,
)
from ..field_errors import field_errors
from ..origin import platform_sync
from ..refunds import dispute_refunded, dispute_refunds_reconcile
from ..tickets import ticket_for
from ..time_order import time_label
from ..workflow import transition_path
from .batch import (
    CREATED,
    STALE,
    SYNCED,
    UNCHANGED,
    UPDATED,
    Item,
    apply_one_by_one,
    changes_save,
    field_changes,
    is_stale,
    parse_batch,
    refuse_broken_rules,
    report,
)
from .fields import Choice, Money, Shape, Text, Timestamp, currency

DISPUTE = Shape("SyncDispute", {
    "store": Text(40, required=True, help_text="The store's code."),
    "dispute_id": Text(64, required=True, help_text="The marketplace's dispute id."),
    "order_number": Text(64, help_text="The disputed order; required for a new dispute."),
    "family": Choice(DisputeFamily),
    "reason": Choice(DisputeReason),
    "requested_solution": Choice(RequestedSolution),
    "requested_amount": Money(),
    "currency": currency(),
    "buyer_comment": Text(5000),
    "opened_at": Timestamp(help_text="When the buyer opened it; starts the 24-hour response clock."),
    "seller_responded_at": Timestamp(help_text="When the seller answered on the platform; meets the clock."),
    "status": Choice(DisputeStatus),
    "outcome": Choice(DisputeOutcome, help_text="Required with status resolved."),
    "outcome_note": Text(300),
    "platform_review_at": Timestamp(),
    "resolved_at": Timestamp(),
    "refunded_amount": Money(help_text=(
        "All the platform has refunded the buyer in this dispute so far. What is more than the desk has "
        "recorded is recorded as a platform refund; less is an error, since a refund is never taken back.")),
    "updated_at": Timestamp(help_text="The platform's last change; an older one than stored is stale."),
})
NEW_REQUIRES = ("order_number", "family", "reason", "requested_solution", "requested_amount", "opened_at")
EDITABLE = ("family", "reason", "requested_solution", "requested_amount", "buyer_comment")
def disputes_sync(raw_items: list, *, actor) -> dict:
    results, items = parse_batch(raw_items, shape=DISPUTE, key="dispute_id", actor=actor)
    with platform_sync():
        apply_one_by_one(items, model=Dispute, key="dispute_id", create=_create, update=_update, actor=actor)
    return report(results)


@refuse_broken_rules
def _create(item: Item, actor) -> None:
    data = item.data
    missing = {name: [_("Required for a new dispute.")] for name in NEW_REQUIRES if name not in data}
    if missing:
        raise ValidationError(missing)
    order = Order.objects.filter(store=item.store, order_number=data["order_number"]).select_related("buyer").first()
    if order is None:
        raise ValidationError({"order_number": [_("No order %(number)s in store %(store)s; sync the order first.") % {
            "number": data["order_number"], "store": item.store.code}]})
    if "currency" in data and data["currency"] != order.currency:
        raise ValidationError({"currency": [_("The dispute must be in the order's currency (%(currency)s).") % {
            "currency": order.currency}]})
    # Checked on the dispute as it will open, before the ticket or anything else is written.
    opening = Dispute(opened_at=data["opened_at"])
    answered_at, steps, _correction = _plan(item, opening)
    dispute_times_check(dispute=opening, answered_at=answered_at, steps=steps)
    ticket = ticket_for(store=item.store, order=order, category=TicketCategory.DISPUTE, priority=Priority.RED,
                        actor=actor, language=order.buyer.language,
                        subject=_("Dispute %(id)s on order %(order)s") % {
                            "id": data["dispute_id"], "order": order.order_number})
    dispute = dispute_open(store=item.store, order=order, ticket=ticket, external_id=data["dispute_id"],
                           family=data["family"], reason=data["reason"],
                           requested_solution=data["requested_solution"], requested_amount=data["requested_amount"],
                           opened_at=data["opened_at"], buyer_comment=data.get("buyer_comment", ""), actor=actor)
    if "updated_at" in data:
        Dispute.objects.filter(pk=dispute.pk).update(platform_updated_at=data["updated_at"])
    _follow(item, dispute, answered_at, steps, actor)
    _reconcile_refunds(item, dispute, steps, actor)
    item.result.status, item.result.id = CREATED, dispute.pk


@refuse_broken_rules
def _update(item: Item, dispute: Dispute, actor) -> None:
    item.result.id = dispute.pk
    if "refunded_amount" in item.data:
        # The refunds service locks the order before the dispute: so must this, or an
        # agent's refund at the same moment would deadlock with it.
        list(Order.objects.select_for_update().filter(pk=dispute.order_id).values_list("pk"))
    dispute = Dispute.objects.select_for_update().select_related("order", "store").get(pk=dispute.pk)
    if is_stale(item, dispute):
        item.result.status = STALE
        return
    data = item.data
    if "order_number" in data and data["order_number"] != dispute.order.order_number:
        raise ValidationError({"order_number": [_("The dispute is about order %(order)s; it cannot move.") % {
            "order": dispute.order.order_number}]})
    if "opened_at" in data and data["opened_at"] != dispute.opened_at:
        raise ValidationError({"opened_at": [_("The opening time cannot change: the response clock started from it "
                                               "(%(at)s).") % {"at": time_label(dispute.opened_at)}]})
    changes = field_changes(item, dispute, EDITABLE)
    answered_at, steps, correction = _plan(item, dispute)
    if not changes and answered_at is None and not steps and not correction and not _refund_changes(item, dispute):
        item.result.status = UNCHANGED
        return
    dispute_times_check(dispute=dispute, answered_at=answered_at, steps=steps)
    if changes:
        changes_save(dispute, changes, actor=actor,
                     check=lambda: dispute.full_clean(exclude=["store", "order", "ticket"]))
        if "requested_amount" in changes:
            # What a lapse would refund now, for the queue's ranking by loss.
            Clock.objects.filter(dispute=dispute, kind=ClockKind.DISPUTE_RESPONSE, state=ClockState.RUNNING).update(
                amount_at_stake=changes["requested_amount"], updated_at=timezone.now())
    _follow(item, dispute, answered_at, steps, actor)
    if correction:
        _correct_lapse(item, dispute, correction, actor)
    _reconcile_refunds(item, dispute, steps, actor)
    item.result.status = UPDATED


def _correct_lapse(item: Item, dispute: Dispute, outcome: str, actor) -> None:
    """The platform's outcome for a dispute the desk ruled lost when its clock lapsed.
    Unless the item says what was refunded, a seller's win takes back the refund the
    lapse recorded as its estimate (the platform's own refunds stay)."""
    dispute_outcome_correct(dispute=dispute, outcome=outcome, actor=actor, note=item.data.get("outcome_note", ""),
                            resolved_at=item.data.get("resolved_at"))
    if outcome != DisputeOutcome.BUYER_WON and "refunded_amount" not in item.data:
        estimates = sum(dispute.refunds.filter(source=RefundSource.CLOCK_LAPSE, withdrawn_at=None)
                        .values_list("amount", flat=True),
                        Decimal(0))
        if estimates:
            dispute_refunds_reconcile(dispute=dispute, total=dispute_refunded(dispute) - estimates, actor=actor,
                                      at=item.data.get("updated_at"))


def _refund_changes(item: Item, dispute: Dispute) -> bool:
    total = item.data.get("refunded_amount")
    return total is not None and total != dispute_refunded(dispute)


def _reconcile_refunds(item: Item, dispute: Dispute, steps: list, actor) -> None:
    total = item.data.get("refunded_amount")
    if total is None:
        return
    dispute.refresh_from_db(fields=["outcome", "resolved_at"])
    # Refunded when the platform resolved it, if this item resolves it; else by the item's last change.
    at = next((at for step, at in steps if step == DisputeStatus.RESOLVED and at), None) or item.data.get("updated_at")
    try:
        dispute_refunds_reconcile(dispute=dispute, total=total, actor=actor, at=at)
    except ValidationError as exc:  # the refund service names its amount "amount"
        errors = field_errors(exc)
        raise ValidationError({"refunded_amount": errors.get("amount") or errors.get("refunded_amount")
                               or exc.messages}) from None


def _plan(item: Item, dispute: Dispute) -> tuple:
    """What the platform reports beyond the opening: the time of the seller's first
    answer (None when there is nothing new) and the status steps to apply, each with
    its platform time (None when the item has none)."""
    data = item.data
    answered_at = data.get("seller_responded_at") if dispute.seller_responded_at is None else None
    status = data.get("status", dispute.status)
    if status == DisputeStatus.RESOLVED and "outcome" not in data and dispute.status != DisputeStatus.RESOLVED:
        raise ValidationError({"outcome": [_("Give the outcome of a resolved dispute.")]})
    if "outcome" in data and status != DisputeStatus.RESOLVED:
        raise ValidationError({"outcome": [_("An outcome can only be sent with status resolved.")]})
    correction = ""
    if status == DisputeStatus.RESOLVED and dispute.status == DisputeStatus.RESOLVED and \
            data.get("outcome", dispute.outcome) != dispute.outcome:
        # Only an outcome the desk inferred from a lapse gives way to the platform's.
        if not dispute_resolved_by_lapse(dispute):
            raise ValidationError({"outcome": [_("The dispute is already resolved as “%(outcome)s”.") % {
                "outcome": dispute.get_outcome_display()}]})
        correction = data["outcome"]
    path = transition_path(dispute, status) if status != dispute.status else []
    return answered_at, [(step, data.get(STEP_TIME.get(step, ""))) for step in path], correction


def _follow(item: Item, dispute: Dispute, answered_at, steps: list, actor) -> None:
    """Apply the plan: the seller's answer, then the status one audited step at a time."""
    if answered_at is not None:
        dispute_seller_responded(dispute=dispute, at=answered_at, actor=actor, how=_("Answered on the platform."))
    for step, at in steps:
        dispute_set_status(dispute=dispute, status=step, actor=actor, reason=SYNCED,
                           outcome=item.data["outcome"] if step == DisputeStatus.RESOLVED else "", at=at)
    if steps and item.data.get("outcome_note"):
        Dispute.objects.filter(pk=dispute.pk).update(outcome_note=item.data["outcome_note"])
