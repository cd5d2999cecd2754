"""``seed_demo``: the demo stores and team, their printed logins, clocks of every kind
at every stage consistent with their subjects, and a second run that changes nothing.

Time is frozen: at NOW it is mid-morning in Shanghai and night in Berlin; at NIGHT it
is 01:30 in Shanghai, when no first-response clock of ae-main can be near lapse.
"""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import F, Sum

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeStatus,
    ProposalStatus,
    ReturnStatus,
    Role,
    TicketStatus,
)
from tickets.demo import DEMO_USERS, clock_fate, counted_models, ticket_path
from tickets.models import (
    Alert,
    AlertReceipt,
    AuditEntry,
    Clock,
    ClockPolicy,
    Dispute,
    ExchangeRate,
    Message,
    Order,
    Refund,
    Return,
    Store,
    Ticket,
    User,
)

NOW = dt.datetime(2026, 3, 11, 2, 30, tzinfo=dt.UTC)  # Wednesday 10:30 Beijing, 03:30 Berlin
NIGHT = dt.datetime(2026, 3, 10, 17, 30, tzinfo=dt.UTC)  # Wednesday 01:30 Beijing, Tuesday 18:30 Berlin
STAGES = ("ahead", "near", "lapsed", "breached", "met")


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(orders: int, at: dt.datetime = NOW) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("seed_demo", orders=orders, stdout=out)
    return out.getvalue()


def stage(clock: Clock, now: dt.datetime) -> str:
    if clock.state != ClockState.RUNNING:
        return clock.state
    if clock.due_at <= now:
        return "lapsed"
    return "near" if clock.warn_at <= now else "ahead"


@pytest.mark.django_db
def test_it_creates_the_two_stores_and_prints_every_login():
    output = seed(orders=20)

    ae, amz = Store.objects.get(code="ae-main"), Store.objects.get(code="amz-eu")
    assert (ae.marketplace, ae.timezone, ae.holiday_country, ae.default_language) == (
        "aliexpress", "Asia/Shanghai", "CN", "en")
    assert (amz.marketplace, amz.timezone, amz.holiday_country, amz.working_days, amz.default_language) == (
        "amazon", "Europe/Berlin", "DE", "12345", "de")
    assert ae.holidays.count() == amz.holidays.count() == 2
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {"admin": Role.ADMIN, "supervisor": Role.SUPERVISOR, "agent1": Role.SENIOR_AGENT,
                     "agent2": Role.AGENT, "agent3": Role.AGENT}
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert spec.username in output
        assert spec.password in output
        assert user.check_password(spec.password)
        assert sorted(user.stores.values_list("code", flat=True)) == sorted(spec.stores)
    admin, supervisor = User.objects.get(username="admin"), User.objects.get(username="supervisor")
    assert admin.is_superuser
    assert admin.is_staff
    assert supervisor.is_staff
    assert not supervisor.is_superuser
    assert supervisor.has_perm("tickets.change_ticket")
    assert supervisor.has_perm("templates_lib.add_replytemplate")
    assert supervisor.user_permissions.count() == Permission.objects.filter(
        content_type__app_label__in=["tickets", "templates_lib"]).count()
    assert not User.objects.filter(username__startswith="agent", is_staff=True).exists()


@pytest.mark.django_db
def test_it_fills_the_desk_with_every_workflow():
    seed(orders=20)

    assert Order.objects.count() == 40
    for model in (Ticket, Message, Dispute, Return, Refund, AuditEntry, Alert):
        assert model.objects.exists(), model
    assert set(Clock.objects.values_list("kind", flat=True)) == set(ClockKind.values)
    running = Clock.objects.filter(state=ClockState.RUNNING)
    assert running.filter(due_at__lte=NOW).exists()  # lapsed, waiting for the sweep
    assert running.filter(due_at__gt=NOW, due_at__lte=NOW + dt.timedelta(hours=3), warn_at__lte=NOW).exists()
    assert Clock.objects.filter(state=ClockState.MET, met_at__lte=F("due_at")).exists()
    assert Clock.objects.filter(state=ClockState.BREACHED, breached_at=F("due_at")).exists()
    # Statuses went through the services, so each one left its audit entry.
    for dispute in Dispute.objects.exclude(status=DisputeStatus.OPEN):
        assert AuditEntry.objects.filter(object_id=dispute.pk, content_type__model="dispute",
                                         to_value=dispute.status).exists()
    assert set(Return.objects.values_list("status", flat=True)) >= {
        ReturnStatus.AWAITING_SHIPMENT, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED,
        ReturnStatus.LAPSED}
    assert AlertReceipt.objects.filter(read_at__isnull=False).exists()
    assert len(set(Message.objects.filter(kind="buyer").values_list("language", flat=True))) >= 5


@pytest.mark.django_db
def test_refunds_never_exceed_what_the_buyer_paid():
    seed(orders=40)

    assert not Order.objects.filter(refunded_amount__gt=F("total")).exists()
    for order in Order.objects.annotate(refunded=Sum("refunds__amount")).filter(refunded__isnull=False):
        assert order.refunded == order.refunded_amount <= order.total
    for order in Order.objects.annotate(lines=Sum(F("items__unit_price") * F("items__quantity"))):
        assert order.lines == order.total
    assert set(Order.objects.values_list("currency", "store__code").distinct()) == {
        ("USD", "ae-main"), ("EUR", "amz-eu")}
    for dispute in Dispute.objects.select_related("order"):
        assert dispute.requested_amount <= dispute.order.total


