"""Return services: the buyer ships back, the seller confirms receipt, the refund follows.

The return's two clocks start and stop here:

- agreed: the buyer's return-shipment clock starts at ``agreed_at``;
- the buyer's return tracking number meets it and starts the seller's
  receipt-confirmation clock at the time it was entered;
- received (or disputed, or refunded) meets the receipt confirmation;
- cancelled (or lapsed) stops whatever still runs on the return.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tickets.choices import ClockKind, ProposalStatus, ReturnStatus
from tickets.models import Clock, Dispute, DisputeProposal, Return

from .audit import audit_record
from .clocks import clock_start_for, clocks_cancel, clocks_meet
from .webhooks import event_emit
from .workflow import check_transition, transition

TRACKING_REQUIRED = gettext_lazy("Enter the buyer's return tracking number.")

# The seller's answer to the returned goods: each one meets the receipt confirmation.
RECEIPT_ANSWERS = (ReturnStatus.RECEIVED, ReturnStatus.DISPUTED, ReturnStatus.REFUNDED)
ENDINGS = (ReturnStatus.CANCELLED, ReturnStatus.LAPSED)


def _amount_at_stake(dispute: Dispute):
    """The money a return is about: the accepted offer, else what the buyer asked for."""
    accepted = (DisputeProposal.objects.filter(dispute=dispute, status=ProposalStatus.ACCEPTED)
                .order_by("-proposed_at", "-pk").values_list("amount", flat=True).first())
    return dispute.requested_amount if accepted is None else accepted


def return_agree(*, dispute: Dispute, external_id: str, agreed_at, actor, carrier: str = "") -> Return:
    """Record the return the two sides agreed in ``dispute`` and start the buyer's
    return-shipment clock at the platform's ``agreed_at``."""
    ret = Return(store_id=dispute.store_id, order_id=dispute.order_id, dispute=dispute, external_id=external_id,
                 agreed_at=agreed_at, carrier=carrier)
    ret.full_clean()
    with transaction.atomic():
        ret.save()
        audit_record(subject=ret, actor=actor, action="create", field="status", to_value=ret.status,
                     reason=f"Return agreed in dispute {dispute.external_id}.")
        clock_start_for(kind=ClockKind.RETURN_SHIPMENT, subject=ret, started_at=agreed_at, actor=actor,
                        start_event="return.agreed_at", amount_at_stake=_amount_at_stake(dispute),
                        currency=dispute.currency)
        event_emit(name="return.updated", obj=ret, actor=actor, occurred_at=agreed_at)
    return ret


def return_set_status(*, ret: Return, status: str, actor, reason: str = "", tracking_number: str = "",
                      carrier: str = "", at=None) -> Return:
    """Move a return along its workflow, stamping the time of each step.
    Shipping back needs the buyer's return tracking number."""
    check_transition(ret, status)
    when = at or timezone.now()
    extra = {}
    if status == ReturnStatus.IN_TRANSIT:
        tracking_number = (tracking_number or ret.tracking_number).strip()
        if not tracking_number:
            raise ValidationError({"tracking_number": TRACKING_REQUIRED})
        extra.update(tracking_number=tracking_number, tracking_submitted_at=when)
        if carrier:
            extra["carrier"] = carrier
    elif status == ReturnStatus.RECEIVED:
        extra["received_at"] = when
    elif status == ReturnStatus.REFUNDED:
        extra["refunded_at"] = when
    elif status in ENDINGS:
        extra["closed_at"] = when
    with transaction.atomic():
        transition(ret, to=status, actor=actor, reason=reason, extra=extra)
        _move_clocks(ret, status, when=when, actor=actor)
        event_emit(name="return.updated", obj=ret, actor=actor, occurred_at=when)
    return ret


def _move_clocks(ret: Return, status: str, *, when, actor) -> None:
    clocks = Clock.objects.filter(return_request=ret)
    if status == ReturnStatus.IN_TRANSIT:
        clocks_meet(clocks=clocks.filter(kind=ClockKind.RETURN_SHIPMENT), actor=actor, at=when,
                    reason="The buyer entered the return tracking number.")
        clock_start_for(kind=ClockKind.RECEIPT_CONFIRMATION, subject=ret, started_at=when, actor=actor,
                        start_event="return.tracking_submitted_at", amount_at_stake=_amount_at_stake(ret.dispute),
                        currency=ret.dispute.currency)
    elif status in RECEIPT_ANSWERS:
        clocks_meet(clocks=clocks.filter(kind=ClockKind.RECEIPT_CONFIRMATION), actor=actor, at=when,
                    reason=f"Return {status}.")
    elif status in ENDINGS:
        clocks_cancel(clocks=clocks, actor=actor, at=when, reason=f"Return {status}.")
