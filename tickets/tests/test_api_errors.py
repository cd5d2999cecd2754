"""One error format on every API status: a 400 carries messages by field; every other
error is ``{"detail", "code"}``, whether DRF, a service or Django itself answered it."""

import logging
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import include, path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tickets.api import views as api_views
from tickets.api.throttling import ApiKeyRateThrottle
from tickets.choices import TicketStatus
from tickets.models import AuditEntry, Ticket
from tickets.services.api_keys import api_key_create

from .factories import TicketFactory
from .test_settings_env import load_settings

pytestmark = pytest.mark.django_db


# A test-only URLconf (``@pytest.mark.urls(__name__)``): the API plus two views that
# answer what no real endpoint should (an admin-only action, an unexpected crash).
class AdminKeysOnly(permissions.BasePermission):
    message = "Only an admin key may do this."

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_admin_key", False))


class AdminOnlyView(APIView):
    permission_classes = [permissions.IsAuthenticated, AdminKeysOnly]

    def post(self, request):
        return Response({"ok": True})


class CrashingView(APIView):
    def get(self, request):
        raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/test-admin-only/", AdminOnlyView.as_view()),
    path("api/v1/test-crash/", CrashingView.as_view()),
    path("api/v1/", include("tickets.api.urls")),
]


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def raw(store, admin_user):
    return api_key_create(name="erp-main", stores=[store], actor=admin_user)[1]


def status_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/status/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"}, body
    assert body["code"] == code
    assert body["detail"]
    return body


