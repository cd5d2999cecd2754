"""``Idempotency-Key`` on API POSTs: a retry is answered with the first response and
does nothing twice; a key reused for another request, or still in use, is a 409."""

import datetime
import hashlib

import pytest
import time_machine
from django.utils import timezone
from rest_framework.response import Response

from tickets.api import views as api_views
from tickets.api.idempotency import idempotent_requests_purge
from tickets.choices import TicketStatus
from tickets.models import ApiKey, AuditEntry, IdempotentRequest, Ticket
from tickets.services.api_keys import api_key_create, api_key_revoke
from tickets.tasks import purge_idempotency_keys

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw(store, admin_user):
    return api_key_create(name="erp-main", stores=[store], actor=admin_user)[1]


@pytest.fixture
def ticket(store):
    return TicketFactory(store=store, status=TicketStatus.NEW)


def post_status(client, ticket, raw, key="order-1", status=TicketStatus.OPEN, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": status, "reason": "buyer wrote"},
                       content_type="application/json", **headers)


def status_changes(ticket) -> int:
    return AuditEntry.objects.filter(action="status", object_id=str(ticket.pk)).count()


def test_a_retry_gets_the_first_response_and_changes_nothing_twice(client, raw, ticket):
    first = post_status(client, ticket, raw)
    assert first.status_code == 200, first.content
    assert "Idempotent-Replayed" not in first
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.WAITING_ON_BUYER)  # moved on since

    retry = post_status(client, ticket, raw)
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert retry.json()["status"] == TicketStatus.OPEN
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.WAITING_ON_BUYER
    assert status_changes(ticket) == 1


def test_the_caller_is_stored_as_the_key_hash_never_the_key(client, raw, ticket):
    post_status(client, ticket, raw)
    row = IdempotentRequest.objects.get()
    assert row.caller == "key:" + hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in row.caller
    assert (row.method, row.path, row.status_code) == ("POST", f"/api/v1/tickets/{ticket.pk}/status/", 200)


def test_a_refusal_is_replayed_too(client, raw, ticket):
    first = post_status(client, ticket, raw, status="no-such-status")
    assert first.status_code == 400
    retry = post_status(client, ticket, raw, status="no-such-status")
    assert retry.status_code == 400
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_the_same_key_for_another_body_is_a_409(client, raw, ticket):
    assert post_status(client, ticket, raw).status_code == 200
    response = post_status(client, ticket, raw, status=TicketStatus.ESCALATED)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.OPEN


def test_the_same_key_for_another_path_is_a_409(client, raw, store, ticket):
    assert post_status(client, ticket, raw).status_code == 200
    other = TicketFactory(store=store, status=TicketStatus.NEW)
    response = post_status(client, other, raw)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.get(pk=other.pk).status == TicketStatus.NEW


def test_a_retry_while_the_first_is_still_running_is_a_409(client, raw, ticket, monkeypatch):
    real_set_status = api_views.ticket_set_status
    during = {}

    def set_status_while_the_client_retries(**kwargs):
        during["retry"] = post_status(client, ticket, raw)  # the ERP timed out and sent it again
        return real_set_status(**kwargs)

    monkeypatch.setattr(api_views, "ticket_set_status", set_status_while_the_client_retries)
    first = post_status(client, ticket, raw)
    assert first.status_code == 200
    assert during["retry"].status_code == 409
    assert during["retry"].json()["code"] == "idempotency_key_in_use"
    assert during["retry"]["Retry-After"]
    assert status_changes(ticket) == 1
    assert IdempotentRequest.objects.get().status_code == 200


def test_a_claim_abandoned_by_a_dead_process_is_taken_over(client, raw, ticket):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=10)):
        IdempotentRequest.objects.create(
            caller="key:" + hashlib.sha256(raw.encode()).hexdigest(), key="order-1", method="POST",
            path=f"/api/v1/tickets/{ticket.pk}/status/",
            request_hash=hashlib.sha256(b'{"status": "open", "reason": "buyer wrote"}').hexdigest())
    response = post_status(client, ticket, raw)
    assert response.status_code == 200, response.content
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.OPEN
    assert IdempotentRequest.objects.get().status_code == 200


