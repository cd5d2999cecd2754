"""Dispute services: opening, status and outcome, the seller's response, and the
proposals traded in a dispute. Each event starts or stops its platform clocks here:

- opened: the dispute-response clock starts at the platform's ``opened_at``;
- the seller's first response (an offer, accepting the buyer's offer, evidence, a
  written reply on the ticket) meets it;
- a buyer's refund offer starts the refund-decision clock; accepting or rejecting
  that offer meets it, and the buyer withdrawing it cancels it;
- resolved: whatever still runs on the dispute is cancelled.

The platform's times must come in a possible order (``dispute_times_check``):
nothing happens on a dispute before it was opened, and it is resolved no earlier
than it went to platform review. Equal times are fine.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeOutcome,
    DisputeStatus,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
)
from tickets.models import AuditEntry, Clock, Dispute, DisputeProposal, User

from .audit import audit_record
from .clocks import clock_start_for, clocks_cancel, clocks_meet
from .consequences import SWEEP_ACTOR
from .time_order import desk_time, time_label, time_order_errors
from .webhooks import event_emit
from .workflow import InvalidTransition, check_transition, transition

OUTCOME_REQUIRED = gettext_lazy("Choose the outcome of the dispute to resolve it.")
OUTCOME_ONLY_WHEN_RESOLVED = gettext_lazy("An outcome can only be set when the dispute is resolved.")
DISPUTE_RESOLVED = gettext_lazy("The dispute is resolved; no new proposal can be made.")
BEFORE_OPENED = gettext_lazy("This time is before the dispute was opened (%(time)s).")
BEFORE_REVIEW = gettext_lazy("This time is before the dispute went to platform review (%(time)s).")
BEFORE_ORDER = gettext_lazy("This time is before the order was placed (%(time)s).")
NOT_A_DECISION = gettext_lazy("Accept or reject the offer.")
OWN_OFFER = gettext_lazy("This is the seller's own offer: the buyer or the platform decides on it.")
DISPUTE_RESOLVED_DECIDED = gettext_lazy("The dispute is resolved; its offers can no longer be decided.")
DECISION_LAPSED = gettext_lazy("The time to decide ran out at %(due)s: the platform refunds the buyer.")

# Buyer offers that ask the seller for money, and so start the refund-decision clock.
REFUND_SOLUTIONS = (ProposalSolution.REFUND, ProposalSolution.RETURN_AND_REFUND)
# The seller's decisions on a buyer's offer that meet the refund-decision clock.
DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)

# The field each status stamps with the time it was reached.
STEP_TIME = {DisputeStatus.PLATFORM_REVIEW: "platform_review_at", DisputeStatus.RESOLVED: "resolved_at"}
# Each platform time and the earlier times it may equal but never precede. "status"
# stands for a step that stamps no field (negotiating): its time still moves clocks.
# The seller's answer is left out of the resolution's order on purpose: the desk
# often stamps it with its own clock (a reply, an accepted offer), and a platform
# clock a few seconds behind would then refuse a real resolution on every sync.
TIME_ORDER = {
    "seller_responded_at": ("opened_at",),
    "platform_review_at": ("opened_at",),
    "status": ("opened_at",),
    "resolved_at": ("opened_at", "platform_review_at"),
}
BEFORE = {"opened_at": BEFORE_OPENED, "platform_review_at": BEFORE_REVIEW}

# Stored in English like every record; pages translate it.
OUTCOME_CORRECTED = gettext_noop("The platform ruled otherwise than the lapse implied.")


def dispute_times_check(*, dispute: Dispute, answered_at=None, steps=()) -> None:
    """Raise field errors unless the seller's answer at ``answered_at`` and each of
    ``steps`` ((status, platform time) about to be applied, in order) come no
    earlier than the dispute's times before them. A step without a time is not
    checked here (its service checks the time it then uses)."""
    new = {} if answered_at is None else {"seller_responded_at": answered_at}
    new.update((STEP_TIME.get(status, "status"), at) for status, at in steps if at is not None)
    errors = time_order_errors(order=TIME_ORDER, before=BEFORE, known=_known_times(dispute), new=new)
    if errors:
        raise ValidationError(errors)


def _known_times(dispute: Dispute) -> dict:
    return {name: getattr(dispute, name) for name in BEFORE}


def dispute_opening_check(*, order, opened_at) -> None:
    """A buyer opens a dispute about an order they placed: never before it."""
    placed = min((t for t in (order.placed_at, order.paid_at) if t is not None), default=None)
    if placed is not None and opened_at < placed:
        raise ValidationError({"opened_at": [BEFORE_ORDER % {"time": time_label(placed)}]})


def dispute_open(*, store, order, external_id: str, family: str, reason: str, requested_solution: str,
                 requested_amount, opened_at, actor, ticket=None, buyer_comment: str = "") -> Dispute:
    """Record a dispute the buyer opened on the marketplace and start its
    dispute-response clock at the platform's ``opened_at`` (not when the desk
    heard of it): a dispute synced late has less time left, or none, in which
    case its clock is already due and the next sweep applies the lapse."""
    dispute = Dispute(store=store, order=order, ticket=ticket, external_id=external_id, family=family,
                      reason=reason, requested_solution=requested_solution, requested_amount=requested_amount,
                      currency=order.currency, opened_at=opened_at, buyer_comment=buyer_comment)
    dispute.full_clean()
    dispute_opening_check(order=order, opened_at=opened_at)
    with transaction.atomic():
        dispute.save()
        audit_record(subject=dispute, actor=actor, action="create", field="status", to_value=dispute.status,
                     reason=f"{family}/{reason}: {requested_solution} {requested_amount} {dispute.currency}")
        clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=opened_at, actor=actor,
                        start_event="dispute.opened_at", amount_at_stake=requested_amount,
                        currency=dispute.currency)
    return dispute


def dispute_seller_responded(*, dispute: Dispute, at, actor, how: str) -> int:
    """The seller answered the dispute (an offer, an acceptance, evidence, a written
    reply) at ``at``. The first answer stamps ``seller_responded_at``; any answer
    meets the running dispute-response clock. Returns the number of clocks met."""
    # A reply written before the buyer opened the dispute (synced late, say) answered
    # the buyer, not the dispute. On a resolved dispute the time is still a fact worth
    # keeping (the platform may report it late); there is no running clock left to meet.
    if at < dispute.opened_at:
        return 0
    with transaction.atomic():
        # Conditional: of two answers at once, only the first stamps the time.
        if Dispute.objects.filter(pk=dispute.pk, seller_responded_at__isnull=True).update(
                seller_responded_at=at, updated_at=timezone.now()):
            dispute.seller_responded_at = at
            audit_record(subject=dispute, actor=actor, action="respond", field="seller_responded_at",
                         to_value=at.isoformat(), reason=how)
        return clocks_meet(clocks=Clock.objects.filter(dispute=dispute, kind=ClockKind.DISPUTE_RESPONSE),
                           actor=actor, reason=how, at=at)


def dispute_resolved_by_lapse(dispute: Dispute) -> bool:
    """Whether the desk resolved ``dispute`` itself, as the marketplace rules a lapse:
    its outcome is then the desk's inference, which the platform's word may correct."""
    last = (AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Dispute), object_id=dispute.pk,
                                      field="status", to_value=DisputeStatus.RESOLVED)
            .order_by("-created_at", "-pk").values_list("actor_label", flat=True).first())
    return last == SWEEP_ACTOR


def dispute_outcome_correct(*, dispute: Dispute, outcome: str, actor, note: str = "",
                            resolved_at=None) -> Dispute:
    """The platform's outcome replaces the one the desk recorded when a clock lapsed
    (the ERP "may later confirm or correct" a consequence). Any other resolved
    dispute keeps its outcome: that is refused on ``outcome``. The refunds are
    reconciled apart (``refunds.dispute_refunds_reconcile``)."""
    if dispute.status != DisputeStatus.RESOLVED or not dispute_resolved_by_lapse(dispute):
        raise ValidationError({"outcome": _("The dispute is already resolved as “%(outcome)s”.") % {
            "outcome": dispute.get_outcome_display()}})
    if outcome == dispute.outcome:
        return dispute
    errors = time_order_errors(order={"resolved_at": ("opened_at",)}, before=BEFORE,
                               known={"opened_at": dispute.opened_at},
                               new={"resolved_at": resolved_at} if resolved_at else {})
    if errors:
        raise ValidationError(errors)
    previous, resolved_at = dispute.outcome, resolved_at or dispute.resolved_at
    with transaction.atomic():
        Dispute.objects.filter(pk=dispute.pk).update(outcome=outcome, outcome_note=note or OUTCOME_CORRECTED,
                                                     resolved_at=resolved_at, updated_at=timezone.now())
        audit_record(subject=dispute, actor=actor, action="outcome_correct", field="outcome", from_value=previous,
                     to_value=outcome, reason=OUTCOME_CORRECTED)
    dispute.outcome, dispute.outcome_note, dispute.resolved_at = outcome, note or OUTCOME_CORRECTED, resolved_at
    return dispute


def dispute_set_status(*, dispute: Dispute, status: str, actor, reason: str = "", outcome: str = "",
                       at=None) -> Dispute:
    """Move a dispute along its workflow. Resolving needs an outcome, and only
    resolving may set one; ``at`` is the platform's time of the event."""
    check_transition(dispute, status)
    when = at or desk_time(order=TIME_ORDER, name=STEP_TIME.get(status, "status"), known=_known_times(dispute))
    extra = {}
    if status == DisputeStatus.RESOLVED:
        if outcome not in DisputeOutcome.values:
            raise ValidationError({"outcome": OUTCOME_REQUIRED})
        extra["outcome"] = outcome
    elif outcome:
        raise ValidationError({"outcome": OUTCOME_ONLY_WHEN_RESOLVED})
    dispute_times_check(dispute=dispute, steps=[(status, when)])
    if status in STEP_TIME:
        extra[STEP_TIME[status]] = when
    reason_text = reason if status != DisputeStatus.RESOLVED else f"{reason} ({outcome})".strip()
    with transaction.atomic():
        transition(dispute, to=status, actor=actor, reason=reason_text, extra=extra)
        if status == DisputeStatus.RESOLVED:
            # Decided: its clocks no longer apply (a return agreed in it keeps its own).
            clocks_cancel(clocks=Clock.objects.filter(dispute=dispute), actor=actor, reason="dispute resolved",
                          at=when)
            event_emit(name="dispute.resolved", obj=dispute, actor=actor, occurred_at=when)
    return dispute


