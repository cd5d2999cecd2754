"""Clock rows: starting, meeting and cancelling, one running clock per kind and
subject, and the partial indexes the sweep relies on."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tickets.choices import ClockKind, ClockState
from tickets.models import AuditEntry, Clock
from tickets.services.clocks import clock_cancel, clock_meet, clock_start

from .factories import T0, DisputeFactory, MessageFactory, OrderFactory, ReturnFactory, TicketFactory

pytestmark = pytest.mark.django_db

DUE = T0 + datetime.timedelta(hours=24)
RUNNING_INDEXES = ("clock_running_due_idx", "clock_running_alert_idx")


def start(subject, actor, kind=ClockKind.DISPUTE_RESPONSE, **kwargs):
    return clock_start(kind=kind, subject=subject, started_at=T0, due_at=DUE, actor=actor, **kwargs)


def clock_audit(clock):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Clock), object_id=clock.pk)


def test_clock_start_creates_a_running_clock_on_the_dispute(agent):
    dispute = DisputeFactory()
    clock = start(dispute, agent, warn_at=DUE - datetime.timedelta(hours=4), amount_at_stake=Decimal("100.00"),
                  basis={"policy": "aliexpress", "hours": 24})

    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.subject_key == f"dispute:{dispute.pk}"
    assert (clock.dispute, clock.subject, clock.store_id) == (dispute, dispute, dispute.store_id)
    assert (clock.started_at, clock.due_at) == (T0, DUE)
    assert (clock.currency, clock.amount_at_stake, clock.basis) == ("USD", Decimal("100.00"),
                                                                    {"policy": "aliexpress", "hours": 24})
    entry = clock_audit(clock).get()
    assert (entry.actor, entry.action, entry.field, entry.to_value) == (agent, "clock_start", "state", "running")
    assert entry.reason == f"dispute_response due {DUE.isoformat()}"


@pytest.mark.parametrize(("make", "field"), [
    (lambda: ReturnFactory(), "return_request"),
    (lambda: MessageFactory(), "message"),
    (lambda: TicketFactory(), "ticket"),
    (lambda: OrderFactory(), "order"),
])
def test_clock_start_on_other_subjects(agent, make, field):
    subject = make()
    clock = start(subject, agent, kind=ClockKind.FIRST_RESPONSE)
    assert clock.subject_key == f"{field}:{subject.pk}"
    assert getattr(clock, field) == subject
    assert clock.store_id == subject.store_id


def test_restarting_the_same_kind_returns_the_running_clock(agent):
    dispute = DisputeFactory()
    first = start(dispute, agent)
    again = clock_start(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0 + datetime.timedelta(hours=1),
                        due_at=DUE + datetime.timedelta(hours=1), actor="api:erp-main")
    assert again.pk == first.pk
    assert again.due_at == DUE  # unchanged: a re-synced event never moves a running deadline
    assert Clock.objects.filter(dispute=dispute).count() == 1
    assert clock_audit(first).count() == 1


def test_another_kind_on_the_same_subject_is_another_clock(agent):
    dispute = DisputeFactory()
    first = start(dispute, agent)
    other = start(dispute, agent, kind=ClockKind.REFUND_DECISION)
    assert other.pk != first.pk
    assert Clock.objects.filter(dispute=dispute, state=ClockState.RUNNING).count() == 2


def test_a_met_clock_can_be_followed_by_a_new_one(agent):
    dispute = DisputeFactory()
    first = start(dispute, agent)
    clock_meet(clock=first, actor=agent)
    second = start(dispute, agent)
    assert second.pk != first.pk
    assert list(Clock.objects.filter(dispute=dispute).order_by("pk").values_list("state", flat=True)) == [
        ClockState.MET, ClockState.RUNNING]


def test_clock_start_refuses_a_due_time_before_the_start(agent):
    dispute = DisputeFactory()
    with pytest.raises(ValidationError) as info:
        clock_start(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0,
                    due_at=T0 - datetime.timedelta(seconds=1), actor=agent)
    assert info.value.message_dict == {"due_at": ["A clock cannot be due before it starts."]}
    assert not Clock.objects.exists()


def test_clock_start_refuses_a_warning_after_the_due_time(agent):
    dispute = DisputeFactory()
    with pytest.raises(ValidationError):
        clock_start(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, due_at=DUE,
                    warn_at=DUE + datetime.timedelta(seconds=1), actor=agent)
    assert not Clock.objects.exists()


def test_clock_meet_records_when(agent):
    clock = start(DisputeFactory(), agent)
    replied = T0 + datetime.timedelta(hours=3, minutes=12, seconds=5)
    clock_meet(clock=clock, actor=agent, reason="replied with tracking", at=replied)
    clock.refresh_from_db()
    assert (clock.state, clock.met_at) == (ClockState.MET, replied)
    entry = clock_audit(clock).get(action="status")
    assert (entry.from_value, entry.to_value, entry.reason) == ("running", "met", "replied with tracking")


def test_clock_meet_defaults_to_now(agent):
    clock = start(DisputeFactory(), agent)
    clock_meet(clock=clock, actor=agent)
    clock.refresh_from_db()
    assert clock.met_at is not None
    assert clock.met_at.tzinfo is not None


def test_clock_cancel(agent):
    clock = start(DisputeFactory(), agent)
    withdrawn = T0 + datetime.timedelta(hours=5)
    clock_cancel(clock=clock, actor="system:erp", reason="dispute withdrawn", at=withdrawn)
    clock.refresh_from_db()
    assert (clock.state, clock.cancelled_at, clock.met_at) == (ClockState.CANCELLED, withdrawn, None)
    entry = clock_audit(clock).get(action="status")
    assert (entry.actor_label, entry.to_value) == ("system:erp", "cancelled")


# The partial indexes ---------------------------------------------------------------------
def test_running_clock_indexes_are_declared_partial():
    indexes = {index.name: index for index in Clock._meta.indexes}
    for name in RUNNING_INDEXES:
        assert name in indexes
        assert indexes[name].condition is not None
    assert indexes["clock_running_due_idx"].fields == ["due_at"]
    assert indexes["clock_running_alert_idx"].fields == ["next_alert_at"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_indexes is PostgreSQL's")
def test_running_clock_indexes_exist_in_postgresql_with_a_where_clause():
    names = (*RUNNING_INDEXES, "clock_one_running_per_subject")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname = ANY(%s)",
                       [Clock._meta.db_table, list(names)])
        found = dict(cursor.fetchall())
    assert set(found) == set(names)
    for name, definition in found.items():
        assert "WHERE" in definition, name
        assert "'running'" in definition, name
    assert found["clock_one_running_per_subject"].startswith("CREATE UNIQUE INDEX")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="sqlite_master is SQLite's")
def test_running_clock_indexes_exist_in_sqlite_with_a_where_clause():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                       [Clock._meta.db_table])
        found = dict(cursor.fetchall())
    for name in (*RUNNING_INDEXES, "clock_one_running_per_subject"):
        assert "WHERE" in found[name], name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_clock_make_one_row():
    dispute = DisputeFactory()
    barrier = threading.Barrier(2)
    started = []

    def worker():
        try:
            barrier.wait(timeout=10)
            started.append(start(dispute, "system:sync").pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(started) == 2
    assert len(set(started)) == 1
    assert Clock.objects.filter(dispute=dispute).count() == 1
