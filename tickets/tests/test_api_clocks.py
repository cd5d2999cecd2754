"""The clocks and alerts API: each clock with its consequence and explanation,
filtered by the queue's FilterSet, ranked by due time or loss behind a cursor;
the caller's alerts with their read/acknowledged flags, and acknowledging one."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from tickets.choices import ClockKind, ClockState
from tickets.models import Alert, AuditEntry
from tickets.services.clocks import alert_text, clock_explanation, clock_start_for, lapse_consequence
from tickets.services.rates import rate_set

from .factories import (
    T0,
    AlertReceiptFactory,
    ClockFactory,
    DisputeFactory,
    MessageFactory,
    OrderFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLOCKS = "/api/v1/clocks/"
ALERTS = "/api/v1/alerts/"
# Session, user, then the page's rows (the cursor needs no COUNT).
CLOCK_LIST_QUERIES = 3
# Session, user, then the page's rows.
ALERT_LIST_QUERIES = 3


def hours(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=n)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url, params) -> list[int]:
    """Every id of a cursor-paginated list, following ``next`` links."""
    seen = []
    response = client.get(url, params)
    while True:
        seen += ids(response)
        following = response.json()["next"]
        if not following:
            return seen
        response = client.get(following)


def acknowledgements(alert):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Alert), object_id=alert.pk,
                                     action="acknowledge")


# Anonymous callers -------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "url"), [
    ("get", CLOCKS), ("get", f"{CLOCKS}1/"), ("get", ALERTS), ("post", f"{ALERTS}1/acknowledge/"),
])
def test_anonymous_callers_are_refused(client, method, url):
    # API key authentication comes first and offers its challenge (Bearer): a 401, not a 403.
    response = getattr(client, method)(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


# Clocks ---------------------------------------------------------------------------------------------
def test_clock_fields(agent_client, store):
    owner = UserFactory(username="wang.fang", stores=[store])
    ticket = TicketFactory(store=store)
    dispute = DisputeFactory(store=store, order=ticket.order, ticket=ticket, requested_amount=Decimal("12.50"))
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="test",
                            start_event="dispute.opened_at", amount_at_stake=Decimal("12.50"), currency="USD")
    clock.owner = owner
    clock.save()

    row = agent_client.get(f"{CLOCKS}{clock.pk}/").json()
    assert row == {
        "id": clock.pk,
        "store": "ae-main",
        "kind": "dispute_response",
        "state": "running",
        "subject": f"dispute:{dispute.pk}", "subject_label": f"dispute {dispute.external_id}",
        "ticket": ticket.pk,
        "started_at": "2025-03-10T08:00:00Z",
        "due_at": "2025-03-11T08:00:00Z",
        "warn_at": row["warn_at"],
        "escalate_at": row["escalate_at"],
        "met_at": None,
        "breached_at": None,
        "cancelled_at": None,
        "amount_at_stake": "12.50",
        "currency": "USD",
        "seller_loss": "12.50",
        "seller_loss_currency": "USD",
        "consequence": lapse_consequence(clock),
        "explanation": clock_explanation(clock),
        "basis": clock.basis,
        "policy_version": clock.policy.version,
        "owner": "wang.fang",
        "updated_at": row["updated_at"],
    }
    assert row["updated_at"].endswith("Z")
    assert "USD 12.50" in row["consequence"]
    assert row["basis"]["start_event"] == "dispute.opened_at"


def test_another_store_clock_is_not_found(agent_client, other_store):
    clock = ClockFactory(store=other_store)
    assert agent_client.get(f"{CLOCKS}{clock.pk}/").status_code == 404
    assert ids(agent_client.get(CLOCKS)) == []


def test_a_finished_clock_is_found_by_id(agent_client, store):
    clock = ClockFactory(store=store, state=ClockState.MET)
    assert agent_client.get(f"{CLOCKS}{clock.pk}/").json()["state"] == "met"


def test_list_shows_running_clocks_by_due_time(agent_client, store):
    later = ClockFactory(store=store, due_at=hours(30))
    sooner = ClockFactory(store=store, due_at=hours(5))
    ClockFactory(store=store, state=ClockState.BREACHED)
    assert ids(agent_client.get(CLOCKS)) == [sooner.pk, later.pk]


def test_list_filters_by_kind_store_and_state(agent_client, agent, store, other_store):
    agent.stores.add(other_store)
    dispute = ClockFactory(store=store)
    first = ClockFactory(store=store, dispute=None, ticket=TicketFactory(store=store), kind=ClockKind.FIRST_RESPONSE)
    theirs = ClockFactory(store=other_store)
    met = ClockFactory(store=store, state=ClockState.MET)

    def listed(**params):
        return set(ids(agent_client.get(CLOCKS, params)))

    assert listed() == {dispute.pk, first.pk, theirs.pk}
    assert listed(kind="first_response") == {first.pk}
    assert listed(store="ae-other") == {theirs.pk}
    assert listed(state="met") == {met.pk}
    assert listed(state="", store="ae-main") == {dispute.pk, first.pk, met.pk}


@pytest.mark.parametrize(("params", "field"), [
    ({"store": "ae-other"}, "store"), ({"kind": "coffee_break"}, "kind"), ({"order": "age"}, "order"),
])
def test_bad_filters_are_a_400(agent_client, other_store, params, field):
    response = agent_client.get(CLOCKS, params)
    assert response.status_code == 400
    assert field in response.json()


def buyer_deadline(store, **kwargs):
    """A refund window: the buyer's deadline, whose lapse costs the seller nothing."""
    return ClockFactory(store=store, dispute=None, order=OrderFactory(store=store), kind=ClockKind.REFUND_WINDOW,
                        **kwargs)


