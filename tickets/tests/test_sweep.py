"""The deadline sweep, under frozen time: every clock at its boundaries, the alert
ladder, catch-up after downtime, idempotency, the consequence of each lapse, policy
revisions, the management command and the poison-pill guard.

Clocks are started through ``clock_start_for``, so their times come from the
AliExpress default policies loaded by the migrations. T0 is Monday 2025-03-10
08:00 UTC, 16:00 in the Shanghai store: inside working hours.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.choices import (
    AlertLevel,
    ClockKind,
    ClockState,
    DisputeOutcome,
    DisputeStatus,
    Priority,
    ProposalParty,
    ProposalStatus,
    RefundReason,
    RefundSource,
    ReturnStatus,
    Role,
    TicketStatus,
)
from tickets.models import Alert, AlertReceipt, AuditEntry, Clock, ClockPolicy, Dispute, Order, Refund, Return, Ticket
from tickets.services import consequences
from tickets.services.clocks import clock_schedule, clock_start_for, clocks_meet, policy_current
from tickets.services.policies import policy_revise
from tickets.services.refunds import refund_record
from tickets.services.sweep import HOLD_AFTER_ERROR, sweep
from tickets.services.tickets import ticket_assign

from .factories import (
    T0,
    DisputeFactory,
    DisputeProposalFactory,
    MessageFactory,
    OrderFactory,
    ReturnFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

# kind: (length, warn before due, supervisors added before due) for a start at T0.
LADDER = {
    ClockKind.DISPUTE_RESPONSE: (24 * H, 4 * H, 2 * H),
    ClockKind.REFUND_DECISION: (5 * D, 1 * D, 12 * H),
    ClockKind.RETURN_SHIPMENT: (10 * D, 2 * D, 1 * D),
    ClockKind.RECEIPT_CONFIRMATION: (30 * D, 5 * D, 60 * H),
    ClockKind.FIRST_RESPONSE: (3 * H, 1 * H, 30 * dt.timedelta(minutes=1)),
    ClockKind.SENSITIVE_ESCALATION: (2 * H, 30 * dt.timedelta(minutes=1), 15 * dt.timedelta(minutes=1)),
}
SILENT = {ClockKind.REFUND_WINDOW: 15 * D, ClockKind.CHARGEBACK_WINDOW: 180 * D}
ALL_KINDS = {**{kind: times[0] for kind, times in LADDER.items()}, **SILENT}


# Helpers ---------------------------------------------------------------------------------
def sweep_at(moment: dt.datetime, **kwargs):
    with time_machine.travel(moment, tick=False):
        return sweep(**kwargs)


def subject_for(kind: str, store, assignee):
    """The object a ``kind`` clock runs on, inside a ticket assigned to ``assignee``."""
    order = OrderFactory(store=store)
    if kind in (ClockKind.REFUND_WINDOW, ClockKind.CHARGEBACK_WINDOW):
        return order
    ticket = TicketFactory(store=store, order=order, assignee=assignee)
    if kind in (ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION):
        return MessageFactory(ticket=ticket)
    dispute = DisputeFactory(store=store, order=order, ticket=ticket)
    if kind == ClockKind.RETURN_SHIPMENT:
        return ReturnFactory(store=store, dispute=dispute)
    if kind == ClockKind.RECEIPT_CONFIRMATION:
        return ReturnFactory(store=store, dispute=dispute, status=ReturnStatus.IN_TRANSIT)
    return dispute


def start(kind: str, store, assignee=None, *, subject=None, at=T0) -> Clock:
    subject = subject or subject_for(kind, store, assignee)
    stake = getattr(subject, "requested_amount", None)
    clock = clock_start_for(kind=kind, subject=subject, started_at=at, actor="test", start_event=f"{kind}.test",
                            amount_at_stake=stake)
    assert clock is not None
    return clock


def ticket_of(clock: Clock) -> Ticket:
    subject = clock.subject
    if isinstance(subject, Ticket):
        return subject
    if isinstance(subject, Return):
        return subject.dispute.ticket
    return Ticket.objects.get(pk=subject.ticket_id)


def recipients(alert: Alert) -> set[str]:
    return set(AlertReceipt.objects.filter(alert=alert).values_list("user__username", flat=True))


def audit_of(obj, **filters):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                     **filters)


def audit_counts() -> Counter:
    """How many audit entries each (object, action, field) has."""
    return Counter(AuditEntry.objects.values_list("content_type_id", "object_id", "action", "field"))


@pytest.fixture
def team(store, agent, supervisor, senior_agent):
    """The agent who owns the tickets, the store's supervisor, and people who must
    not hear of the store's escalations."""
    UserFactory(username="outsider-supervisor", role=Role.SUPERVISOR)  # supervises no store here
    UserFactory(username="retired-supervisor", role=Role.SUPERVISOR, stores=[store], is_active=False)
    return {"agent": agent, "supervisor": supervisor, "senior": senior_agent}


