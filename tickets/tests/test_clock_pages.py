"""The clocks on a ticket's page and the clocks queue: each clock shows its due
time (store zone and UTC), time left, what a lapse costs and why it is due then;
the queue ranks by due time or by money at stake, filtered, in constant queries."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from tickets.choices import ClockKind, ClockState, TicketStatus
from tickets.services.clocks import clock_explanation_lines, clock_start_for, lapse_consequence
from tickets.services.rates import rate_set
from tickets.views import clocks as clock_views

from .factories import (
    T0,
    ClockFactory,
    DisputeFactory,
    MessageFactory,
    OrderFactory,
    ReturnFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/clocks/"
# Session, user, nav badge, the store filter's choice checked and its options listed,
# clocks, their tickets, the newest clock (whether the currencies at stake are known),
# those currencies (when not), and which of them have no rate.
QUEUE_QUERIES = 10
# Session, user, nav badge, ticket, thread, clocks, history, the disputes' offers waiting
# for a decision, and the template picker's templates, their texts, their effectiveness
# and the ticket's dispute.
DETAIL_QUERIES = 14  # with the disputes panel: the ticket's disputes, then their returns


@pytest.fixture
def at_t0():
    """Two hours after T0: factory clocks (due T0 + 24 h) have 22 hours left."""
    with time_machine.travel(T0 + datetime.timedelta(hours=2), tick=False):
        yield


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def ticket_with_clocks(store):
    """A ticket with one clock on each path to it: itself, a message, a dispute and
    the dispute's return."""
    ticket = TicketFactory(store=store)
    dispute = DisputeFactory(store=store, order=ticket.order, ticket=ticket)
    clocks = {
        "ticket": ClockFactory(store=store, dispute=None, ticket=ticket, kind=ClockKind.SENSITIVE_ESCALATION,
                               amount_at_stake=None),
        "message": ClockFactory(store=store, dispute=None, message=MessageFactory(ticket=ticket),
                                kind=ClockKind.FIRST_RESPONSE, amount_at_stake=None),
        "dispute": ClockFactory(store=store, dispute=dispute, amount_at_stake=Decimal("12.50")),
        "return": ClockFactory(store=store, dispute=None, return_request=ReturnFactory(store=store, dispute=dispute),
                               kind=ClockKind.RETURN_SHIPMENT),
    }
    return ticket, clocks


# The ticket page -------------------------------------------------------------------------------
def test_ticket_page_shows_the_clocks_of_its_messages_disputes_and_returns(agent_client, store, at_t0):
    ticket, clocks = ticket_with_clocks(store)
    elsewhere = ClockFactory(store=store)  # a dispute of another ticket
    response = agent_client.get(f"/tickets/{ticket.pk}/")
    assert {c.pk for c in response.context["clocks"]} == {c.pk for c in clocks.values()}
    assert elsewhere.pk not in {c.pk for c in response.context["clocks"]}


def test_ticket_page_explains_each_clock(agent_client, store, at_t0):
    ticket = TicketFactory(store=store)
    dispute = DisputeFactory(store=store, order=ticket.order, ticket=ticket, requested_amount=Decimal("12.50"))
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="test",
                            start_event="dispute.opened_at", amount_at_stake=Decimal("12.50"), currency="USD")
    html = page(agent_client.get(f"/tickets/{ticket.pk}/"))

    assert "Dispute response" in html
    assert '<span class="badge state-running">Running</span>' in html
    # Due T0 + 24 h = 2025-03-11 08:00 UTC, 16:00 in the store's zone (Beijing time).
    assert "2025-03-11 16:00</time> <small class=\"tz\">Asia/Shanghai</small>" in html
    assert "2025-03-11 08:00 UTC" in html
    assert "22\xa0hours left" in html
    consequence = lapse_consequence(clock)
    assert "USD 12.50" in consequence
    assert escape(consequence) in html
    # Whole sentences, one list item each, times in the store's zone.
    lines = clock_explanation_lines(clock)
    assert lines == [
        "AliExpress policy, version 1: 24 h.",
        "Started by “Dispute opened” at 2025-03-10 16:00 (Asia/Shanghai), the time the platform gives.",
        "Elapsed time, counted in UTC; the store's zone is Asia/Shanghai.",
        "Due 2025-03-11 16:00 (Asia/Shanghai).",
    ]
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    assert f'<details><summary>Why is it due then?</summary><ul class="explanation">{items}</ul>' in html
    assert "If it lapses:</span>" in html


