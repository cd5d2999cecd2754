"""Escalating to a senior agent meets the sensitive-message clock, however the desk
gets there: the escalate action on the ticket page and in the API, or a status change
and an assignment (the admin goes through the same services). Internal notes are
written from the page and the API and meet no clock."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tickets.choices import ClockKind, ClockState, MessageKind, Role, TicketStatus
from tickets.models import Clock
from tickets.services.messages import message_receive
from tickets.services.tickets import ESCALATE_TO_SENIOR, ticket_assign, ticket_set_status

from .factories import T0, StoreFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
ERP = "api:erp-main"


@pytest.fixture(autouse=True)
def within_the_two_hours():
    """Escalating meets a clock still running: an hour after the buyer wrote."""
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticket(store, agent):
    return TicketFactory(store=store, assignee=agent, status=TicketStatus.OPEN)


@pytest.fixture
def sensitive(ticket):
    return message_receive(ticket=ticket, body="I will call my lawyer.", sent_at=T0, actor=ERP)


def escalation_clock(message) -> Clock:
    return Clock.objects.get(kind=ClockKind.SENSITIVE_ESCALATION, message=message)


def first_response_clock(message) -> Clock:
    return Clock.objects.get(kind=ClockKind.FIRST_RESPONSE, message=message)


# The rule, whatever the path ----------------------------------------------------------------
def test_a_senior_who_sets_their_ticket_to_escalated_meets_the_clock(ticket, sensitive, senior_agent):
    ticket_assign(ticket=ticket, assignee=senior_agent, actor=senior_agent)
    assert escalation_clock(sensitive).state == ClockState.RUNNING  # assigned, not yet escalated

    ticket_set_status(ticket=ticket, status=TicketStatus.ESCALATED, actor=senior_agent, reason="Lawyer.")

    clock = escalation_clock(sensitive)
    assert (clock.state, clock.met_at) == (ClockState.MET, T0 + dt.timedelta(hours=1))


def test_assigning_an_escalated_ticket_to_a_senior_meets_the_clock(ticket, sensitive, agent, supervisor):
    ticket_set_status(ticket=ticket, status=TicketStatus.ESCALATED, actor=agent)
    assert escalation_clock(sensitive).state == ClockState.RUNNING  # escalated, but still with a plain agent

    ticket_assign(ticket=ticket, assignee=supervisor, actor=agent)

    assert escalation_clock(sensitive).state == ClockState.MET


# The ticket page ------------------------------------------------------------------------------
def test_the_page_offers_the_store_seniors_only(agent_client, ticket, senior_agent, supervisor, agent):
    UserFactory(username="elsewhere", role=Role.SENIOR_AGENT, stores=[StoreFactory()])

    response = agent_client.get(reverse("ticket-detail", args=[ticket.pk]))

    offered = [user.username for user in response.context["escalate_form"].fields["to"].queryset]
    assert offered == ["senior", "supervisor"]


def test_escalating_from_the_page_meets_the_clock(agent_client, ticket, sensitive, senior_agent):
    response = agent_client.post(reverse("ticket-escalate", args=[ticket.pk]),
                                 {"to": senior_agent.pk, "reason": "Legal threat."})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.ESCALATED, senior_agent)
    assert escalation_clock(sensitive).state == ClockState.MET
    assert first_response_clock(sensitive).state == ClockState.RUNNING  # no answer to the buyer


def test_escalating_to_a_plain_agent_from_the_page_is_a_400(agent_client, ticket, sensitive, store):
    plain = UserFactory(role=Role.AGENT, stores=[store])

    response = agent_client.post(reverse("ticket-escalate", args=[ticket.pk]), {"to": plain.pk})

    assert response.status_code == 400
    assert response.context["escalate_form"].errors["to"]
    assert escalation_clock(sensitive).state == ClockState.RUNNING


def test_a_plain_agent_setting_escalated_is_told_the_clock_still_runs(agent_client, ticket, sensitive):
    response = agent_client.post(reverse("ticket-detail", args=[ticket.pk]),
                                 {"status": TicketStatus.ESCALATED, "reason": "Lawyer."}, follow=True)

    html = response.content.decode()
    assert "Status changed to" in html
    assert "escalation clock keeps running until a senior agent holds the ticket" in html
    assert escalation_clock(sensitive).state == ClockState.RUNNING


def test_a_note_from_the_page_is_kept_and_meets_no_clock(agent_client, ticket, sensitive, agent):
    response = agent_client.post(reverse("ticket-note", args=[ticket.pk]), {"body": "Check with the carrier."})

    assert response.status_code == 302
    note = ticket.messages.get(kind=MessageKind.INTERNAL_NOTE)
    assert (note.body, note.author) == ("Check with the carrier.", agent)
    assert first_response_clock(sensitive).state == ClockState.RUNNING


def test_an_empty_note_is_a_400(agent_client, ticket):
    response = agent_client.post(reverse("ticket-note", args=[ticket.pk]), {"body": ""})

    assert response.status_code == 400
    assert response.context["note_form"].errors["body"]
    assert not ticket.messages.exists()


# The API ----------------------------------------------------------------------------------------
@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def test_escalating_through_the_api_meets_the_clock(api, ticket, sensitive, senior_agent):
    response = api.post(reverse("api-ticket-escalate", args=[ticket.pk]), {"to": "senior", "reason": "Lawyer."},
                        format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["assignee"]) == (TicketStatus.ESCALATED, "senior")
    assert escalation_clock(sensitive).state == ClockState.MET


@pytest.mark.parametrize("to", ["nobody", "agent"])
def test_escalating_to_nobody_or_a_plain_agent_is_a_400_on_to(api, ticket, sensitive, to):
    response = api.post(reverse("api-ticket-escalate", args=[ticket.pk]), {"to": to}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["to"]
    if to == "agent":
        assert response.json()["to"] == [str(ESCALATE_TO_SENIOR)]
    assert escalation_clock(sensitive).state == ClockState.RUNNING


def test_a_note_through_the_api(api, ticket, sensitive):
    response = api.post(reverse("api-ticket-note", args=[ticket.pk]), {"body": "Carrier says Tuesday."},
                        format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["author"]) == (MessageKind.INTERNAL_NOTE, "agent")
    assert first_response_clock(sensitive).state == ClockState.RUNNING

    assert api.post(reverse("api-ticket-note", args=[ticket.pk]), {"body": ""}, format="json").status_code == 400


def test_a_sensitive_message_on_a_ticket_a_senior_already_holds_escalated_needs_no_escalation(store, senior_agent):
    ticket = TicketFactory(store=store, assignee=senior_agent, status=TicketStatus.ESCALATED)
    message = message_receive(ticket=ticket, body="My lawyer will call you.", sent_at=T0 + dt.timedelta(minutes=50),
                              actor=ERP)
    clock = escalation_clock(message)
    assert (clock.state, clock.met_at) == (ClockState.MET, message.sent_at)


def test_escalating_to_an_unknown_user_names_them(api, ticket):
    response = api.post(reverse("api-ticket-escalate", args=[ticket.pk]), {"to": "ghost"}, format="json")
    assert response.json() == {"to": ["No active user is named “ghost”."]}


@pytest.mark.parametrize(("status", "code", "after"), [(TicketStatus.RESOLVED, 302, TicketStatus.ESCALATED),
                                                       (TicketStatus.CLOSED, 400, TicketStatus.CLOSED)])
def test_a_resolved_ticket_is_reopened_into_escalated_and_a_closed_one_refused(agent_client, store, agent,
                                                                               senior_agent, status, code, after):
    ticket = TicketFactory(store=store, assignee=agent, status=status)
    response = agent_client.post(reverse("ticket-escalate", args=[ticket.pk]), {"to": senior_agent.pk})
    assert response.status_code == code
    ticket.refresh_from_db()
    assert ticket.status == after
    if code == 400:
        assert response.context["escalate_form"].errors["to"] == ["This ticket is closed; a closed ticket is not "
                                                                  "escalated."]