# Every clock at its boundaries ------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(ALL_KINDS))
def test_it_starts_with_the_policy_length(store, agent, kind):
    clock = start(kind, store, agent)
    policy = policy_current(marketplace="aliexpress", kind=kind)
    assert (clock.started_at, clock.due_at) == (T0, T0 + ALL_KINDS[kind])
    assert clock.policy == policy
    assert clock.basis["policy_version"] == policy.version
    if kind in LADDER:
        _, warn, escalate = LADDER[kind]
        assert (clock.warn_at, clock.escalate_at) == (clock.due_at - warn, clock.due_at - escalate)
        assert clock.next_alert_at == clock.warn_at
    else:
        assert (clock.warn_at, clock.escalate_at, clock.next_alert_at) == (None, None, None)


@pytest.mark.parametrize("kind", list(ALL_KINDS))
def test_it_breaches_at_due_time(store, agent, kind):
    clock = start(kind, store, agent)
    due = clock.due_at

    sweep_at(due - S)
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.breached_at is None
    assert not Alert.objects.filter(clock=clock, level=AlertLevel.BREACH).exists()

    result = sweep_at(due)
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == due
    assert result.breached == 1
    assert clock.next_alert_at is None

    sweep_at(due + S)
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, due)


@pytest.mark.parametrize("kind", list(LADDER))
def test_the_breach_alert_is_backdated_and_reaches_assignee_and_supervisors(store, team, kind):
    clock = start(kind, store, team["agent"])
    sweep_at(clock.due_at + 10 * S)
    breach = Alert.objects.get(clock=clock, level=AlertLevel.BREACH)
    assert breach.raised_at == clock.due_at
    assert breach.store == store
    assert recipients(breach) == {"agent", "supervisor"}


@pytest.mark.parametrize("kind", list(LADDER))
def test_it_warns_the_assignee_at_the_warning_time(store, team, kind):
    clock = start(kind, store, team["agent"])

    sweep_at(clock.warn_at - S)
    assert not Alert.objects.filter(clock=clock).exists()

    result = sweep_at(clock.warn_at)
    warning = Alert.objects.get(clock=clock)
    assert (warning.level, warning.raised_at) == (AlertLevel.WARNING, clock.warn_at)
    assert recipients(warning) == {"agent"}
    assert (result.warned, result.escalated, result.alerts) == (1, 0, 1)
    clock.refresh_from_db()
    assert (clock.state, clock.alerted_level, clock.next_alert_at) == (ClockState.RUNNING, 1, clock.escalate_at)

    sweep_at(clock.warn_at + S)
    assert Alert.objects.filter(clock=clock).count() == 1