def test_ticket_page_shows_an_overdue_clock(agent_client, store):
    ticket = TicketFactory(store=store)
    ClockFactory(store=store, dispute=None, ticket=ticket)
    with time_machine.travel(T0 + datetime.timedelta(hours=27), tick=False):
        html = page(agent_client.get(f"/tickets/{ticket.pk}/"))
    assert "overdue by 3\xa0hours" in html
    assert '<span class="badge state-running late">Running</span>' in html


def test_ticket_page_shows_when_a_clock_was_met(agent_client, store):
    ticket = TicketFactory(store=store)
    ClockFactory(store=store, dispute=None, ticket=ticket, state=ClockState.MET)  # met at T0 + 1 h
    html = page(agent_client.get(f"/tickets/{ticket.pk}/"))
    assert '<span class="badge state-met">Met</span>' in html
    assert "met at 2025-03-10 17:00" in html  # Beijing time


@pytest.mark.parametrize("rows", [2, 20])
def test_ticket_page_queries_do_not_grow_with_clocks(agent_client, store, rows, django_assert_max_num_queries):
    ticket = TicketFactory(store=store)
    for _ in range(rows):
        ClockFactory(store=store, dispute=None, message=MessageFactory(ticket=ticket), kind=ClockKind.FIRST_RESPONSE)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = agent_client.get(f"/tickets/{ticket.pk}/")
    assert len(response.context["clocks"]) == rows


# The queue --------------------------------------------------------------------------------------
def test_queue_requires_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={QUEUE}"


def test_queue_lists_running_clocks_of_the_user_stores_by_due_time(agent_client, store, other_store, at_t0):
    later = ClockFactory(store=store, due_at=T0 + datetime.timedelta(hours=30))
    sooner = ClockFactory(store=store, due_at=T0 + datetime.timedelta(hours=5))
    ClockFactory(store=store, state=ClockState.MET)
    ClockFactory(store=other_store, due_at=T0 + datetime.timedelta(hours=3))
    response = agent_client.get(QUEUE)
    assert [c.pk for c in response.context["clocks"]] == [sooner.pk, later.pk]
    assert "ae-other" not in page(response)


def test_queue_ranks_by_money_at_stake(agent_client, store, at_t0):
    unknown = ClockFactory(store=store, amount_at_stake=None, due_at=T0 + datetime.timedelta(hours=3))
    # The buyer's deadline: its lapse costs the seller nothing, whatever the amount.
    no_loss = ClockFactory(store=store, dispute=None, order=OrderFactory(store=store), kind=ClockKind.REFUND_WINDOW,
                           amount_at_stake=Decimal("999.00"), due_at=T0 + datetime.timedelta(hours=5))
    small = ClockFactory(store=store, amount_at_stake=Decimal("9.99"), due_at=T0 + datetime.timedelta(hours=4))
    big_late = ClockFactory(store=store, amount_at_stake=Decimal("250.00"), due_at=T0 + datetime.timedelta(hours=9))
    big_soon = ClockFactory(store=store, amount_at_stake=Decimal("250.00"), due_at=T0 + datetime.timedelta(hours=8))
    response = agent_client.get(QUEUE, {"order": "loss"})
    assert [c.pk for c in response.context["clocks"]] == [big_soon.pk, big_late.pk, small.pk, unknown.pk, no_loss.pk]
    html = page(response)
    assert "<strong>money at stake</strong>" in html
    assert 'costs the seller nothing.">USD 999.00</span>' in html