def test_order_by_loss_puts_the_seller_biggest_loss_first_and_unknown_last(agent_client, store):
    unknown = ClockFactory(store=store, amount_at_stake=None, due_at=hours(3))
    no_loss = buyer_deadline(store, amount_at_stake=Decimal("999.00"), due_at=hours(2))
    small = ClockFactory(store=store, amount_at_stake=Decimal("9.99"), due_at=hours(4))
    big_late = ClockFactory(store=store, amount_at_stake=Decimal("250.00"), due_at=hours(9))
    big_soon = ClockFactory(store=store, amount_at_stake=Decimal("250.00"), due_at=hours(8))
    response = agent_client.get(CLOCKS, {"order": "loss"})
    assert ids(response) == [big_soon.pk, big_late.pk, small.pk, no_loss.pk, unknown.pk]
    losses = {row["id"]: row["seller_loss"] for row in response.json()["results"]}
    assert (losses[big_soon.pk], losses[no_loss.pk], losses[unknown.pk]) == ("250.00", None, None)


def test_order_by_loss_compares_currencies_through_the_desk_rates(agent_client, store, settings):
    settings.DESK_CURRENCY = "USD"
    rate_set(currency="EUR", rate="1.10", actor="system:test")
    rate_set(currency="JPY", rate="0.0066", actor="system:test")
    yen = ClockFactory(store=store, amount_at_stake=Decimal("5000.00"), currency="JPY", due_at=hours(1))
    dollars = ClockFactory(store=store, amount_at_stake=Decimal("100.00"), currency="USD", due_at=hours(2))
    euros = ClockFactory(store=store, amount_at_stake=Decimal("100.00"), currency="EUR", due_at=hours(3))
    no_rate = ClockFactory(store=store, amount_at_stake=Decimal("900.00"), currency="GBP", due_at=hours(4))

    response = agent_client.get(CLOCKS, {"order": "loss"})

    assert ids(response) == [euros.pk, dollars.pk, yen.pk, no_rate.pk]
    rows = {row["id"]: (row["seller_loss"], row["seller_loss_currency"], row["amount_at_stake"], row["currency"])
            for row in response.json()["results"]}
    assert rows[euros.pk] == ("110.00", "USD", "100.00", "EUR")
    assert rows[yen.pk] == ("33.00", "USD", "5000.00", "JPY")
    assert rows[no_rate.pk] == (None, None, "900.00", "GBP")  # ranked with the unknown amounts
    assert walk(agent_client, CLOCKS, {"order": "loss", "page_size": 1}) == [euros.pk, dollars.pk, yen.pk,
                                                                            no_rate.pk]


def seller_loss(clock):
    if clock.kind == ClockKind.REFUND_WINDOW or clock.amount_at_stake is None:
        return Decimal("-1")
    return clock.amount_at_stake


@pytest.mark.parametrize("order", ["due", "loss"])
def test_cursor_walks_every_clock_once_in_order(agent_client, store, order):
    amounts = [None, Decimal("5.00"), Decimal("5.00"), Decimal("80.00"), None, Decimal("5.00"), Decimal("1.00")]
    clocks = [ClockFactory(store=store, amount_at_stake=amount, due_at=hours(10 - i % 3))
              for i, amount in enumerate(amounts)]
    clocks += [buyer_deadline(store, amount_at_stake=Decimal("500.00"), due_at=hours(9 + i)) for i in range(2)]
    if order == "due":
        expected = sorted(clocks, key=lambda c: (c.due_at, c.pk))
    else:
        expected = sorted(clocks, key=lambda c: (-seller_loss(c), c.due_at, c.pk))
    assert walk(agent_client, CLOCKS, {"order": order, "page_size": 2}) == [c.pk for c in expected]