@pytest.mark.parametrize("kind", list(LADDER))
def test_it_adds_the_store_supervisors_at_the_escalation_time(store, team, kind):
    clock = start(kind, store, team["agent"])
    sweep_at(clock.warn_at)

    sweep_at(clock.escalate_at - S)
    assert list(Alert.objects.filter(clock=clock).values_list("level", flat=True)) == [AlertLevel.WARNING]

    result = sweep_at(clock.escalate_at)
    escalation = Alert.objects.get(clock=clock, level=AlertLevel.ESCALATION)
    assert escalation.raised_at == clock.escalate_at
    # The assignee still hears of it, and the supervisors of this store are added:
    # not a senior agent, not another store's supervisor, not an inactive one.
    assert recipients(escalation) == {"agent", "supervisor"}
    assert (result.warned, result.escalated) == (0, 1)
    clock.refresh_from_db()
    assert (clock.alerted_level, clock.next_alert_at) == (2, None)

    sweep_at(clock.due_at - S)
    assert Alert.objects.filter(clock=clock).count() == 2
    sweep_at(clock.due_at)
    assert sorted(Alert.objects.filter(clock=clock).values_list("level", flat=True)) == [
        AlertLevel.BREACH, AlertLevel.ESCALATION, AlertLevel.WARNING]


def test_an_unassigned_clock_alerts_the_supervisors_from_the_first_step(store, team):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, None)
    sweep_at(clock.warn_at)
    assert recipients(Alert.objects.get(clock=clock)) == {"supervisor"}


def test_a_store_without_supervisors_alerts_the_desk_admins(store, agent):
    UserFactory(username="boss", role=Role.ADMIN)
    UserFactory(username="root", role=Role.AGENT, is_superuser=True)
    UserFactory(username="former-boss", role=Role.ADMIN, is_active=False)
    unassigned = start(ClockKind.DISPUTE_RESPONSE, store, None)
    owned = start(ClockKind.DISPUTE_RESPONSE, store, agent, at=T0 + S)

    sweep_at(owned.warn_at)
    assert recipients(Alert.objects.get(clock=unassigned)) == {"boss", "root"}
    assert recipients(Alert.objects.get(clock=owned)) == {"agent"}  # a warning is the assignee's alone

    sweep_at(owned.due_at)
    assert recipients(Alert.objects.get(clock=owned, level=AlertLevel.BREACH)) == {"agent", "boss", "root"}


@pytest.mark.parametrize("kind", list(SILENT))
def test_a_window_without_alerts_never_warns(store, team, kind):
    clock = start(kind, store, team["agent"])
    sweep_at(clock.due_at - S)
    assert not Alert.objects.filter(clock=clock).exists()


@pytest.mark.parametrize("kind", list(SILENT))
def test_a_closing_buyer_window_raises_no_alert(store, team, kind):
    clock = start(kind, store, team["agent"])
    sweep_at(clock.due_at)
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert not Alert.objects.filter(clock=clock).exists()


def test_a_dispute_linked_to_a_ticket_after_its_clock_started_alerts_the_assignee(store, team):
    dispute = DisputeFactory(store=store, ticket=None)  # synced from the ERP before any conversation
    clock = start(ClockKind.DISPUTE_RESPONSE, store, subject=dispute)
    ticket = TicketFactory(store=store, order=dispute.order, assignee=team["agent"])
    Dispute.objects.filter(pk=dispute.pk).update(ticket=ticket)  # linked later (admin, API)

    sweep_at(clock.due_at)

    clock.refresh_from_db()
    assert clock.owner == team["agent"]
    assert recipients(Alert.objects.get(clock=clock)) == {"agent", "supervisor"}


# Downtime ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(LADDER))
def test_after_downtime_only_the_breach_is_raised(store, team, kind):
    clock = start(kind, store, team["agent"])
    result = sweep_at(clock.due_at + 3 * D)  # beat was down across warning, escalation and due time
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == clock.due_at  # the true time, not when the sweep noticed
    alert = Alert.objects.get(clock=clock)
    assert (alert.level, alert.raised_at) == (AlertLevel.BREACH, clock.due_at)
    assert (result.breached, result.warned, result.escalated, result.alerts) == (1, 0, 0, 1)
    sweep_at(clock.due_at + 3 * D + S)
    assert Alert.objects.filter(clock=clock).count() == 1