def test_queue_ranks_other_currencies_by_their_rate_and_names_those_without_one(agent_client, store, settings,
                                                                                at_t0):
    settings.DESK_CURRENCY = "USD"
    rate_set(currency="EUR", rate="1.10", actor="system:test")
    dollars = ClockFactory(store=store, amount_at_stake=Decimal("100.00"), due_at=T0 + datetime.timedelta(hours=3))
    euros = ClockFactory(store=store, amount_at_stake=Decimal("100.00"), currency="EUR",
                         due_at=T0 + datetime.timedelta(hours=4))
    pounds = ClockFactory(store=store, amount_at_stake=Decimal("900.00"), currency="GBP",
                          due_at=T0 + datetime.timedelta(hours=5))

    response = agent_client.get(QUEUE, {"order": "loss"})

    assert [c.pk for c in response.context["clocks"]] == [euros.pk, dollars.pk, pounds.pk]
    html = page(response)
    assert "EUR 100.00<br><small>≈ USD 110.00</small>" in html
    assert "No exchange rate into USD for GBP" in html
    assert 'GBP 900.00<br><small class="warn">no rate into USD</small>' in html


def test_a_currency_without_a_rate_is_named_even_when_its_clocks_rank_past_the_page(agent_client, store, settings,
                                                                                     monkeypatch, at_t0):
    settings.DESK_CURRENCY = "USD"
    monkeypatch.setattr(clock_views, "QUEUE_LIMIT", 2)
    for hours in (3, 4):
        ClockFactory(store=store, amount_at_stake=Decimal("10.00"), due_at=T0 + datetime.timedelta(hours=hours))
    ClockFactory(store=store, amount_at_stake=Decimal("90000.00"), currency="JPY",
                 due_at=T0 + datetime.timedelta(hours=5))

    response = agent_client.get(QUEUE, {"order": "loss"})

    assert all(c.currency == "USD" for c in response.context["clocks"])
    assert "No exchange rate into USD for JPY" in page(response)


def test_queue_filters_by_kind_store_and_state(agent_client, agent, store, other_store, at_t0):
    agent.stores.add(other_store)
    dispute = ClockFactory(store=store)
    first = ClockFactory(store=store, dispute=None, ticket=TicketFactory(store=store), kind=ClockKind.FIRST_RESPONSE)
    theirs = ClockFactory(store=other_store)
    met = ClockFactory(store=store, state=ClockState.MET)

    def listed(**params):
        return {c.pk for c in agent_client.get(QUEUE, params).context["clocks"]}

    assert listed() == {dispute.pk, first.pk, theirs.pk}
    assert listed(kind=ClockKind.FIRST_RESPONSE) == {first.pk}
    assert listed(store="ae-other") == {theirs.pk}
    assert listed(state=ClockState.MET) == {met.pk}
    assert listed(state="", store="ae-main") == {dispute.pk, first.pk, met.pk}


@pytest.mark.parametrize("value", ["1e400", "2.5", "abc"])
def test_a_due_within_that_is_not_a_whole_number_is_one_clear_error(agent_client, store, value):
    response = agent_client.get(QUEUE, {"due_within": value})
    assert response.status_code == 400
    assert response.context["filter"].errors["due_within"] == ["Enter a whole number."]


