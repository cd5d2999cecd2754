"""Status workflows: every (from, to) pair of every ``*_TRANSITIONS`` table.

An allowed pair succeeds through the object's service and leaves one audit entry;
a refused pair raises InvalidTransition keyed by the status field with the message
the user reads, and leaves the row and the audit trail untouched.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from tickets import choices
from tickets.choices import (
    ClockState,
    DisputeOutcome,
    DisputeStatus,
    OrderStatus,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    ReturnStatus,
    TicketStatus,
)
from tickets.models import AuditEntry, Clock, Dispute, DisputeProposal, Order, Return, Ticket
from tickets.services import workflow
from tickets.services.clocks import clock_cancel, clock_meet
from tickets.services.disputes import dispute_set_status, proposal_create, proposal_set_status
from tickets.services.orders import order_set_status
from tickets.services.returns import return_set_status
from tickets.services.tickets import ticket_assign, ticket_set_status
from tickets.services.workflow import ConcurrentChange, InvalidTransition

from .factories import (
    ClockFactory,
    DisputeFactory,
    DisputeProposalFactory,
    OrderFactory,
    ReturnFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REASON = "checked with the buyer"
OUTCOME = DisputeOutcome.AGREED_PARTIAL_REFUND
TRACKING = "RT123456789CN"


def _set_clock_state(obj, to, actor, reason):
    if to == ClockState.MET:
        return clock_meet(clock=obj, actor=actor, reason=reason)
    if to == ClockState.CANCELLED:
        return clock_cancel(clock=obj, actor=actor, reason=reason)
    # Breaching belongs to the sweep (its own issue); it goes through the same transition.
    extra = {"breached_at": timezone.now()} if to == ClockState.BREACHED else {}
    return workflow.transition(obj, to=to, actor=actor, reason=reason, extra=extra)


@dataclass(frozen=True)
class Workflow:
    model: type
    field: str
    status: type
    table: dict
    make: object  # status -> object in that status
    apply: object  # (object, to, actor, reason) -> object


WORKFLOWS = {
    "ticket": Workflow(
        Ticket, "status", TicketStatus, choices.TICKET_TRANSITIONS,
        lambda s: TicketFactory(status=s),
        lambda o, to, actor, reason: ticket_set_status(ticket=o, status=to, actor=actor, reason=reason),
    ),
    "order": Workflow(
        Order, "status", OrderStatus, choices.ORDER_TRANSITIONS,
        lambda s: OrderFactory(status=s),
        lambda o, to, actor, reason: order_set_status(order=o, status=to, actor=actor, reason=reason),
    ),
    "dispute": Workflow(
        Dispute, "status", DisputeStatus, choices.DISPUTE_TRANSITIONS,
        lambda s: DisputeFactory(status=s),
        lambda o, to, actor, reason: dispute_set_status(
            dispute=o, status=to, actor=actor, reason=reason,
            outcome=OUTCOME if to == DisputeStatus.RESOLVED else ""),
    ),
    "proposal": Workflow(
        DisputeProposal, "status", ProposalStatus, choices.PROPOSAL_TRANSITIONS,
        lambda s: DisputeProposalFactory(status=s),
        lambda o, to, actor, reason: proposal_set_status(proposal=o, status=to, actor=actor, reason=reason),
    ),
    "return": Workflow(
        Return, "status", ReturnStatus, choices.RETURN_TRANSITIONS,
        lambda s: ReturnFactory(status=s),
        lambda o, to, actor, reason: return_set_status(
            ret=o, status=to, actor=actor, reason=reason,
            tracking_number=TRACKING if to == ReturnStatus.IN_TRANSIT else ""),
    ),
    "clock": Workflow(
        Clock, "state", ClockState, choices.CLOCK_TRANSITIONS,
        lambda s: ClockFactory(state=s),
        _set_clock_state,
    ),
}


def _pairs(allowed: bool):
    for name, wf in WORKFLOWS.items():
        for frm in wf.status.values:
            for to in wf.status.values:
                if (to in wf.table[frm]) == allowed:
                    yield pytest.param(name, frm, to, id=f"{name}:{frm}->{to}")


def _label(wf: Workflow, value: str) -> str:
    return str(wf.status(value).label)


def expected_refusal(wf: Workflow, frm: str, to: str) -> str:
    """The refusal text, built from the choice labels."""
    verbose = wf.model._meta.verbose_name
    if frm == to:
        return f"The {verbose} is already “{_label(wf, frm)}”."
    allowed = sorted(wf.table[frm])
    if allowed:
        hint = f"From “{_label(wf, frm)}” it can go to: {', '.join(f'“{_label(wf, s)}”' for s in allowed)}."
    else:
        hint = f"“{_label(wf, frm)}” is final."
    return f"This {verbose} cannot go from “{_label(wf, frm)}” to “{_label(wf, to)}”. {hint}"


def audit_entries(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def test_every_status_has_a_row_in_its_table():
    for wf in WORKFLOWS.values():
        assert set(wf.table) == set(wf.status.values)
        for targets in wf.table.values():
            assert set(targets) <= set(wf.status.values)


@pytest.mark.parametrize(("name", "frm", "to"), list(_pairs(allowed=True)))
def test_allowed_transition_is_applied_and_audited(agent, name, frm, to):
    wf = WORKFLOWS[name]
    obj = wf.make(frm)
    assert not audit_entries(obj).exists()

    returned = wf.apply(obj, to, agent, REASON)

    assert returned is obj
    assert getattr(obj, wf.field) == to
    obj.refresh_from_db()
    assert getattr(obj, wf.field) == to
    entry = audit_entries(obj).get()
    expected_reason = f"{REASON} ({OUTCOME})" if (name, to) == ("dispute", DisputeStatus.RESOLVED) else REASON
    assert (entry.actor, entry.actor_label, entry.action, entry.field) == (agent, "agent", "status", wf.field)
    assert (entry.from_value, entry.to_value, entry.reason) == (frm, to, expected_reason)
    assert entry.content_type == ContentType.objects.get_for_model(wf.model)
    assert entry.object_id == obj.pk
    store_id = obj.dispute.store_id if name == "proposal" else obj.store_id
    assert entry.store_id == store_id


@pytest.mark.parametrize(("name", "frm", "to"), list(_pairs(allowed=False)))
def test_refused_transition_says_why_and_changes_nothing(agent, name, frm, to):
    wf = WORKFLOWS[name]
    obj = wf.make(frm)
    before = wf.model.objects.values().get(pk=obj.pk)

    with pytest.raises(InvalidTransition) as info:
        wf.apply(obj, to, agent, REASON)

    assert type(info.value) is InvalidTransition
    assert info.value.message_dict == {wf.field: [expected_refusal(wf, frm, to)]}
    assert getattr(obj, wf.field) == frm
    assert wf.model.objects.values().get(pk=obj.pk) == before
    assert not audit_entries(obj).exists()


def test_closed_ticket_refusal_reads_naturally(agent):
    ticket = TicketFactory(status=TicketStatus.CLOSED)
    with pytest.raises(InvalidTransition) as info:
        ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    assert info.value.message_dict == {"status": ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]}


def test_refusal_lists_where_the_ticket_can_go(agent):
    ticket = TicketFactory(status=TicketStatus.ESCALATED)
    with pytest.raises(InvalidTransition) as info:
        ticket_set_status(ticket=ticket, status=TicketStatus.CLOSED, actor=agent)
    assert info.value.message_dict == {"status": [
        "This ticket cannot go from “Escalated” to “Closed”. "
        "From “Escalated” it can go to: “Open”, “Resolved”, “Waiting on buyer”."
    ]}


def test_clock_refusal_is_keyed_by_state(agent):
    clock = ClockFactory(state=ClockState.MET)
    with pytest.raises(InvalidTransition) as info:
        clock_cancel(clock=clock, actor=agent)
    assert info.value.message_dict == {"state": ["This clock cannot go from “Met” to “Cancelled”. “Met” is final."]}


def test_unknown_status_is_refused(agent):
    ticket = TicketFactory()
    with pytest.raises(InvalidTransition) as info:
        ticket_set_status(ticket=ticket, status="archived", actor=agent)
    assert info.value.message_dict == {"status": ["“archived” is not one of the ticket statuses."]}


def test_invalid_transition_is_a_validation_error():
    assert issubclass(InvalidTransition, ValidationError)
    assert issubclass(ConcurrentChange, InvalidTransition)


def test_order_refusal_reads_an_order(agent):
    order = OrderFactory(status=OrderStatus.CANCELLED)
    with pytest.raises(InvalidTransition) as info:
        order_set_status(order=order, status=OrderStatus.PAID, actor=agent)
    assert info.value.message_dict["status"][0].startswith("This order cannot go from “Cancelled” to “Paid”.")


# Concurrency ------------------------------------------------------------------------------
def test_stale_ticket_raises_concurrent_change(agent, supervisor):
    ticket = TicketFactory(status=TicketStatus.NEW)
    stale = Ticket.objects.get(pk=ticket.pk)
    ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=supervisor)

    with pytest.raises(ConcurrentChange) as info:
        ticket_set_status(ticket=stale, status=TicketStatus.ESCALATED, actor=agent)

    assert info.value.message_dict == {
        "status": ["This ticket was changed by someone else meanwhile; reload it and try again."]}
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert stale.status == TicketStatus.NEW
    assert list(audit_entries(ticket).values_list("actor__username", "to_value")) == [("supervisor", "open")]


def test_stale_clock_raises_concurrent_change_on_state(agent):
    clock = ClockFactory()
    stale = Clock.objects.get(pk=clock.pk)
    clock_meet(clock=clock, actor=agent)
    with pytest.raises(ConcurrentChange) as info:
        clock_cancel(clock=stale, actor=agent)
    assert info.value.message_dict == {
        "state": ["This clock was changed by someone else meanwhile; reload it and try again."]}
    clock.refresh_from_db()
    assert clock.state == ClockState.MET
    assert clock.cancelled_at is None


# What each service stamps -------------------------------------------------------------------
def test_resolving_a_ticket_stamps_and_reopening_clears_resolved_at(agent):
    ticket = TicketFactory(status=TicketStatus.OPEN)
    ticket_set_status(ticket=ticket, status=TicketStatus.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at is None


def test_order_status_stamps_the_platform_time(agent):
    order = OrderFactory(status=OrderStatus.PAID, shipped_at=None)
    shipped = datetime.datetime(2025, 3, 1, 2, 0, tzinfo=datetime.UTC)
    order_set_status(order=order, status=OrderStatus.SHIPPED, actor=agent, at=shipped)
    order.refresh_from_db()
    assert order.shipped_at == shipped


def test_system_actor_is_named_in_the_audit_entry():
    ticket = TicketFactory()
    ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor="system:sweep")
    entry = audit_entries(ticket).get()
    assert (entry.actor, entry.actor_label) == (None, "system:sweep")


# Disputes: outcome --------------------------------------------------------------------------
def test_resolving_a_dispute_needs_an_outcome(agent):
    dispute = DisputeFactory(status=DisputeStatus.NEGOTIATING)
    with pytest.raises(ValidationError) as info:
        dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, actor=agent)
    assert info.value.message_dict == {"outcome": ["Choose the outcome of the dispute to resolve it."]}
    with pytest.raises(ValidationError) as info:
        dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, actor=agent, outcome="draw")
    assert info.value.message_dict == {"outcome": ["Choose the outcome of the dispute to resolve it."]}
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.NEGOTIATING, "")
    assert not audit_entries(dispute).exists()


def test_outcome_on_a_non_resolving_transition_is_refused(agent):
    dispute = DisputeFactory(status=DisputeStatus.OPEN)
    with pytest.raises(ValidationError) as info:
        dispute_set_status(dispute=dispute, status=DisputeStatus.NEGOTIATING, actor=agent,
                           outcome=DisputeOutcome.SELLER_WON)
    assert info.value.message_dict == {"outcome": ["An outcome can only be set when the dispute is resolved."]}
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.OPEN, "")
    assert not audit_entries(dispute).exists()


def test_resolving_a_dispute_records_outcome_and_time(agent):
    dispute = DisputeFactory(status=DisputeStatus.PLATFORM_REVIEW)
    ruled = datetime.datetime(2025, 3, 12, 6, 30, tzinfo=datetime.UTC)
    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, actor=agent,
                       outcome=DisputeOutcome.SELLER_WON, at=ruled)
    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.resolved_at) == (DisputeOutcome.SELLER_WON, ruled)


def test_platform_review_is_stamped(agent):
    dispute = DisputeFactory(status=DisputeStatus.NEGOTIATING)
    dispute_set_status(dispute=dispute, status=DisputeStatus.PLATFORM_REVIEW, actor=agent)
    dispute.refresh_from_db()
    assert dispute.platform_review_at is not None


# Returns: tracking -------------------------------------------------------------------------
@pytest.mark.parametrize("tracking", ["", "   "])
def test_return_in_transit_needs_tracking(agent, tracking):
    ret = ReturnFactory(status=ReturnStatus.AWAITING_SHIPMENT)
    with pytest.raises(ValidationError) as info:
        return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, actor=agent, tracking_number=tracking)
    assert info.value.message_dict == {"tracking_number": ["Enter the buyer's return tracking number."]}
    ret.refresh_from_db()
    assert (ret.status, ret.tracking_number) == (ReturnStatus.AWAITING_SHIPMENT, "")
    assert not audit_entries(ret).exists()


def test_return_in_transit_records_tracking(agent):
    ret = ReturnFactory(status=ReturnStatus.AWAITING_SHIPMENT)
    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, actor=agent, tracking_number=f" {TRACKING} ",
                      carrier="Cainiao")
    ret.refresh_from_db()
    assert (ret.tracking_number, ret.carrier) == (TRACKING, "Cainiao")
    assert ret.tracking_submitted_at is not None


# Proposals -----------------------------------------------------------------------------------
def test_proposal_create_supersedes_the_party_pending_offer(agent):
    dispute = DisputeFactory(order__total=Decimal("80.00"))
    first = proposal_create(dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                            amount=Decimal("20.00"), actor=agent)
    buyer_offer = DisputeProposalFactory(dispute=dispute, party=ProposalParty.BUYER)
    second = proposal_create(dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                             amount=Decimal("30.00"), actor=agent, note="better offer")

    first.refresh_from_db()
    buyer_offer.refresh_from_db()
    assert (first.version, first.status) == (1, ProposalStatus.SUPERSEDED)
    assert (second.version, second.status) == (2, ProposalStatus.PENDING)
    assert second.created_by == agent
    assert buyer_offer.status == ProposalStatus.PENDING
    superseded = audit_entries(first).get(action="status")
    assert (superseded.from_value, superseded.to_value) == ("pending", "superseded")
    created = audit_entries(second).get()
    assert (created.action, created.to_value, created.store_id) == ("proposal", "pending", dispute.store_id)


def test_proposal_version_follows_a_rejected_offer(agent):
    rejected = DisputeProposalFactory(party=ProposalParty.SELLER, status=ProposalStatus.REJECTED, version=1)
    offer = proposal_create(dispute=rejected.dispute, party=ProposalParty.SELLER,
                            solution=ProposalSolution.RETURN_AND_REFUND, amount=Decimal("10"), actor=agent)
    assert offer.version == 2
    rejected.refresh_from_db()
    assert rejected.status == ProposalStatus.REJECTED


def test_no_proposal_on_a_resolved_dispute(agent):
    dispute = DisputeFactory(status=DisputeStatus.RESOLVED)
    with pytest.raises(ValidationError) as info:
        proposal_create(dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                        amount=Decimal("5"), actor=agent)
    assert info.value.message_dict == {"dispute": ["The dispute is resolved; no new proposal can be made."]}
    assert not DisputeProposal.objects.exists()


def test_proposal_above_what_was_paid_is_refused_and_keeps_the_pending_offer(agent):
    pending = DisputeProposalFactory(party=ProposalParty.SELLER, dispute__order__total=Decimal("50.00"))
    with pytest.raises(ValidationError) as info:
        proposal_create(dispute=pending.dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                        amount=Decimal("50.01"), actor=agent)
    assert info.value.message_dict == {"amount": ["The amount is above the 50.00 USD paid."]}
    pending.refresh_from_db()
    assert pending.status == ProposalStatus.PENDING
    assert not audit_entries(pending).exists()


# Assignment ----------------------------------------------------------------------------------
def test_assign_ticket_to_a_member_of_its_store(agent, supervisor):
    ticket = TicketFactory(store=agent.stores.get())
    ticket_assign(ticket=ticket, assignee=agent, actor=supervisor, reason="red queue")
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    entry = audit_entries(ticket).get()
    assert (entry.action, entry.field, entry.from_value, entry.to_value) == ("assign", "assignee", "", "agent")


def test_assign_ticket_to_another_store_agent_is_refused(supervisor, other_agent):
    ticket = TicketFactory(store=supervisor.stores.get())
    with pytest.raises(ValidationError) as info:
        ticket_assign(ticket=ticket, assignee=other_agent, actor=supervisor)
    assert info.value.message_dict == {"assignee": ["other-agent does not work for store ae-main."]}
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not audit_entries(ticket).exists()


def test_admin_role_may_be_assigned_anywhere(supervisor, role_admin):
    ticket = TicketFactory(store=supervisor.stores.get())
    ticket_assign(ticket=ticket, assignee=role_admin, actor=supervisor)
    assert Ticket.objects.get(pk=ticket.pk).assignee == role_admin
    assert UserFactory._meta.model.objects.get(pk=role_admin.pk).stores.count() == 0