@pytest.mark.django_db
def test_the_buyers_windows_raise_no_alerts_in_the_demo_either():
    seed(orders=40)
    assert Alert.objects.exists()
    for policy in ClockPolicy.objects.filter(is_current=True, raises_alerts=False):
        assert not Alert.objects.filter(clock__kind=policy.kind, store__marketplace=policy.marketplace).exists()
    assert ExchangeRate.objects.filter(currency="EUR").exists()  # the demo's two currencies rank together


@pytest.mark.django_db
def test_a_resolved_dispute_refunds_exactly_the_accepted_offer():
    seed(orders=40)

    for dispute in Dispute.objects.filter(status=DisputeStatus.RESOLVED):
        assert not dispute.proposals.filter(status=ProposalStatus.PENDING).exists()
        accepted = list(dispute.proposals.filter(status=ProposalStatus.ACCEPTED))
        assert len(accepted) <= 1
        refunded = dispute.refunds.aggregate(total=Sum("amount"))["total"]
        if refunded is not None:
            assert accepted[0].amount == refunded, dispute


@pytest.mark.django_db
@pytest.mark.parametrize("now", [NOW, NIGHT], ids=["morning", "night"])
def test_every_clock_kind_reaches_every_stage_from_its_subjects_dates(now):
    seed(orders=40, at=now)

    reached = {}
    for clock in Clock.objects.select_related("store", "dispute", "return_request", "message", "order"):
        reached.setdefault((clock.store.code, clock.kind), set()).add(stage(clock, now))
        start = {
            ClockKind.DISPUTE_RESPONSE: lambda c: c.dispute.opened_at,
            ClockKind.REFUND_DECISION: lambda c: c.dispute.opened_at,
            ClockKind.RETURN_SHIPMENT: lambda c: c.return_request.agreed_at,
            ClockKind.RECEIPT_CONFIRMATION: lambda c: c.return_request.tracking_submitted_at,
            ClockKind.FIRST_RESPONSE: lambda c: c.message.sent_at,
            ClockKind.SENSITIVE_ESCALATION: lambda c: c.message.sent_at,
            ClockKind.REFUND_WINDOW: lambda c: c.order.completed_at,
            ClockKind.CHARGEBACK_WINDOW: lambda c: c.order.paid_at,
        }[clock.kind](clock)
        assert clock.started_at == start, clock
        assert clock.started_at <= now
        if clock.state == ClockState.MET:
            assert clock.started_at <= clock.met_at <= min(clock.due_at, now)
    for code in ("ae-main", "amz-eu"):
        for kind in ClockKind.values:
            expected = set(STAGES) - ({"near"} if kind == ClockKind.FIRST_RESPONSE else set())
            assert expected <= reached[(code, kind)], (code, kind)
    # Just after work ends a first response cannot be near lapse; the other store's can.
    assert any("near" in reached[(code, ClockKind.FIRST_RESPONSE)] for code in ("ae-main", "amz-eu"))
    assert set(Dispute.objects.values_list("status", flat=True)) == set(DisputeStatus.values)
    assert set(Ticket.objects.values_list("status", flat=True)) >= {
        TicketStatus.NEW, TicketStatus.WAITING_ON_BUYER, TicketStatus.RESOLVED, TicketStatus.CLOSED}


@pytest.mark.django_db
def test_running_it_again_changes_no_rows_and_resets_the_passwords():
    first = seed(orders=20)
    counts = {label: model.objects.count() for label, model in counted_models().items()}
    admin_hash = User.objects.get(username="admin").password
    agent = User.objects.get(username="agent1")
    agent.set_password("changed")
    agent.save()

    second = seed(orders=20, at=NOW + dt.timedelta(hours=5))

    assert {label: model.objects.count() for label, model in counted_models().items()} == counts
    assert "already has its demo orders" in second
    assert first.split("Demo logins")[1] == second.split("Demo logins")[1]
    assert User.objects.get(username="agent1").check_password("demo-agent-2026")
    # A password still right keeps its hash, so open sessions survive ``make run``.
    assert User.objects.get(username="admin").password == admin_hash


def test_a_clock_is_met_only_by_an_event_in_time():
    due, now = NOW, NOW + dt.timedelta(hours=2)
    assert clock_fate(due_at=due, now=now, done_at=due) == (ClockState.MET, due)
    assert clock_fate(due_at=due, now=now, done_at=due + dt.timedelta(minutes=1)) == (ClockState.BREACHED, due)
    assert clock_fate(due_at=due, now=now) == (ClockState.RUNNING, None)  # lapsed, left to the sweep
    assert clock_fate(due_at=due, now=now + dt.timedelta(days=1)) == (ClockState.BREACHED, due)
    assert clock_fate(due_at=now + dt.timedelta(hours=1), now=now) == (ClockState.RUNNING, None)
    cancelled = due - dt.timedelta(hours=1)
    assert clock_fate(due_at=due, now=now, cancelled_at=cancelled) == (ClockState.CANCELLED, cancelled)


def test_a_ticket_walks_only_allowed_transitions_in_date_order():
    t = NOW
    events = [(t + dt.timedelta(hours=3), TicketStatus.RESOLVED), (t, TicketStatus.WAITING_ON_BUYER),
              (t + dt.timedelta(hours=1), TicketStatus.ESCALATED), (None, TicketStatus.CLOSED)]
    assert ticket_path(events, start_open=False) == [
        TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED, TicketStatus.RESOLVED]
    assert ticket_path([], start_open=False) == []
    assert ticket_path([], start_open=True) == [TicketStatus.OPEN]