def test_keys_are_per_caller(client, raw, store, admin_user, ticket):
    other_raw = api_key_create(name="erp-two", stores=[store], actor=admin_user)[1]
    assert post_status(client, ticket, raw).status_code == 200
    second = post_status(client, ticket, other_raw, status=TicketStatus.ESCALATED)
    assert second.status_code == 200
    assert "Idempotent-Replayed" not in second
    assert IdempotentRequest.objects.count() == 2


def test_a_session_user_is_a_caller_too(agent_client, agent, ticket):
    url = f"/api/v1/tickets/{ticket.pk}/status/"
    first = agent_client.post(url, {"status": TicketStatus.OPEN}, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="k")
    retry = agent_client.post(url, {"status": TicketStatus.OPEN}, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry["Idempotent-Replayed"] == "true"
    assert IdempotentRequest.objects.get().caller == f"user:{agent.pk}"


@pytest.mark.parametrize("key", ["", "   ", "x" * 201])
def test_a_blank_or_too_long_key_is_a_400_naming_the_header(client, raw, ticket, key):
    response = post_status(client, ticket, raw, key=key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_a_key_of_200_characters_is_fine(client, raw, ticket):
    assert post_status(client, ticket, raw, key="x" * 200).status_code == 200


def test_unauthenticated_requests_pass_through_and_are_not_stored(client, ticket):
    response = post_status(client, ticket, "made-up")
    assert response.status_code == 401
    anonymous = client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "open"},
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert anonymous.status_code == 401
    assert not IdempotentRequest.objects.exists()


def test_a_revoked_key_gets_no_replay(client, raw, ticket, admin_user):
    assert post_status(client, ticket, raw).status_code == 200
    api_key_revoke(key=ApiKey.objects.get(hashed_key=hashlib.sha256(raw.encode()).hexdigest()), actor=admin_user)
    response = post_status(client, ticket, raw)
    assert response.status_code == 401
    assert "Idempotent-Replayed" not in response


@pytest.mark.parametrize("status_code", [403, 429, 500, 503])
def test_answers_a_retry_may_get_past_are_not_kept(client, raw, ticket, monkeypatch, status_code):
    calls = []

    def answer(self, request, pk=None):
        calls.append(pk)
        return Response({"detail": "try again", "code": "x"}, status=status_code)

    # The router dispatches by action name at request time, so the patched method answers.
    monkeypatch.setattr(api_views.TicketViewSet, "status", answer)
    assert post_status(client, ticket, raw).status_code == status_code
    assert not IdempotentRequest.objects.exists()
    post_status(client, ticket, raw)
    assert len(calls) == 2


def test_get_requests_and_other_prefixes_are_ignored(client, raw, ticket):
    response = client.get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_IDEMPOTENCY_KEY="x" * 500)
    assert response.status_code == 200
    assert not IdempotentRequest.objects.exists()


def test_the_purge_deletes_records_older_than_a_day(client, raw, store, ticket):
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=25)):
        post_status(client, ticket, raw, key="old")
    other = TicketFactory(store=store, status=TicketStatus.NEW)
    post_status(client, other, raw, key="new")
    assert purge_idempotency_keys() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert idempotent_requests_purge() == 0


def test_a_response_the_database_cannot_store_is_answered_not_kept(client, raw, ticket):
    """PostgreSQL's jsonb has no NUL character; a refusal echoing one back still gets answered."""
    first = post_status(client, ticket, raw, status="bad\x00status")
    assert first.status_code == 400
    retry = post_status(client, ticket, raw, status="bad\x00status")
    assert retry.status_code == 400
    assert retry.json() == first.json()


def test_the_purge_runs_from_beat(settings):
    from aftersales.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "tickets.purge_idempotency_keys")
    assert entry["options"]["expires"] < 3600  # hourly: a late tick is dropped, the next one purges
    assert "tickets.purge_idempotency_keys" in app.tasks
