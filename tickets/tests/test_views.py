"""The agent pages: sign-in, store scoping, the ticket status form, query counts,
and the API's error format."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from tickets.api.errors import exception_handler
from tickets.choices import MessageKind, TicketStatus
from tickets.models import AuditEntry, Ticket
from tickets.services.messages import message_receive

from .factories import ClockFactory, MessageFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

# Each page's queries, whatever it shows: session, user and the nav's unread-alerts
# badge, then one query per list (list: tickets; detail: ticket, thread, clocks,
# history, the disputes' offers waiting for a decision, and the template picker's
# templates, their texts, their effectiveness and the ticket's dispute; home: two clock
# counts, stores, tickets, its unread tile sharing the badge's count).
LIST_QUERIES = 4
DETAIL_QUERIES = 14  # with the disputes panel: the ticket's disputes, then their returns
HOME_QUERIES = 7

# The desk's own paths, written out: the URL names are tested on their own below.
TICKET_LIST = "/tickets/"


def detail_url(ticket) -> str:
    return f"/tickets/{ticket.pk}/"


def ticket_audit(ticket):
    return AuditEntry.objects.filter(content_type__app_label="tickets", content_type__model="ticket",
                                     object_id=ticket.pk)


# Signing in and out ------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", TICKET_LIST])
def test_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_ticket_detail_requires_login(client, store):
    ticket = TicketFactory(store=store)
    url = detail_url(ticket)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    response = client.post(url, {"status": TicketStatus.OPEN})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_login_and_logout(client, agent):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "agent", "password": "pw"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    assert client.get(reverse("logout")).status_code == 405  # logging out takes a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_login_with_a_wrong_password_is_refused(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# Pages ----------------------------------------------------------------------------------------
def test_home_shows_the_agent_own_open_tickets(agent_client, agent, store):
    mine = TicketFactory(store=store, assignee=agent, status=TicketStatus.OPEN, subject="Parcel stuck in Moscow")
    TicketFactory(store=store, assignee=agent, status=TicketStatus.CLOSED, subject="Old closed matter")
    response = agent_client.get(reverse("home"))
    assert response.status_code == 200
    assert list(response.context["my_tickets"]) == [mine]
    assert "Parcel stuck in Moscow" in response.content.decode()


def test_ticket_list_shows_open_tickets_of_the_user_stores(agent_client, store, other_store):
    mine = TicketFactory(store=store, subject="Mine and open")
    TicketFactory(store=store, status=TicketStatus.CLOSED, subject="Mine but closed")
    TicketFactory(store=other_store, subject="Another store's ticket")
    response = agent_client.get(TICKET_LIST)
    assert response.status_code == 200
    assert list(response.context["tickets"]) == [mine]
    page = response.content.decode()
    assert "Mine and open" in page
    assert "Mine but closed" not in page
    assert "Another store" not in page


def test_ticket_detail_shows_the_thread(agent_client, store):
    ticket = TicketFactory(store=store, subject="Wrong colour")
    MessageFactory(ticket=ticket, body="I ordered blue, got red.")
    response = agent_client.get(detail_url(ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Wrong colour" in page
    assert "I ordered blue, got red." in page


def test_ticket_of_another_store_is_not_found(agent_client, other_store):
    ticket = TicketFactory(store=other_store)
    url = detail_url(ticket)
    assert agent_client.get(url).status_code == 404
    assert agent_client.post(url, {"status": TicketStatus.OPEN}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW
    assert not ticket_audit(ticket).exists()


def test_admin_role_opens_any_store_ticket(client, role_admin, other_store):
    ticket = TicketFactory(store=other_store)
    client.force_login(role_admin)
    assert client.get(detail_url(ticket)).status_code == 200


# The status form ------------------------------------------------------------------------------
def test_refused_status_change_answers_400_with_the_reason(agent_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.CLOSED)
    response = agent_client.post(detail_url(ticket),
                                 {"status": TicketStatus.OPEN, "reason": "buyer wrote again"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "status": ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]}
    assert "This ticket cannot go from “Closed” to “Open”. “Closed” is final." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED
    assert not ticket_audit(ticket).exists()


def test_unknown_status_answers_400(agent_client, store):
    ticket = TicketFactory(store=store)
    response = agent_client.post(detail_url(ticket), {"status": "archived"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "status": ["Select a valid choice. archived is not one of the available choices."]}
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_status_change_redirects_and_is_audited(agent_client, agent, store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    url = detail_url(ticket)
    response = agent_client.post(url, {"status": TicketStatus.WAITING_ON_BUYER, "reason": "asked for photos"})
    assert response.status_code == 302  # back to the ticket: see test_desk_url_names_point_at_the_desk
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.WAITING_ON_BUYER
    entry = ticket_audit(ticket).get()
    assert (entry.actor, entry.from_value, entry.to_value, entry.reason) == (
        agent, "new", "waiting_on_buyer", "asked for photos")

    page = agent_client.get(url).content.decode()
    assert "Status changed to “Waiting on buyer”." in page
    assert "asked for photos" in page  # the history


def test_desk_url_names_point_at_the_desk(agent_client, store):
    ticket = TicketFactory(store=store)
    assert reverse("ticket-list") == TICKET_LIST
    assert reverse("ticket-detail", args=[ticket.pk]) == detail_url(ticket)
    assert f'href="{detail_url(ticket)}"' in agent_client.get(TICKET_LIST).content.decode()
    response = agent_client.post(detail_url(ticket), {"status": TicketStatus.OPEN})
    assert response.url == detail_url(ticket)


# Query counts: the pages cost the same for 5 rows as for 50 ---------------------------------
def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [5, 50])
def test_ticket_list_query_count(agent_client, agent, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        TicketFactory(store=store, assignee=agent)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = agent_client.get(TICKET_LIST)
    assert len(response.context["tickets"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_ticket_detail_query_count(agent_client, agent, store, rows, django_assert_max_num_queries):
    ticket = TicketFactory(store=store, assignee=agent)
    ClockFactory(store=store, ticket=ticket, dispute=None)
    for i in range(rows):
        author = UserFactory(stores=[store]) if i % 2 else None
        MessageFactory(ticket=ticket, kind=MessageKind.AGENT_REPLY if author else MessageKind.BUYER, author=author)
    url = detail_url(ticket)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = agent_client.get(url)
    assert len(response.context["thread"]) == rows


@pytest.mark.parametrize("rows", [5, 20])
def test_home_query_count(agent_client, agent, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        TicketFactory(store=store, assignee=agent, status=TicketStatus.OPEN)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = agent_client.get(reverse("home"))
    assert len(response.context["my_tickets"]) == rows


def test_page_queries_do_not_grow_with_rows(agent_client, agent, store):
    ticket = TicketFactory(store=store, assignee=agent)
    MessageFactory(ticket=ticket)
    list_url, ticket_url = TICKET_LIST, detail_url(ticket)
    counts = (_count_queries(agent_client, list_url), _count_queries(agent_client, ticket_url))
    for _ in range(20):
        TicketFactory(store=store, assignee=UserFactory(stores=[store]))
        MessageFactory(ticket=ticket, kind=MessageKind.AGENT_REPLY, author=UserFactory(stores=[store]))
    assert (_count_queries(agent_client, list_url), _count_queries(agent_client, ticket_url)) == counts


# The API's error format -------------------------------------------------------------------------
def test_api_turns_a_django_validation_error_into_a_400_by_field():
    response = exception_handler(ValidationError({"status": ["msg"]}), {})
    assert isinstance(response, Response)
    assert response.status_code == 400
    assert response.data == {"status": ["msg"]}


def test_api_error_keeps_the_service_message():
    from tickets.services.workflow import InvalidTransition

    exc = InvalidTransition({"status": ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]})
    response = exception_handler(exc, {})
    assert (response.status_code, response.data) == (
        400, {"status": ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]})


def test_api_non_field_validation_error():
    response = exception_handler(ValidationError("Nope."), {})
    assert (response.status_code, response.data) == (400, {"non_field_errors": ["Nope."]})


def test_api_other_errors_pass_through_to_drf():
    response = exception_handler(drf_exceptions.NotFound(), {})
    assert response.status_code == 404
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_ticket_history_names_statuses_not_codes(agent_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    response = agent_client.post(detail_url(ticket), {"status": TicketStatus.WAITING_ON_BUYER, "reason": "asked"})
    assert response.status_code == 302
    page = agent_client.get(detail_url(ticket)).content.decode()
    assert "New → Waiting on buyer" in page
    assert "waiting_on_buyer" not in page.split('class="history"')[1]


def test_ticket_history_tells_when_its_clocks_started_and_were_met(agent_client, agent, store):
    ticket = TicketFactory(store=store, assignee=agent)
    message_receive(ticket=ticket, body="Where is my parcel?", sent_at=timezone.now(), actor="buyer")
    agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "It left our warehouse today."})

    history = agent_client.get(detail_url(ticket)).content.decode().split('class="history"')[1]

    assert "First response on buyer message of" in history
    assert "Running → Met" in history
    # The start says when it started and is due, in the store's zone, not a code and a UTC time.
    assert "· started " in history
    assert ", due " in history
    assert "first_response" not in history
    assert "+00:00" not in history
