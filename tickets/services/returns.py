"""Return services: the buyer ships back, the seller confirms receipt, the refund follows.

The return's two clocks start and stop here:

- agreed: the buyer's return-shipment clock starts at ``agreed_at``;
- the buyer's return tracking number meets it and starts the seller's
  receipt-confirmation clock at the time it was entered;
- received (or disputed, or refunded) meets the receipt confirmation;
- cancelled (or lapsed) stops whatever still runs on the return.

The platform's times must come in a possible order (``return_times_check``):
agreed no earlier than the dispute opened, the tracking number entered no earlier
than the agreement, received no earlier than either. Equal times are fine.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from tickets.choices import ClockKind, ProposalStatus, ReturnStatus
from tickets.models import Clock, Dispute, DisputeProposal, Return

from .audit import audit_record
from .clocks import clock_start_for, clocks_cancel, clocks_meet
from .disputes import BEFORE_OPENED
from .time_order import desk_time, time_order_errors
from .webhooks import event_emit
from .workflow import check_transition, transition

TRACKING_REQUIRED = gettext_lazy("Enter the buyer's return tracking number.")
BEFORE_AGREED = gettext_lazy("This time is before the return was agreed (%(time)s).")
BEFORE_TRACKING = gettext_lazy("This time is before the buyer entered the return tracking number (%(time)s).")
BEFORE_RECEIVED = gettext_lazy("This time is before the return was received (%(time)s).")

# The seller's answer to the returned goods: each one meets the receipt confirmation.
RECEIPT_ANSWERS = (ReturnStatus.RECEIVED, ReturnStatus.DISPUTED, ReturnStatus.REFUNDED)
ENDINGS = (ReturnStatus.CANCELLED, ReturnStatus.LAPSED)

# The field each status stamps with the time it was reached.
STEP_TIME = {ReturnStatus.IN_TRANSIT: "tracking_submitted_at", ReturnStatus.RECEIVED: "received_at",
             ReturnStatus.REFUNDED: "refunded_at", ReturnStatus.CANCELLED: "closed_at",
             ReturnStatus.LAPSED: "closed_at"}
# Each platform time and the earlier times it may equal but never precede ("opened_at"
# is the dispute's). "status" stands for a step that stamps no field (disputed): its
# time still meets the receipt clock.
_AFTER_SHIPMENT = ("agreed_at", "tracking_submitted_at", "received_at")
TIME_ORDER = {
    "agreed_at": ("opened_at",),
    "tracking_submitted_at": ("agreed_at",),
    "received_at": ("agreed_at", "tracking_submitted_at"),
    "refunded_at": _AFTER_SHIPMENT,
    "closed_at": _AFTER_SHIPMENT,
    "status": _AFTER_SHIPMENT,
}
BEFORE = {"opened_at": BEFORE_OPENED, "agreed_at": BEFORE_AGREED, "tracking_submitted_at": BEFORE_TRACKING,
          "received_at": BEFORE_RECEIVED}


def _amount_at_stake(dispute: Dispute):
    """The money a return is about: the accepted offer, else what the buyer asked for."""
    accepted = (DisputeProposal.objects.filter(dispute=dispute, status=ProposalStatus.ACCEPTED)
                .order_by("-proposed_at", "-pk").values_list("amount", flat=True).first())
    return dispute.requested_amount if accepted is None else accepted


def return_times_check(*, ret: Return, agreed_at=None, steps=()) -> None:
    """Raise field errors unless ``agreed_at`` (a new return's) comes no earlier than
    its dispute's opening and each of ``steps`` ((status, platform time) about to be
    applied, in order) no earlier than the return's times before it. A step without
    a time is not checked here (its service checks the time it then uses)."""
    new = {} if agreed_at is None else {"agreed_at": agreed_at}
    new.update((STEP_TIME.get(status, "status"), at) for status, at in steps if at is not None)
    errors = time_order_errors(order=TIME_ORDER, before=BEFORE, known=_known_times(ret), new=new)
    if errors:
        raise ValidationError(errors)


def _known_times(ret: Return) -> dict:
    return {"opened_at": ret.dispute.opened_at, **{name: getattr(ret, name) for name in _AFTER_SHIPMENT}}


def return_agree(*, dispute: Dispute, external_id: str, agreed_at, actor, carrier: str = "") -> Return:
    """Record the return the two sides agreed in ``dispute`` and start the buyer's
    return-shipment clock at the platform's ``agreed_at``."""
    ret = Return(store_id=dispute.store_id, order_id=dispute.order_id, dispute=dispute, external_id=external_id,
                 agreed_at=agreed_at, carrier=carrier)
    ret.full_clean()
    return_times_check(ret=ret, agreed_at=agreed_at)
    with transaction.atomic():
        ret.save()
        audit_record(subject=ret, actor=actor, action="create", field="status", to_value=ret.status,
                     reason=f"Return agreed in dispute {dispute.external_id}.")
        clock_start_for(kind=ClockKind.RETURN_SHIPMENT, subject=ret, started_at=agreed_at, actor=actor,
                        start_event="return.agreed_at", amount_at_stake=_amount_at_stake(dispute),
                        currency=dispute.currency)
        event_emit(name="return.updated", obj=ret, actor=actor, occurred_at=agreed_at)
    return ret


def return_receive(*, ret: Return, actor, at=None) -> Return:
    """The seller confirms the returned goods arrived (from the ticket page or the
    API): this meets the receipt-confirmation clock."""
    return return_set_status(ret=ret, status=ReturnStatus.RECEIVED, actor=actor, at=at)


def return_set_status(*, ret: Return, status: str, actor, reason: str = "", tracking_number: str = "",
                      carrier: str = "", at=None) -> Return:
    """Move a return along its workflow, stamping the time of each step.
    Shipping back needs the buyer's return tracking number."""
    check_transition(ret, status)
    when = at or desk_time(order=TIME_ORDER, name=STEP_TIME.get(status, "status"), known=_known_times(ret))
    extra = {}
    if status == ReturnStatus.IN_TRANSIT:
        tracking_number = (tracking_number or ret.tracking_number).strip()
        if not tracking_number:
            raise ValidationError({"tracking_number": TRACKING_REQUIRED})
        extra["tracking_number"] = tracking_number
        if carrier:
            extra["carrier"] = carrier
    return_times_check(ret=ret, steps=[(status, when)])
    if status in STEP_TIME:
        extra[STEP_TIME[status]] = when
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
