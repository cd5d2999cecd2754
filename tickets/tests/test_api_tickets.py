"""The tickets API: scoped reads, and status changes through the same service as the
pages, with refused transitions answered 400 by field."""

import pytest

from tickets.choices import TicketStatus
from tickets.models import AuditEntry, Ticket

from .factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def status_url(ticket):
    return f"/api/v1/tickets/{ticket.pk}/status/"


def test_list_shows_only_the_user_stores(agent_client, store, other_store):
    mine, theirs = TicketFactory(store=store), TicketFactory(store=other_store)
    ids = {row["id"] for row in agent_client.get("/api/v1/tickets/").json()["results"]}
    assert mine.pk in ids
    assert theirs.pk not in ids


def test_detail_has_the_thread_and_another_store_is_404(agent_client, store, other_store):
    ticket = TicketFactory(store=store)
    MessageFactory(ticket=ticket, store=store, body="Where is my parcel?")
    body = agent_client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert [m["body"] for m in body["messages"]] == ["Where is my parcel?"]
    assert agent_client.get(f"/api/v1/tickets/{TicketFactory(store=other_store).pk}/").status_code == 404


def test_a_refused_status_change_is_a_400_naming_the_field(agent_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.CLOSED)
    response = agent_client.post(status_url(ticket), {"status": TicketStatus.OPEN}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"status": ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]}
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


def test_an_unknown_status_is_a_400(agent_client, store):
    ticket = TicketFactory(store=store)
    response = agent_client.post(status_url(ticket), {"status": "archived"}, content_type="application/json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_an_allowed_change_is_applied_and_audited(agent_client, agent, store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    response = agent_client.post(status_url(ticket), {"status": TicketStatus.OPEN, "reason": "picked up"},
                                 content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == TicketStatus.OPEN
    entry = AuditEntry.objects.get(object_id=ticket.pk, action="status")
    assert (entry.actor, entry.from_value, entry.to_value, entry.reason) == (agent, "new", "open", "picked up")


def test_another_store_status_change_is_404(agent_client, other_store):
    ticket = TicketFactory(store=other_store)
    response = agent_client.post(status_url(ticket), {"status": TicketStatus.OPEN}, content_type="application/json")
    assert response.status_code == 404
