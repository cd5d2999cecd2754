"""API keys: created by command or admin and stored only as a hash; a Bearer key reads
and writes only its stores, is audited as ``api:<name>``; a missing, revoked or expired
key is a 401."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tickets.choices import TicketStatus
from tickets.models import ApiKey, AuditEntry
from tickets.services.api_keys import api_key_authenticate, api_key_create, api_key_revoke

from .factories import ClockFactory, TicketFactory

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def key_and_raw(store, admin_user):
    return api_key_create(name="erp-main", stores=[store], actor=admin_user)


@pytest.fixture
def raw(key_and_raw):
    return key_and_raw[1]


# The command ----------------------------------------------------------------------------------------
def test_the_command_prints_a_key_and_stores_only_its_hash(store, other_store):
    out = StringIO()
    call_command("create_api_key", "erp-main", "--store", store.code, "--store", other_store.code, "--admin",
                 "--expires-days", "30", stdout=out, stderr=StringIO())
    printed = out.getvalue().strip()
    assert len(printed) >= 40
    key = ApiKey.objects.get()
    assert key.hashed_key == hashlib.sha256(printed.encode()).hexdigest()
    assert key.prefix == printed[:8]
    assert printed not in {key.name, key.prefix, key.hashed_key}
    assert {s.code for s in key.stores.all()} == {store.code, other_store.code}
    assert key.is_admin
    assert key.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert api_key_authenticate(printed) == key
    assert AuditEntry.objects.get(action="create").actor_label == "system:create_api_key"


def test_an_unknown_store_code_is_an_error_naming_it(store):
    with pytest.raises(CommandError, match="no-such-store"):
        call_command("create_api_key", "erp-main", "--store", store.code, "--store", "no-such-store",
                     stdout=StringIO(), stderr=StringIO())
    assert not ApiKey.objects.exists()


# Reading and writing with a key ------------------------------------------------------------------------
def test_a_key_reads_its_store_tickets_and_clocks_only(client, raw, store, other_store):
    mine, theirs = TicketFactory(store=store), TicketFactory(store=other_store)
    my_clock, their_clock = ClockFactory(store=store), ClockFactory(store=other_store)
    tickets = client.get("/api/v1/tickets/", **bearer(raw))
    assert tickets.status_code == 200
    assert {row["id"] for row in tickets.json()["results"]} == {mine.pk}
    clocks = client.get("/api/v1/clocks/", {"state": ""}, **bearer(raw))
    assert clocks.status_code == 200, clocks.content
    assert {row["id"] for row in clocks.json()["results"]} == {my_clock.pk}
    assert client.get(f"/api/v1/tickets/{mine.pk}/", **bearer(raw)).status_code == 200
    assert client.get(f"/api/v1/tickets/{theirs.pk}/", **bearer(raw)).status_code == 404
    assert client.get(f"/api/v1/clocks/{their_clock.pk}/", **bearer(raw)).status_code == 404
    assert client.get("/api/v1/alerts/", **bearer(raw)).json()["results"] == []


def test_a_status_change_with_a_key_is_audited_as_the_key(client, raw, store, other_store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": TicketStatus.OPEN, "reason": "erp"},
                           content_type="application/json", **bearer(raw))
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(object_id=ticket.pk, action="status")
    assert (entry.actor, entry.actor_label, entry.to_value) == (None, "api:erp-main", "open")
    theirs = TicketFactory(store=other_store, status=TicketStatus.NEW)
    response = client.post(f"/api/v1/tickets/{theirs.pk}/status/", {"status": TicketStatus.OPEN},
                           content_type="application/json", **bearer(raw))
    assert response.status_code == 404


def test_last_used_is_written_at_most_once_a_minute(key_and_raw):
    key, raw = key_and_raw
    assert api_key_authenticate(raw).last_used_at is not None
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    api_key_authenticate(raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api_key_authenticate(raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first - datetime.timedelta(minutes=1)


# Refused callers -------------------------------------------------------------------------------------
def test_no_header_is_a_401_with_the_bearer_challenge(client):
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer not-a-key", "Bearer", "Bearer two words"])
def test_a_bad_key_is_a_401(client, header):
    assert client.get("/api/v1/tickets/", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_revoked_key_is_a_401(client, key_and_raw, admin_user):
    key, raw = key_and_raw
    assert client.get("/api/v1/tickets/", **bearer(raw)).status_code == 200
    api_key_revoke(key=key, actor=admin_user)
    assert client.get("/api/v1/tickets/", **bearer(raw)).status_code == 401
    assert AuditEntry.objects.filter(object_id=key.pk, action="revoke").count() == 1


def test_an_expired_key_is_a_401(client, store, admin_user):
    _, raw = api_key_create(name="old", stores=[store], actor=admin_user,
                            expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/tickets/", **bearer(raw)).status_code == 401


# Admin ------------------------------------------------------------------------------------------------
def test_adding_a_key_in_the_admin_shows_it_once(admin_client, store):
    response = admin_client.post(reverse("admin:tickets_apikey_add"),
                                 {"name": "connector", "stores": [store.pk], "expires_at_0": "", "expires_at_1": ""},
                                 follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="connector")
    shown = [str(m) for m in response.context["messages"] if "connector" in str(m) and key.prefix in str(m)]
    assert shown, [str(m) for m in response.context["messages"]]
    raw = shown[0].split(" is ", 1)[1].split(" ", 1)[0]
    assert api_key_authenticate(raw) == key
    assert LogEntry.objects.filter(object_id=str(key.pk)).exists()


def test_the_admin_revoke_action(admin_client, key_and_raw):
    key, raw = key_and_raw
    response = admin_client.post(reverse("admin:tickets_apikey_changelist"),
                                 {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_key_authenticate(raw) is None