def proposal_set_status(*, proposal: DisputeProposal, status: str, actor, reason: str = "",
                        at=None) -> DisputeProposal:
    """Accept, reject, withdraw or supersede an offer; ``at`` is the platform's time
    of the decision (default now). The seller accepting or rejecting the buyer's
    offer meets the refund-decision clock; accepting it is also an answer to the
    dispute. The buyer withdrawing it cancels that clock; a newer version
    superseding it keeps the clock running."""
    with transaction.atomic():
        transition(proposal, to=status, actor=actor, reason=reason)
        if proposal.party == ProposalParty.BUYER and status in (*DECISIONS, ProposalStatus.WITHDRAWN):
            when = at or timezone.now()
            how = f"Buyer's offer v{proposal.version} {status}."
            refund_decision = Clock.objects.filter(dispute_id=proposal.dispute_id, kind=ClockKind.REFUND_DECISION)
            if status == ProposalStatus.WITHDRAWN:
                # Nothing is left to decide (a party has one pending offer at most), so
                # no refund executes when the deadline passes. A clock already due
                # stays for the sweep: the platform refunded before the withdrawal.
                clocks_cancel(clocks=refund_decision, actor=actor, reason=how, at=when)
            else:
                clocks_meet(clocks=refund_decision, actor=actor, reason=how, at=when)
            if status == ProposalStatus.ACCEPTED:
                dispute_seller_responded(dispute=proposal.dispute, at=when, actor=actor, how=how)
    return proposal