@pytest.mark.parametrize("rows", [5, 50])
def test_clock_list_queries_do_not_grow_with_rows(agent_client, store, rows, django_assert_max_num_queries):
    for i in range(rows):
        ticket = TicketFactory(store=store)
        ClockFactory(store=store, owner=UserFactory(stores=[store]),
                     **({"dispute": DisputeFactory(store=store, order=ticket.order, ticket=ticket)} if i % 2 else
                        {"dispute": None, "message": MessageFactory(ticket=ticket), "kind": ClockKind.FIRST_RESPONSE}))
    with django_assert_max_num_queries(CLOCK_LIST_QUERIES):
        response = agent_client.get(CLOCKS, {"order": "loss"})
    assert len(ids(response)) == rows
    assert all(row["ticket"] and row["owner"] for row in response.json()["results"])


# Alerts ---------------------------------------------------------------------------------------------
def test_alerts_are_the_caller_own_with_flags(agent_client, agent, supervisor, store, other_store):
    unread = AlertReceiptFactory(user=agent, alert__clock__store=store, alert__raised_at=hours(1))
    read = AlertReceiptFactory(user=agent, alert__clock__store=store, alert__raised_at=hours(2), read_at=T0)
    AlertReceiptFactory(user=supervisor, alert=unread.alert)
    AlertReceiptFactory(user=agent, alert__clock__store=other_store)

    rows = agent_client.get(ALERTS).json()["results"]
    assert [row["id"] for row in rows] == [unread.alert_id, read.alert_id]
    assert rows[0] == {
        "id": unread.alert_id, "clock": unread.alert.clock_id, "clock_kind": "dispute_response",
        "level": "warning", "store": "ae-main", "text": alert_text(unread.alert), "raised_at": "2025-03-10T09:00:00Z",
        "ticket": None, "read": False, "read_at": None, "acknowledged": False, "acknowledged_at": None,
        "updated_at": rows[0]["updated_at"],
    }
    assert datetime.datetime.fromisoformat(rows[0]["updated_at"]) == unread.alert.updated_at
    # Said in words with the platform's ids, not the stored record "... on dispute:12".
    assert rows[0]["text"].startswith("Warning: Dispute response on dispute D")
    assert (rows[1]["read"], rows[1]["acknowledged"]) == (True, False)
    assert ids(agent_client.get(ALERTS, {"unread": "1"})) == [unread.alert_id]


def test_alert_names_its_ticket(agent_client, agent, store):
    ticket = TicketFactory(store=store)
    receipt = AlertReceiptFactory(user=agent, alert__clock=ClockFactory(store=store, dispute=None,
                                                                        message=MessageFactory(ticket=ticket)))
    assert agent_client.get(f"{ALERTS}{receipt.alert_id}/").json()["ticket"] == ticket.pk


def test_acknowledge_through_the_api(agent_client, agent, store):
    receipt = AlertReceiptFactory(user=agent, alert__clock__store=store)
    response = agent_client.post(f"{ALERTS}{receipt.alert_id}/acknowledge/")
    assert response.status_code == 200
    row = response.json()
    assert (row["id"], row["read"], row["acknowledged"]) == (receipt.alert_id, True, True)
    assert acknowledgements(receipt.alert).get().actor == agent

    again = agent_client.post(f"{ALERTS}{receipt.alert_id}/acknowledge/")
    assert again.json()["acknowledged_at"] == row["acknowledged_at"]
    assert acknowledgements(receipt.alert).count() == 1


def test_read_through_the_api(agent_client, agent, store):
    receipt = AlertReceiptFactory(user=agent, alert__clock__store=store)
    row = agent_client.post(f"{ALERTS}{receipt.alert_id}/read/").json()
    assert (row["read"], row["acknowledged"]) == (True, False)


def test_someone_else_alert_cannot_be_acknowledged(agent_client, agent, supervisor, store, other_store):
    colleague = AlertReceiptFactory(user=supervisor, alert__clock__store=store)
    foreign = AlertReceiptFactory(user=agent, alert__clock__store=other_store)
    for receipt in (colleague, foreign):
        assert agent_client.post(f"{ALERTS}{receipt.alert_id}/acknowledge/").status_code == 404
        assert agent_client.get(f"{ALERTS}{receipt.alert_id}/").status_code == 404
    assert not AuditEntry.objects.filter(action="acknowledge").exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_alert_list_queries_do_not_grow_with_rows(agent_client, agent, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ticket = TicketFactory(store=store)
        AlertReceiptFactory(user=agent, alert__clock=ClockFactory(store=store, dispute=None, ticket=ticket))
    with django_assert_max_num_queries(ALERT_LIST_QUERIES):
        response = agent_client.get(ALERTS, {"page_size": 100})
    assert len(ids(response)) == rows
