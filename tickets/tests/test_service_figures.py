"""Service figures: first-response and escalation lapses counted against the owner."""

import datetime as dt

import pytest
import time_machine

from tickets.choices import ClockKind, ClockState
from tickets.models import Clock
from tickets.selectors import service_figures
from tickets.services.messages import message_receive, message_reply
from tickets.services.sweep import sweep
from tickets.services.tickets import ticket_assign, ticket_escalate

from .factories import TicketFactory

pytestmark = pytest.mark.django_db
MONDAY_10 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai


def test_a_lapse_counts_against_the_assignee_and_a_reply_for_them(store, agent, supervisor):
    answered = TicketFactory(store=store, assignee=agent)
    ignored = TicketFactory(store=store, assignee=agent)
    with time_machine.travel(MONDAY_10, tick=False):
        message_receive(ticket=answered, body="Where is my order?", sent_at=MONDAY_10, actor="buyer")
        message_receive(ticket=ignored, body="Where is my order?", sent_at=MONDAY_10, actor="buyer")
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        message_reply(ticket=answered, author=agent, body="It ships today, tracking LP123.")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False):
        sweep()
    lapsed = Clock.objects.get(kind=ClockKind.FIRST_RESPONSE, message__ticket=ignored)
    assert (lapsed.state, lapsed.owner) == (ClockState.BREACHED, agent)
    figures = service_figures(supervisor, since=MONDAY_10 - dt.timedelta(days=1))
    assert figures == [{"store": store.code, "owner": agent.username, "met": 1, "lapsed": 1, "lapse_rate": 0.5}]


def test_a_met_clock_stays_with_who_met_it_after_the_ticket_changes_hands(store, agent, senior_agent, supervisor):
    ticket = TicketFactory(store=store, assignee=agent)
    platform = TicketFactory(store=store, assignee=agent)
    with time_machine.travel(MONDAY_10, tick=False):
        message_receive(ticket=ticket, body="Where is my order?", sent_at=MONDAY_10, actor="buyer")
        message_receive(ticket=platform, body="Where is my order?", sent_at=MONDAY_10, actor="buyer")
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        message_reply(ticket=ticket, author=agent, body="It ships today, tracking LP123.")
        # Answered on the platform and reported by the ERP: it counts for whoever held the ticket.
        message_reply(ticket=platform, author=None, body="It ships today.", actor="api:erp",
                      sent_at=MONDAY_10 + dt.timedelta(minutes=30), external_id="platform-reply-1")
        ticket_escalate(ticket=ticket, to=senior_agent, actor=agent, reason="Wants a manager.")
        ticket_assign(ticket=platform, assignee=senior_agent, actor=supervisor)

    figures = service_figures(supervisor, since=MONDAY_10 - dt.timedelta(days=1))

    assert figures == [{"store": store.code, "owner": agent.username, "met": 2, "lapsed": 0, "lapse_rate": 0.0}]


def test_another_store_is_not_counted(store, other_store, agent, supervisor):
    ticket = TicketFactory(store=other_store)
    with time_machine.travel(MONDAY_10, tick=False):
        message_receive(ticket=ticket, body="Hello?", sent_at=MONDAY_10, actor="buyer")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=2), tick=False):
        sweep()
    assert service_figures(agent, since=MONDAY_10 - dt.timedelta(days=1)) == []


def test_the_api_gives_the_figures_and_refuses_a_bad_window(client, store, agent, supervisor):
    client.force_login(supervisor)
    ticket = TicketFactory(store=store, assignee=agent)
    with time_machine.travel(MONDAY_10, tick=False):
        message_receive(ticket=ticket, body="Where is my order?", sent_at=MONDAY_10, actor="buyer")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False):
        sweep()
        body = client.get("/api/v1/service-figures/?days=7").json()
        assert body["rows"] == [{"store": store.code, "owner": agent.username, "met": 0, "lapsed": 1,
                                 "lapse_rate": 1.0}]
        response = client.get("/api/v1/service-figures/?days=0")
    assert response.status_code == 400
    assert "days" in response.json()


def test_the_home_page_shows_the_figures_to_supervisors_only(client, store, agent, supervisor):
    client.force_login(supervisor)
    assert "Service clocks, last 7 days" in client.get("/").content.decode()
    client.force_login(agent)
    assert "Service clocks, last 7 days" not in client.get("/").content.decode()