def proposal_decide(*, proposal: DisputeProposal, decision: str, actor, reason: str = "") -> DisputeProposal:
    """The seller accepts or rejects the buyer's or the platform's offer, now (the
    desk's page and the API). Refusals name ``decision``, the one field the seller
    filled in; a concurrent decision stays a ConcurrentChange (a 409 in the API)."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": NOT_A_DECISION})
    if proposal.party == ProposalParty.SELLER:
        raise ValidationError({"decision": OWN_OFFER})
    if proposal.dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"decision": DISPUTE_RESOLVED_DECIDED})
    # The platform refunded the buyer at the due time, whether or not the sweep has
    # recorded it yet: a decision now would be shown next to that refund.
    lapsed = (Clock.objects.filter(dispute_id=proposal.dispute_id, kind=ClockKind.REFUND_DECISION,
                                   due_at__lt=timezone.now())
              .filter(Q(state=ClockState.RUNNING) | Q(state=ClockState.BREACHED)).order_by("-due_at").first())
    if proposal.party == ProposalParty.BUYER and lapsed is not None:
        raise ValidationError({"decision": str(DECISION_LAPSED) % {"due": time_label(lapsed.due_at)}})
    try:
        return proposal_set_status(proposal=proposal, status=decision, actor=actor, reason=reason)
    except InvalidTransition as exc:
        raise type(exc)({"decision": exc.messages}) from exc


def proposal_create(*, dispute: Dispute, party: str, solution: str, amount, actor, note: str = "",
                    external_id: str = "", proposed_at=None) -> DisputeProposal:
    """Record a new offer. The party's pending offer, if any, becomes superseded and
    the new one takes the next version number.

    A seller's offer answers the dispute (meets the dispute-response clock). A
    buyer's refund offer starts the refund-decision clock at ``proposed_at``; a
    newer buyer offer keeps the clock already running.
    """
    if dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"dispute": DISPUTE_RESOLVED})
    with transaction.atomic():
        # Lock the dispute so two offers from one party cannot take the same version.
        Dispute.objects.select_for_update().filter(pk=dispute.pk).first()
        for pending in DisputeProposal.objects.filter(dispute=dispute, party=party, status=ProposalStatus.PENDING):
            proposal_set_status(proposal=pending, status=ProposalStatus.SUPERSEDED, actor=actor,
                                reason=_("Replaced by a newer offer."))
        last = DisputeProposal.objects.filter(dispute=dispute, party=party).aggregate(v=Max("version"))["v"] or 0
        proposal = DisputeProposal(
            dispute=dispute, party=party, solution=solution, amount=amount, version=last + 1, note=note,
            # A person only: a system actor or an API key (the ERP's sync) is nobody's account.
            external_id=external_id, created_by=actor if isinstance(actor, User) else None,
            proposed_at=proposed_at or timezone.now(),
        )
        proposal.full_clean()
        proposal.save()
        audit_record(subject=proposal, actor=actor, action="proposal", field="status", to_value=proposal.status,
                     reason=f"{party} v{proposal.version}: {solution} {amount}")
        if party == ProposalParty.SELLER:
            dispute_seller_responded(dispute=dispute, at=proposal.proposed_at, actor=actor,
                                     how=f"Seller's offer v{proposal.version}: {solution} {amount}.")
        elif party == ProposalParty.BUYER and solution in REFUND_SOLUTIONS:
            clock = clock_start_for(kind=ClockKind.REFUND_DECISION, subject=dispute, started_at=proposal.proposed_at,
                                    actor=actor, start_event="proposal.proposed_at", amount_at_stake=proposal.amount,
                                    currency=dispute.currency)
            # A newer request keeps the running clock, but what is at stake is now its amount.
            if clock is not None and clock.amount_at_stake != proposal.amount:
                Clock.objects.filter(pk=clock.pk, state=ClockState.RUNNING).update(
                    amount_at_stake=proposal.amount, updated_at=timezone.now())
    return proposal