def test_queue_refuses_another_store_code(agent_client, store, other_store):
    ClockFactory(store=other_store)
    response = agent_client.get(QUEUE, {"store": "ae-other"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert response.context["clocks"] == []


def test_queue_row_shows_consequence_money_and_assignee(agent_client, store, at_t0):
    assignee = UserFactory(username="li.wei", stores=[store])
    ticket = TicketFactory(store=store, assignee=assignee, subject="Broken lamp")
    clock = ClockFactory(store=store, dispute=DisputeFactory(store=store, order=ticket.order, ticket=ticket),
                         amount_at_stake=Decimal("1234.50"))
    html = page(agent_client.get(QUEUE))
    assert escape(lapse_consequence(clock)) in html
    assert "USD 1,234.50" in html
    assert "li.wei" in html
    assert f'<a href="/tickets/{ticket.pk}/">#{ticket.pk} Broken lamp</a>' in html


def test_queue_stops_at_its_limit(agent_client, store, monkeypatch, at_t0):
    monkeypatch.setattr(clock_views, "QUEUE_LIMIT", 3)
    for _ in range(4):
        ClockFactory(store=store)
    response = agent_client.get(QUEUE)
    assert len(response.context["clocks"]) == 3
    assert response.context["more"] is True
    assert "Showing the first 3 clocks" in page(response)


@pytest.mark.parametrize("rows", [5, 50])
def test_queue_queries_do_not_grow_with_rows(agent_client, store, rows, django_assert_max_num_queries):
    for i in range(rows):
        ticket = TicketFactory(store=store, assignee=UserFactory(stores=[store]))
        if i % 2:
            ClockFactory(store=store, dispute=DisputeFactory(store=store, order=ticket.order, ticket=ticket))
        else:
            ClockFactory(store=store, dispute=None, message=MessageFactory(ticket=ticket),
                         kind=ClockKind.FIRST_RESPONSE)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = agent_client.get(QUEUE, {"order": "loss", "store": "ae-main"})
    assert len(response.context["clocks"]) == rows
    assert all(c.subject_ticket is not None for c in response.context["clocks"])


def test_home_tiles_link_to_the_queue_and_the_inbox(agent_client):
    html = page(agent_client.get("/"))
    assert f'href="{QUEUE}"' in html
    assert f'href="{QUEUE}?state=breached&amp;open=true&amp;seller=true"' in html
    assert f'href="{QUEUE}?due_within=24&amp;seller=true"' in html
    assert 'href="/alerts/?unread=1"' in html


def lapsed(store, *, status, due_at, kind=ClockKind.DISPUTE_RESPONSE):
    ticket = TicketFactory(store=store, status=status)
    return ClockFactory(store=store, dispute=DisputeFactory(store=store, order=ticket.order, ticket=ticket),
                        ticket=ticket, kind=kind, state=ClockState.BREACHED, due_at=due_at, breached_at=due_at)


def test_the_home_tiles_count_what_their_links_list(agent_client, store):
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        open_lapse = lapsed(store, status=TicketStatus.OPEN, due_at=T0)
        lapsed(store, status=TicketStatus.RESOLVED, due_at=T0)  # dealt with
        window = lapsed(store, status=TicketStatus.OPEN, due_at=T0, kind=ClockKind.REFUND_WINDOW)  # the buyer's
        ClockFactory(store=store, due_at=T0 + datetime.timedelta(days=2))  # due, not swept yet
        today = ClockFactory(store=store, due_at=T0 + datetime.timedelta(days=3, hours=5))
        ClockFactory(store=store, due_at=T0 + datetime.timedelta(days=4, hours=5))  # tomorrow

        response = agent_client.get("/")
        assert (response.context["overdue"], response.context["due_today"]) == (1, 1)

        def listed(**params):
            return {c.pk for c in agent_client.get(QUEUE, params).context["clocks"]}

        assert listed(state=ClockState.BREACHED, open="true") == {open_lapse.pk, window.pk}
        assert listed(state=ClockState.BREACHED, open="true", seller="true") == {open_lapse.pk}
        assert listed(due_within=24, seller="true") == {today.pk}


def test_lapsed_clocks_are_listed_latest_first(agent_client, store):
    older = lapsed(store, status=TicketStatus.OPEN, due_at=T0)
    newer = lapsed(store, status=TicketStatus.OPEN, due_at=T0 + datetime.timedelta(hours=5))
    closed = lapsed(store, status=TicketStatus.CLOSED, due_at=T0 + datetime.timedelta(hours=9))

    def listed(**params):
        return [c.pk for c in agent_client.get(QUEUE, {"state": ClockState.BREACHED, **params}).context["clocks"]]

    assert listed() == [closed.pk, newer.pk, older.pk]
    assert listed(open="true") == [newer.pk, older.pk]
    assert listed(open="false") == [closed.pk]
    assert listed(order="due") == [older.pk, newer.pk, closed.pk]


def test_clocks_name_their_subject_by_platform_ids_not_desk_keys(agent_client, store, at_t0):
    ticket, clocks = ticket_with_clocks(store)
    html = page(agent_client.get(f"/tickets/{ticket.pk}/"))
    dispute, ret = clocks["dispute"].dispute, clocks["return"].return_request
    assert f"dispute {dispute.external_id}" in html
    assert f"return {ret.external_id}" in html
    assert "buyer message of " in html
    assert f"dispute:{dispute.pk}<" not in html
    assert f"message:{clocks['message'].message_id}<" not in html
