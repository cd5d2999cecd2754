"""Two sweepers at once, and a clock met in the instant it is swept (PostgreSQL).

Two threads, each with its own connection, start together on the same clocks. Row
locks with SKIP LOCKED, conditional updates and the (clock, level) unique constraint
must leave exactly one breach per lapsed clock, one warning per clock in its warning
window, each consequence once and each audit entry once. A sweeper never raises
here: an error would be swallowed by the poison-pill guard, so ``held`` must stay 0.
"""

import datetime as dt
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.models import F

from tickets.choices import AlertLevel, ClockKind, ClockState, DisputeStatus
from tickets.models import Alert, AlertReceipt, AuditEntry, Clock, Dispute, Order, Refund, Ticket
from tickets.services.clocks import clocks_meet
from tickets.services.sweep import sweep
from tickets.tasks import deliver_alerts

from .factories import T0, BuyerFactory, DisputeFactory, OrderFactory, TicketFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweepers need PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

H = dt.timedelta(hours=1)
NOW = T0 + 2 * dt.timedelta(days=1)


def disputes_with_clocks(store, assignee, count: int, *, due_at, prefix: str = "C") -> list[Clock]:
    """``count`` open disputes, each in its own order and assigned ticket, each with a
    running 24-hour dispute-response clock (warning 4 h, supervisors 2 h before due).
    Written in bulk: the factories would take minutes for this many."""
    buyer = BuyerFactory(store=store)
    orders = Order.objects.bulk_create([
        OrderFactory.build(store=store, buyer=buyer, order_number=f"{prefix}O{n:06d}") for n in range(count)])
    tickets = Ticket.objects.bulk_create([
        TicketFactory.build(store=store, order=order, buyer=buyer, assignee=assignee) for order in orders])
    disputes = Dispute.objects.bulk_create([
        DisputeFactory.build(store=store, order=order, ticket=ticket, external_id=f"{prefix}D{n:06d}")
        for n, (order, ticket) in enumerate(zip(orders, tickets, strict=True))])
    clocks = []
    for n, dispute in enumerate(disputes):
        due = due_at(n)
        clocks.append(Clock(
            store=store, kind=ClockKind.DISPUTE_RESPONSE, dispute=dispute, ticket_id=dispute.ticket_id,
            subject_key=f"dispute:{dispute.pk}", started_at=due - 24 * H, due_at=due, warn_at=due - 4 * H,
            escalate_at=due - 2 * H, next_alert_at=due - 4 * H, amount_at_stake=dispute.requested_amount))
    return Clock.objects.bulk_create(clocks)