# 400 --------------------------------------------------------------------------------------------------
def test_a_refused_input_is_a_400_with_messages_by_field(client, raw, store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    response = client.post(status_url(ticket), {"status": "no-such-status"}, content_type="application/json",
                           **bearer(raw))
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["status"]
    assert all(isinstance(message, str) for message in body["status"])


def test_a_refusal_by_the_service_is_a_400_on_its_field(client, raw, store):
    ticket = TicketFactory(store=store, status=TicketStatus.CLOSED)
    response = client.post(status_url(ticket), {"status": TicketStatus.NEW}, content_type="application/json",
                           **bearer(raw))
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_malformed_json_is_a_400_in_the_same_shape(client, raw, store):
    ticket = TicketFactory(store=store)
    response = client.post(status_url(ticket), "{not json", content_type="application/json", **bearer(raw))
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["non_field_errors"]
    assert "JSON" in body["non_field_errors"][0]


# 401 / 403 ----------------------------------------------------------------------------------------------
def test_no_key_is_a_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/tickets/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_bad_key_is_a_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/tickets/", **bearer("made-up"))
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.urls(__name__)
def test_a_non_admin_key_on_an_admin_action_is_a_403(client, raw, store, admin_user):
    assert_error(client.post("/api/v1/test-admin-only/", **bearer(raw)), 403, "permission_denied")
    admin_raw = api_key_create(name="erp-admin", stores=[store], is_admin=True, actor=admin_user)[1]
    assert client.post("/api/v1/test-admin-only/", **bearer(admin_raw)).status_code == 200


def test_a_session_post_without_csrf_token_is_a_403(agent, store):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    response = browser.post(status_url(ticket), {"status": TicketStatus.OPEN}, content_type="application/json")
    assert_error(response, 403, "permission_denied")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


# 404 / 405 ----------------------------------------------------------------------------------------------
def test_an_unknown_api_url_is_a_json_404(client, raw):
    assert_error(client.get("/api/v1/no-such-thing/", **bearer(raw)), 404, "not_found")
    assert_error(client.get("/api/nothing-here", **bearer(raw)), 404, "not_found")


def test_a_request_django_refuses_itself_is_a_json_400(client, raw):
    response = client.get("/api/v1/tickets/", HTTP_HOST="evil.example", **bearer(raw))
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_another_store_object_is_a_json_404(client, raw, other_store):
    theirs = TicketFactory(store=other_store, status=TicketStatus.NEW)
    assert_error(client.get(f"/api/v1/tickets/{theirs.pk}/", **bearer(raw)), 404, "not_found")
    response = client.post(status_url(theirs), {"status": TicketStatus.OPEN}, content_type="application/json",
                           **bearer(raw))
    assert_error(response, 404, "not_found")


def test_a_missing_object_is_not_named_by_its_model(agent):
    api = APIClient()
    api.force_authenticate(agent)
    for url in ("/api/v1/alerts/999999/", "/api/v1/tickets/999999/", "/api/v1/alerts/999999/acknowledge/"):
        response = api.post(url) if url.endswith("acknowledge/") else api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_wrong_method_is_a_405_naming_the_allowed_ones(client, raw):
    response = client.put("/api/v1/tickets/", {}, content_type="application/json", **bearer(raw))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


# 409 -------------------------------------------------------------------------------------------------------
def test_a_status_changed_meanwhile_is_a_409_and_writes_nothing(client, raw, store, monkeypatch):
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    real_ticket_for_user = api_views.ticket_for_user

    def read_then_someone_else_writes(user, pk):
        loaded = real_ticket_for_user(user, pk)
        Ticket.objects.filter(pk=pk).update(status=TicketStatus.OPEN)  # another agent, just now
        return loaded

    monkeypatch.setattr(api_views, "ticket_for_user", read_then_someone_else_writes)
    response = client.post(status_url(ticket), {"status": TicketStatus.WAITING_ON_BUYER},
                           content_type="application/json", **bearer(raw))
    body = assert_error(response, 409, "concurrent_change")
    assert "changed by someone else" in body["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.OPEN
    assert not AuditEntry.objects.filter(action="status").exists()


# 413 -------------------------------------------------------------------------------------------------------
def test_a_body_over_the_limit_is_a_413_and_writes_nothing(client, raw, store, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    ticket = TicketFactory(store=store, status=TicketStatus.NEW)
    body = '{"status": "open", "reason": "%s"}' % ("x" * 2000)
    response = client.post(status_url(ticket), body, content_type="application/json", **bearer(raw))
    assert_error(response, 413, "payload_too_large")
    with_key = client.post(status_url(ticket), body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="big-1", **bearer(raw))
    assert_error(with_key, 413, "payload_too_large")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_the_default_limit_takes_a_large_sync_batch(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 10 * 1024 * 1024


# 429 -------------------------------------------------------------------------------------------------------
@pytest.fixture
def private_throttle_counts(monkeypatch):
    """Counts under a prefix of this test's own, whatever ids earlier tests left in the cache."""
    monkeypatch.setattr(ApiKeyRateThrottle, "cache_format", f"test-{uuid.uuid4().hex}-%(scope)s-%(ident)s")


def test_too_many_requests_per_key_is_a_429_with_retry_after(client, raw, store, admin_user, settings,
                                                             private_throttle_counts):
    settings.API_THROTTLE_RATE = "2/min"
    assert client.get("/api/v1/tickets/", **bearer(raw)).status_code == 200
    assert client.get("/api/v1/clocks/", **bearer(raw)).status_code == 200
    response = client.get("/api/v1/tickets/", **bearer(raw))
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    # The budget is the key's: another key of the same store still gets through.
    other_raw = api_key_create(name="erp-two", stores=[store], actor=admin_user)[1]
    assert client.get("/api/v1/tickets/", **bearer(other_raw)).status_code == 200


def test_session_users_are_throttled_by_user(agent_client, settings, private_throttle_counts):
    settings.API_THROTTLE_RATE = "1/hour"
    assert agent_client.get("/api/v1/tickets/").status_code == 200
    response = agent_client.get("/api/v1/tickets/")
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_an_empty_rate_turns_throttling_off(client, raw, settings, private_throttle_counts):
    settings.API_THROTTLE_RATE = ""
    for _ in range(3):
        assert client.get("/api/v1/tickets/", **bearer(raw)).status_code == 200


# 500 -------------------------------------------------------------------------------------------------------
@pytest.mark.urls(__name__)
def test_an_unexpected_exception_is_a_logged_json_500(raw, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test-crash/", **bearer(raw))
    assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


# Settings ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", ["1200", "fast", "0/min", "10/fortnight"])
def test_a_malformed_throttle_rate_stops_start_up(monkeypatch, tmp_path, rate):
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_RATE"):
        load_settings(monkeypatch, tmp_path, API_THROTTLE_RATE=rate)


def test_limits_come_from_the_environment_and_redis_shares_the_counts(monkeypatch, tmp_path):
    for name in ("API_THROTTLE_RATE", "DATA_UPLOAD_MAX_MEMORY_SIZE"):
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings(monkeypatch, tmp_path)
    assert defaults.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert defaults.API_THROTTLE_RATE == "1200/min"
    assert not hasattr(defaults, "CACHES")  # Django's in-process cache
    tuned = load_settings(monkeypatch, tmp_path, API_THROTTLE_RATE="50/s", DATA_UPLOAD_MAX_MEMORY_SIZE="2048",
                          REDIS_URL="redis://cache.example:6379/1")
    assert (tuned.API_THROTTLE_RATE, tuned.DATA_UPLOAD_MAX_MEMORY_SIZE) == ("50/s", 2048)
    assert tuned.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert tuned.CACHES["default"]["LOCATION"] == "redis://cache.example:6379/1"