@pytest.mark.parametrize("kind", list(LADDER))
def test_after_downtime_past_the_escalation_only_the_escalation_is_raised(store, team, kind):
    clock = start(kind, store, team["agent"])
    sweep_at(clock.due_at - S)
    alert = Alert.objects.get(clock=clock)
    assert (alert.level, alert.raised_at) == (AlertLevel.ESCALATION, clock.escalate_at)
    sweep_at(clock.due_at)
    assert set(Alert.objects.filter(clock=clock).values_list("level", flat=True)) == {
        AlertLevel.ESCALATION, AlertLevel.BREACH}


def test_after_downtime_every_lapsed_clock_is_caught_up_once_in_small_batches(store, agent):
    clocks = [start(ClockKind.DISPUTE_RESPONSE, store, agent, at=T0 + n * H) for n in range(7)]
    result = sweep_at(T0 + 10 * D, batch_size=3)
    assert result.breached == 7
    for clock in clocks:
        clock.refresh_from_db()
        assert (clock.state, clock.breached_at) == (ClockState.BREACHED, clock.due_at)
    assert Alert.objects.count() == 7
    assert Refund.objects.count() == 7


# Idempotency -----------------------------------------------------------------------------
def test_sweeping_twice_changes_nothing_the_second_time(store, team):
    lapsed = start(ClockKind.DISPUTE_RESPONSE, store, team["agent"])
    warning = start(ClockKind.REFUND_DECISION, store, team["agent"], at=T0 - 78 * H)
    moment = lapsed.due_at
    assert warning.warn_at < moment < warning.escalate_at

    first = sweep_at(moment)
    alerts, receipts, audits = Alert.objects.count(), AlertReceipt.objects.count(), audit_counts()
    second = sweep_at(moment)

    assert (first.breached, first.warned, first.alerts) == (1, 1, 2)
    assert (second.breached, second.warned, second.escalated, second.alerts) == (0, 0, 0, 0)
    assert dict(second.consequences) == {}
    assert (Alert.objects.count(), AlertReceipt.objects.count()) == (alerts, receipts)
    assert Refund.objects.count() == 1
    assert audit_counts() == audits
    assert set(audits.values()) == {1}, audits  # one entry per change