def run_together(*targets):
    """Run the callables in threads released at the same moment; re-raise any error."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=30)
            target()
        except Exception as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    assert errors == []


@pytest.fixture
def scheduled(monkeypatch):
    """The alert ids handed to the delivery task after each sweep transaction commits
    (recorded instead of sent to the broker)."""
    chunks = []
    lock = threading.Lock()

    def record(alert_ids):
        with lock:
            chunks.append(list(alert_ids))

    monkeypatch.setattr(deliver_alerts, "delay", record)
    return chunks


def clock_audit_counts() -> Counter:
    content_type = ContentType.objects.get_for_model(Clock)
    return Counter(AuditEntry.objects.filter(content_type=content_type).values_list("object_id", "to_value"))


def test_two_concurrent_sweeps_raise_each_alert_and_consequence_once(store, agent, supervisor, scheduled):
    lapsed = disputes_with_clocks(store, agent, 300, due_at=lambda n: NOW - (n + 1) * dt.timedelta(seconds=7))
    # Due in 3 h: past the warning (4 h before), not yet at the escalation (2 h before).
    warned = disputes_with_clocks(store, agent, 300, due_at=lambda n: NOW + 3 * H, prefix="W")
    results = []

    def sweeper():
        results.append(sweep(now=NOW, batch_size=25))

    run_together(sweeper, sweeper)

    assert sum(r.held for r in results) == 0
    assert sum(r.breached for r in results) == 300
    assert sum(r.warned for r in results) == 300
    assert sum(r.escalated for r in results) == 0
    assert sum(r.alerts for r in results) == 600
    assert sum(sum(r.consequences.values()) for r in results) == 300

    lapsed_ids, warned_ids = {c.pk for c in lapsed}, {c.pk for c in warned}
    states = dict(Clock.objects.values_list("pk", "state"))
    assert {pk for pk, state in states.items() if state == ClockState.BREACHED} == lapsed_ids
    assert {pk for pk, state in states.items() if state == ClockState.RUNNING} == warned_ids
    assert not Clock.objects.filter(pk__in=lapsed_ids).exclude(breached_at=F("due_at")).exists()

    breach = Counter(Alert.objects.filter(level=AlertLevel.BREACH).values_list("clock_id", flat=True))
    warning = Counter(Alert.objects.filter(level=AlertLevel.WARNING).values_list("clock_id", flat=True))
    assert breach == Counter(lapsed_ids)
    assert warning == Counter(warned_ids)
    assert Alert.objects.count() == 600
    # Breaches reach the assignee and the supervisor, warnings the assignee only.
    assert AlertReceipt.objects.filter(alert__level=AlertLevel.BREACH).count() == 600
    assert AlertReceipt.objects.filter(alert__level=AlertLevel.WARNING, user=agent).count() == 300
    # Each alert handed to delivery exactly once, after its transaction committed.
    assert Counter(pk for chunk in scheduled for pk in chunk) == Counter(Alert.objects.values_list("pk", flat=True))

    # Each consequence once: one refund per lost dispute, never above the order total.
    assert Counter(Refund.objects.values_list("dispute_id", flat=True)) == Counter(
        Clock.objects.filter(pk__in=lapsed_ids).values_list("dispute_id", flat=True))
    assert set(Order.objects.filter(disputes__clocks__in=lapsed_ids).values_list("refunded_amount", flat=True)) == {
        Decimal("100.00")}
    assert Dispute.objects.filter(status=DisputeStatus.RESOLVED).count() == 300

    # Audit entries not doubled: one per clock breached, one per object changed.
    audits = clock_audit_counts()
    assert {pk for (pk, to), n in audits.items() if to == ClockState.BREACHED and n == 1} == lapsed_ids
    assert set(audits.values()) == {1}
    per_object = Counter(AuditEntry.objects.exclude(content_type=ContentType.objects.get_for_model(Clock))
                         .values_list("content_type_id", "object_id", "field"))
    assert set(per_object.values()) == {1}
    assert len(per_object) == 300 * 4  # dispute status, order refunded total, ticket priority and status


def test_a_clock_met_while_it_is_swept_ends_in_exactly_one_state(store, agent, supervisor, scheduled):
    clocks = disputes_with_clocks(store, agent, 120, due_at=lambda n: NOW)
    ids = [c.pk for c in clocks]

    def sweeper():
        sweep(now=NOW, batch_size=2)

    def replier():
        # The seller's replies arrive one by one, at the due instant, from the other end.
        for pk in reversed(ids):
            clocks_meet(clocks=Clock.objects.filter(pk=pk), actor="api:erp-main", reason="replied", at=NOW)

    run_together(sweeper, replier)

    audits = clock_audit_counts()
    outcomes = Counter()
    for clock in Clock.objects.filter(pk__in=ids).select_related("dispute"):
        outcomes[clock.state] += 1
        alerts = list(Alert.objects.filter(clock=clock).values_list("level", flat=True))
        refunds = Refund.objects.filter(dispute=clock.dispute_id).count()
        if clock.state == ClockState.MET:
            assert (clock.met_at, clock.breached_at) == (NOW, None)
            assert (alerts, refunds, clock.dispute.status) == ([], 0, DisputeStatus.OPEN)
            assert audits[(clock.pk, ClockState.MET)] == 1
            assert audits[(clock.pk, ClockState.BREACHED)] == 0
        else:
            assert clock.state == ClockState.BREACHED
            assert (clock.breached_at, clock.met_at) == (NOW, None)
            assert (alerts, refunds, clock.dispute.status) == ([AlertLevel.BREACH], 1, DisputeStatus.RESOLVED)
            assert audits[(clock.pk, ClockState.BREACHED)] == 1
            assert audits[(clock.pk, ClockState.MET)] == 0
    assert sum(outcomes.values()) == 120