def test_a_clock_met_before_the_sweep_stays_met(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    met = clocks_meet(clocks=Clock.objects.filter(pk=clock.pk), actor=agent, reason="replied",
                      at=clock.due_at - S)
    assert met == 1
    sweep_at(clock.due_at + D)
    clock.refresh_from_db()
    assert (clock.state, clock.met_at, clock.breached_at) == (ClockState.MET, clock.due_at - S, None)
    assert not Alert.objects.filter(clock=clock).exists()
    assert not Refund.objects.exists()
    assert Dispute.objects.get(pk=clock.dispute_id).status == DisputeStatus.OPEN


def test_a_reply_after_the_due_time_does_not_undo_the_lapse(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    # The deadline passed before the reply: the marketplace already ruled, so the
    # clock is left to the sweep even if the sweep has not run yet.
    assert clocks_meet(clocks=Clock.objects.filter(pk=clock.pk), actor=agent, reason="late", at=clock.due_at + S) == 0
    sweep_at(clock.due_at + H)
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED


# Consequences ----------------------------------------------------------------------------
def test_a_lapsed_dispute_response_loses_the_dispute(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    dispute = clock.dispute
    dispute.ticket.status = TicketStatus.OPEN
    dispute.ticket.save()
    other = start(ClockKind.REFUND_DECISION, store, subject=dispute)

    result = sweep_at(clock.due_at)

    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.resolved_at) == (DisputeStatus.RESOLVED,
                                                                       DisputeOutcome.BUYER_WON, clock.due_at)
    assert dispute.outcome_note == "No seller response within the dispute-response time."
    refund = Refund.objects.get()
    assert (refund.dispute, refund.order_id, refund.amount) == (dispute, dispute.order_id, Decimal("100.00"))
    assert (refund.reason, refund.source, refund.refunded_at) == (RefundReason.DISPUTE_LOST,
                                                                  RefundSource.CLOCK_LAPSE, clock.due_at)
    assert Order.objects.get(pk=dispute.order_id).refunded_amount == Decimal("100.00")
    ticket = Ticket.objects.get(pk=dispute.ticket_id)
    assert (ticket.status, ticket.priority) == (TicketStatus.ESCALATED, Priority.RED)
    other.refresh_from_db()
    assert other.state == ClockState.CANCELLED  # a decided dispute's other clocks no longer apply
    clock.refresh_from_db()
    assert clock.consequence_applied_at is not None
    assert dict(result.consequences) == {"Dispute response": 1}
    # One audit entry per change, by the sweep.
    assert audit_of(dispute, field="status").get().actor_label == consequences.SWEEP_ACTOR
    assert audit_of(ticket, field="status").get().to_value == TicketStatus.ESCALATED
    assert audit_of(ticket, field="priority").get().to_value == Priority.RED
    order_audit = audit_of(Order.objects.get(pk=dispute.order_id), field="refunded_amount").get()
    assert (order_audit.from_value, order_audit.to_value) == ("0.00", "100.00")
    assert audit_of(clock, action="status").get().to_value == ClockState.BREACHED


@pytest.mark.parametrize(("before", "after"), [(TicketStatus.RESOLVED, TicketStatus.ESCALATED),
                                               (TicketStatus.CLOSED, TicketStatus.CLOSED)])
def test_a_lost_dispute_reopens_its_resolved_ticket_but_a_closed_one_stays_closed(store, agent, before, after):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    Ticket.objects.filter(pk=clock.dispute.ticket_id).update(status=before, resolved_at=T0)

    sweep_at(clock.due_at)

    ticket = Ticket.objects.get(pk=clock.dispute.ticket_id)
    assert (ticket.status, ticket.priority) == (after, Priority.RED)
    if after == TicketStatus.ESCALATED:
        assert ticket.resolved_at is None
        entry = audit_of(ticket, field="status").get()
        assert (entry.from_value, entry.to_value) == (TicketStatus.RESOLVED, TicketStatus.ESCALATED)


def test_after_downtime_a_lost_disputes_later_clocks_are_cancelled_when_it_was_lost(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    dispute = clock.dispute
    # The buyer's refund request, due days after the dispute was lost by default.
    request = start(ClockKind.REFUND_DECISION, store, subject=dispute, at=T0 + 2 * H)

    sweep_at(T0 + 10 * D)  # beat was down past both due times

    request.refresh_from_db()
    assert (request.state, request.cancelled_at) == (ClockState.CANCELLED, clock.due_at)
    assert list(Alert.objects.values_list("clock_id", "level")) == [(clock.pk, AlertLevel.BREACH)]
    assert Refund.objects.count() == 1


def test_the_lost_dispute_refund_is_capped_at_what_is_still_refundable(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    order = clock.dispute.order
    refund_record(order=order, amount=Decimal("80.00"), reason=RefundReason.GOODWILL, actor=agent)

    sweep_at(clock.due_at)

    lapse = Refund.objects.get(source=RefundSource.CLOCK_LAPSE)
    assert lapse.amount == Decimal("20.00")
    order.refresh_from_db()
    assert order.refunded_amount == order.total


def test_a_lapsed_refund_decision_refunds_the_buyers_pending_offer(store, agent):
    clock = start(ClockKind.REFUND_DECISION, store, agent)
    offer = DisputeProposalFactory(dispute=clock.dispute, party=ProposalParty.BUYER, amount=Decimal("35.50"))

    sweep_at(clock.due_at)

    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.refunded_at) == (Decimal("35.50"), RefundReason.REFUND_REQUEST,
                                                                  clock.due_at)
    offer.refresh_from_db()
    assert offer.status == ProposalStatus.ACCEPTED
    dispute = Dispute.objects.get(pk=clock.dispute_id)
    assert (dispute.status, dispute.outcome) == (DisputeStatus.RESOLVED, DisputeOutcome.BUYER_WON)


def test_a_lapsed_refund_decision_without_an_offer_refunds_the_request(store, agent):
    dispute = subject_for(ClockKind.REFUND_DECISION, store, agent)
    dispute.requested_amount = Decimal("60.00")
    dispute.save()
    clock = start(ClockKind.REFUND_DECISION, store, subject=dispute)
    sweep_at(clock.due_at)
    assert Refund.objects.get().amount == Decimal("60.00")


def test_a_lapsed_return_shipment_closes_the_return_for_the_seller(store, agent):
    clock = start(ClockKind.RETURN_SHIPMENT, store, agent)

    sweep_at(clock.due_at)

    ret = Return.objects.get(pk=clock.return_request_id)
    assert (ret.status, ret.closed_at) == (ReturnStatus.LAPSED, clock.due_at)
    assert (ret.dispute.status, ret.dispute.outcome) == (DisputeStatus.RESOLVED, DisputeOutcome.SELLER_WON)
    assert not Refund.objects.exists()  # the money is released to the seller
    assert audit_of(ret, field="status").get().to_value == ReturnStatus.LAPSED


def test_a_lapsed_receipt_confirmation_refunds_the_buyer(store, agent):
    clock = start(ClockKind.RECEIPT_CONFIRMATION, store, agent)
    ret = clock.return_request
    DisputeProposalFactory(dispute=ret.dispute, party=ProposalParty.SELLER, amount=Decimal("70.00"),
                           status=ProposalStatus.ACCEPTED)

    sweep_at(clock.due_at)

    ret.refresh_from_db()
    assert (ret.status, ret.received_at, ret.refunded_at) == (ReturnStatus.REFUNDED, clock.due_at, clock.due_at)
    refund = Refund.objects.get()
    assert (refund.amount, refund.return_request, refund.reason) == (Decimal("70.00"), ret,
                                                                     RefundReason.RETURN_RECEIVED)
    assert ret.dispute.status == DisputeStatus.RESOLVED


@pytest.mark.parametrize("kind", [ClockKind.RETURN_SHIPMENT, ClockKind.RECEIPT_CONFIRMATION])
def test_a_dispute_decided_by_a_lapsed_return_is_resolved_at_the_due_time(store, agent, kind):
    clock = start(kind, store, agent)
    sweep_at(clock.due_at + H)
    dispute = Dispute.objects.get(pk=clock.return_request.dispute_id)
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.resolved_at == clock.due_at


@pytest.mark.parametrize("kind", [ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION])
def test_a_lapsed_service_clock_turns_the_ticket_red_and_counts_against_its_owner(store, agent, senior_agent, kind):
    clock = start(kind, store, agent)
    ticket = ticket_of(clock)
    # Reassigned before the lapse: the lapse counts against whoever owned it then.
    Ticket.objects.filter(pk=ticket.pk).update(assignee=senior_agent)

    result = sweep_at(clock.due_at)

    clock.refresh_from_db()
    assert clock.owner == senior_agent
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == (Priority.RED, TicketStatus.NEW)
    assert audit_of(ticket, field="priority").get().from_value == Priority.BLUE
    assert dict(result.consequences) == {ClockKind(kind).label: 1}
    assert not Refund.objects.exists()


def test_a_lapsed_first_response_clock_stored_without_its_ticket_turns_the_messages_ticket_red(store, agent):
    clock = start(ClockKind.FIRST_RESPONSE, store, agent)
    ticket = ticket_of(clock)
    Clock.objects.filter(pk=clock.pk).update(ticket=None)  # a row written before clocks kept their ticket

    sweep_at(clock.due_at)

    ticket.refresh_from_db()
    assert ticket.priority == Priority.RED
    clock.refresh_from_db()
    assert (clock.ticket_id, clock.owner) == (ticket.pk, agent)


@pytest.mark.parametrize("first_owner", ["agent", None])
def test_a_lapse_swept_late_counts_against_who_held_the_ticket_at_the_due_time(store, agent, senior_agent,
                                                                               supervisor, first_owner):
    owner = agent if first_owner else None
    clock = start(ClockKind.FIRST_RESPONSE, store, owner)
    ticket = ticket_of(clock)
    # Beat was down: the ticket changed hands twice after the due time, before the sweep.
    with time_machine.travel(clock.due_at + 2 * H, tick=False):
        ticket_assign(ticket=ticket, assignee=senior_agent, actor=supervisor)
    with time_machine.travel(clock.due_at + 3 * H, tick=False):
        ticket_assign(ticket=ticket, assignee=supervisor, actor=supervisor)

    sweep_at(clock.due_at + 4 * H)

    clock.refresh_from_db()
    assert clock.owner == owner


def test_a_consequence_leaves_a_dispute_resolved_meanwhile_alone(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    Dispute.objects.filter(pk=clock.dispute_id).update(status=DisputeStatus.RESOLVED,
                                                       outcome=DisputeOutcome.WITHDRAWN, resolved_at=T0 + H)
    sweep_at(clock.due_at)
    dispute = Dispute.objects.get(pk=clock.dispute_id)
    assert dispute.outcome == DisputeOutcome.WITHDRAWN
    assert not Refund.objects.exists()


# Policies -----------------------------------------------------------------------------------
def test_a_policy_revision_does_not_move_running_clocks(store, agent, supervisor):
    old_policy = policy_current(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE)
    running = start(ClockKind.DISPUTE_RESPONSE, store, agent)

    ClockPolicy.objects.filter(pk=old_policy.pk).update(created_at=T0 - 30 * D)
    with time_machine.travel(T0 + H - S, tick=False):  # revised just before the next dispute opens
        new_policy = policy_revise(policy=old_policy, actor=supervisor, length=48 * H, warn_before=8 * H)
    later = start(ClockKind.DISPUTE_RESPONSE, store, agent, at=T0 + H)

    running.refresh_from_db()
    assert (running.due_at, running.warn_at, running.policy_id) == (T0 + 24 * H, T0 + 20 * H, old_policy.pk)
    assert (later.due_at, later.warn_at, later.escalate_at) == (T0 + 49 * H, T0 + 41 * H, T0 + 45 * H)
    assert (later.policy_id, later.basis["policy_version"]) == (new_policy.pk, 2)

    sweep_at(T0 + 24 * H)
    running.refresh_from_db()
    later.refresh_from_db()
    assert (running.state, later.state) == (ClockState.BREACHED, ClockState.RUNNING)


def test_an_elapsed_clock_runs_its_full_length_whatever_zone_its_start_is_given_in():
    # AliExpress reports times in US Pacific; a start handed over in that zone (or in
    # a non-UTC TIME_ZONE by a form or the API) must still give 24 elapsed hours
    # across the change to daylight saving time on 9 March.
    started = dt.datetime(2025, 3, 8, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles"))  # 18:00 UTC
    schedule = clock_schedule(policy=ClockPolicy(length=24 * H, warn_before=4 * H), store=None, started_at=started)
    assert schedule["due_at"] == dt.datetime(2025, 3, 9, 18, 0, tzinfo=dt.UTC)
    assert schedule["warn_at"] == dt.datetime(2025, 3, 9, 14, 0, tzinfo=dt.UTC)


# Operations -----------------------------------------------------------------------------------
def test_the_command_prints_what_the_sweep_did(store, agent):
    lapsed = start(ClockKind.DISPUTE_RESPONSE, store, agent)
    start(ClockKind.REFUND_DECISION, store, agent, at=T0 - 78 * H)  # inside its warning window then
    out = StringIO()
    with time_machine.travel(lapsed.due_at, tick=False):
        call_command("sweep_deadlines", stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("Sweep done: breached 1, warned 1, escalated 0, alerts raised 2, "
                           "consequences: Dispute response 1, held after errors 0; "), line
    assert line.endswith(" SQL statements.")

    out = StringIO()
    with time_machine.travel(lapsed.due_at, tick=False):
        call_command("sweep_deadlines", "--batch-size", "10", stdout=out)
    assert out.getvalue().startswith("Sweep done: breached 0, warned 0, escalated 0, alerts raised 0, "
                                     "consequences: none, held after errors 0; ")


def test_a_clock_that_breaks_the_sweep_is_held_and_the_others_are_swept(store, agent, monkeypatch):
    clocks = [start(ClockKind.DISPUTE_RESPONSE, store, agent, at=T0 + n * S) for n in range(3)]
    service = start(ClockKind.FIRST_RESPONSE, store, agent, at=T0 - 21 * H)
    bad = clocks[1]
    original = consequences.HANDLERS[ClockKind.DISPUTE_RESPONSE]

    def poisoned(clock_ids, applied, audit):
        if bad.pk in clock_ids:
            raise RuntimeError("corrupt dispute")
        return original(clock_ids, applied, audit)

    monkeypatch.setitem(consequences.HANDLERS, ClockKind.DISPUTE_RESPONSE, poisoned)
    now = T0 + 2 * D
    result = sweep_at(now)

    states = {c.pk: c for c in Clock.objects.filter(pk__in=[c.pk for c in [*clocks, service]])}
    assert [states[c.pk].state for c in clocks] == [ClockState.BREACHED, ClockState.RUNNING, ClockState.BREACHED]
    assert states[service.pk].state == ClockState.BREACHED
    assert states[bad.pk].held_until == now + HOLD_AFTER_ERROR
    assert states[bad.pk].breached_at is None
    assert result.held == 1
    assert result.breached == 3
    assert not Alert.objects.filter(clock=bad).exists()  # rolled back with its batch
    assert Refund.objects.count() == 2

    # Held: the next minutes leave it alone; once the hold ends it is tried again.
    assert sweep_at(now + 5 * dt.timedelta(minutes=1)).held == 0
    monkeypatch.setitem(consequences.HANDLERS, ClockKind.DISPUTE_RESPONSE, original)
    again = sweep_at(now + HOLD_AFTER_ERROR)
    bad.refresh_from_db()
    assert (again.breached, bad.state, bad.breached_at) == (1, ClockState.BREACHED, bad.due_at)


def test_the_counts_after_a_poison_pill_match_what_was_written(store, agent, monkeypatch):
    clocks = [start(ClockKind.DISPUTE_RESPONSE, store, agent, at=T0 + n * S) for n in range(3)]
    original = consequences.HANDLERS[ClockKind.DISPUTE_RESPONSE]

    def poisoned(clock_ids, applied, audit):
        if clocks[1].pk in clock_ids:
            raise RuntimeError("corrupt dispute")
        return original(clock_ids, applied, audit)

    monkeypatch.setitem(consequences.HANDLERS, ClockKind.DISPUTE_RESPONSE, poisoned)
    result = sweep_at(T0 + 2 * D)
    assert result.alerts == Alert.objects.count() == 2


def test_a_closing_buyer_window_is_breached_without_consequence(store, agent):
    clock = start(ClockKind.REFUND_WINDOW, store, agent)
    result = sweep_at(clock.due_at)
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, clock.due_at)
    assert dict(result.consequences) == {}
    assert not Refund.objects.exists()
    assert ClockPolicy.objects.filter(pk=clock.policy_id, raises_alerts=False).exists()


def test_a_sweep_that_did_work_looks_once_more_and_an_idle_one_runs_two_statements(store, agent):
    clock = start(ClockKind.DISPUTE_RESPONSE, store, agent)

    def settling_reads(queries) -> int:
        return sum(1 for q in queries if q["sql"].startswith("SELECT id FROM tickets_clock") and "LIMIT 1" in q["sql"])

    with CaptureQueriesContext(connection) as busy:
        sweep_at(clock.due_at)
    with CaptureQueriesContext(connection) as idle:
        result = sweep_at(clock.due_at)
    # The settling reads (one per partial index) mark the index entries the batches left
    # dead, so the minute-by-minute sweeps after a catch-up stay as cheap as an idle one.
    assert settling_reads(busy.captured_queries) == 2
    assert settling_reads(idle.captured_queries) == 0
    assert result.statements == 2
