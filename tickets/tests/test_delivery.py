"""Delivering alerts by email and webhook: the task bodies are called directly (no
broker), email goes to Django's locmem outbox, and the webhook to a small HTTP
server on 127.0.0.1 in a thread. A failing channel never raises and never loses
the alert; every attempt is recorded."""

import hashlib
import hmac
import json
import smtplib
import threading
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.mail.backends.base import BaseEmailBackend
from kombu.transport.redis import Channel as RedisChannel

from tickets.choices import AlertLevel, ClockState
from tickets.models import Alert, AlertDelivery, AlertReceipt, Clock, DeliveryAttempt
from tickets.services.delivery import ALERT_RELATIONS, alert_payload
from tickets.services.sweep import sweep
from tickets.tasks import WEBHOOK_RETRIES, deliver_alerts, deliver_webhook

from .factories import AlertFactory, AlertReceiptFactory, ClockFactory, TicketFactory, UserFactory
from .test_settings_env import load_settings

pytestmark = pytest.mark.django_db

SECRET = "webhook-test-secret"


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "mail.example.com is down")


class Hook(ThreadingHTTPServer):
    """Records each request and answers with the next of ``statuses`` (then 200)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), HookHandler)
        self.requests, self.statuses = [], []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/desk-alerts"


class HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(self.server.statuses.pop(0) if self.server.statuses else 200)
        self.end_headers()

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def hook(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Hook()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = server.url
    settings.ALERT_WEBHOOK_SECRET = SECRET
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_webhook(settings):
    settings.ALERT_WEBHOOK_URL = ""


@pytest.fixture
def retries(monkeypatch):
    """Webhook retries deliver_alerts hands to Celery (recorded, not sent to the broker)."""
    calls = []
    monkeypatch.setattr(deliver_webhook, "apply_async", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


@pytest.fixture
def alert(store, agent, supervisor):
    """A warning on a store's dispute clock, in the inboxes of two people with an
    address and one without."""
    alert = AlertFactory(clock__store=store, level=AlertLevel.WARNING, text="Warning: dispute_response on D1")
    for user in (agent, supervisor, UserFactory(username="no-mail", email="", stores=[store])):
        AlertReceiptFactory(alert=alert, user=user)
    return alert


def attempts_of(delivery) -> list[tuple]:
    return list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number")
                .values_list("number", "ok", "status_code", "error"))


# Email ------------------------------------------------------------------------------------
def test_each_recipient_with_an_address_gets_one_email(alert, mailoutbox, no_webhook, store):
    deliver_alerts([alert.pk])

    assert sorted(m.to[0] for m in mailoutbox) == ["agent@example.com", "supervisor@example.com"]
    message = mailoutbox[0]
    assert message.subject == "[ae-main] Warning: Dispute response"
    clock = alert.clock
    # The subject by its platform id (the stored key "dispute:12" means nothing to the reader).
    assert message.body.startswith(f"Warning: Dispute response on dispute {clock.dispute.external_id}.\n\n")
    assert f"Due {clock.due_at.astimezone(zoneinfo.ZoneInfo(store.timezone)):%Y-%m-%d %H:%M}" in message.body
    assert "If it lapses: Dispute lost by default" in message.body
    assert message.body.endswith("/alerts/\n")
    deliveries = AlertDelivery.objects.filter(alert=alert)
    assert sorted(deliveries.values_list("channel", "target", "status", "attempts")) == [
        ("email", "agent@example.com", "sent", 1), ("email", "supervisor@example.com", "sent", 1)]
    for delivery in deliveries:
        assert delivery.sent_at is not None
        attempt = DeliveryAttempt.objects.get(delivery=delivery)
        assert (attempt.number, attempt.ok, attempt.error) == (1, True, "")
        assert attempt.started_at <= attempt.finished_at


def test_the_email_is_written_in_the_desks_language(alert, mailoutbox, no_webhook, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    alert.level = AlertLevel.BREACH
    alert.save()
    deliver_alerts([alert.pk])
    body = mailoutbox[0].body
    assert "Dispute" not in body
    assert "逾期后果：纠纷默认判负" in body
    assert "/alerts/" in body


def test_delivering_again_sends_nothing_twice(alert, mailoutbox, no_webhook):
    deliver_alerts([alert.pk])
    deliver_alerts([alert.pk])
    assert len(mailoutbox) == 2
    assert AlertDelivery.objects.count() == 2
    assert DeliveryAttempt.objects.count() == 2


def test_a_failing_mail_server_never_raises_and_keeps_the_alert(alert, settings, no_webhook, retries):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenEmailBackend"}}

    deliver_alerts([alert.pk])  # does not raise

    assert Alert.objects.filter(pk=alert.pk).exists()
    assert AlertReceipt.objects.filter(alert=alert).count() == 3  # the inboxes have it regardless
    for delivery in AlertDelivery.objects.filter(alert=alert):
        # Pending, not failed: Celery tries again with backoff, as for the webhook.
        assert (delivery.status, delivery.attempts, delivery.sent_at) == (AlertDelivery.Status.PENDING, 1, None)
        assert delivery.last_error.startswith("SMTPConnectError")
        assert attempts_of(delivery) == [(1, False, None, delivery.last_error)]
    assert sorted(args[0][0] for args, _ in retries) == sorted(AlertDelivery.objects.filter(alert=alert)
                                                                .values_list("pk", flat=True))

    # The retry finds the server back, as attempt 2.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    for delivery in AlertDelivery.objects.filter(alert=alert):
        assert deliver_webhook.apply(args=(delivery.pk,)).state == "SUCCESS"
    for delivery in AlertDelivery.objects.filter(alert=alert):
        assert (delivery.status, delivery.attempts) == (AlertDelivery.Status.SENT, 2)
        assert [ok for _, ok, _, _ in attempts_of(delivery)] == [False, True]


def test_a_failing_mail_server_never_blocks_the_sweep(store, agent, settings, no_webhook, monkeypatch, retries,
                                                      django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenEmailBackend"}}
    # The task body runs in place of the broker round trip, after the sweep commits.
    monkeypatch.setattr(deliver_alerts, "delay", lambda alert_ids: deliver_alerts(alert_ids))
    ticket = TicketFactory(store=store, assignee=agent)
    clock = ClockFactory(store=store, dispute__store=store, dispute__ticket=ticket, ticket=ticket)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            time_machine.travel(clock.due_at, tick=False):
        result = sweep()

    assert len(callbacks) == 1
    assert result.breached == 1
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    breach = Alert.objects.get(clock=clock)
    delivery = AlertDelivery.objects.get(alert=breach)
    assert (delivery.target, delivery.status) == ("agent@example.com", AlertDelivery.Status.PENDING)
    assert retries == [(((delivery.pk,),), {"countdown": 30})]


def test_the_sweep_hands_its_alerts_to_delivery_after_commit(store, agent, mailoutbox, no_webhook, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    monkeypatch.setattr(deliver_alerts, "delay", lambda alert_ids: deliver_alerts(alert_ids))
    ticket = TicketFactory(store=store, assignee=agent)
    clock = ClockFactory(store=store, dispute__store=store, dispute__ticket=ticket, ticket=ticket)
    Clock.objects.filter(pk=clock.pk).update(next_alert_at=clock.warn_at)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, \
            time_machine.travel(clock.warn_at, tick=False):
        sweep()
    assert mailoutbox == []  # nothing leaves before the sweep's transaction commits
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["agent@example.com"]]
    assert mailoutbox[0].subject == "[ae-main] Warning: Dispute response"


# Webhook ------------------------------------------------------------------------------------
def test_the_webhook_receives_a_signed_body(alert, hook, retries):
    deliver_alerts([alert.pk])

    [request] = hook.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/desk-alerts"
    assert headers["Content-Type"] == "application/json"
    timestamp = headers["X-Desk-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Desk-Signature"] == f"sha256={expected}"
    # The signature covers the timestamp: the same body at another time does not verify.
    other = hmac.new(SECRET.encode(), f"{int(timestamp) + 1}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Desk-Signature"] != f"sha256={other}"

    payload = json.loads(body)
    loaded = Alert.objects.select_related(*ALERT_RELATIONS).get(pk=alert.pk)
    assert payload == json.loads(json.dumps(alert_payload(loaded)))
    assert (payload["alert_id"], payload["level"], payload["store"]) == (alert.pk, "warning", "ae-main")
    # Named by its platform id and due in the store's zone, as in the email.
    assert payload["clock"]["subject_label"] == f"dispute {alert.clock.dispute.external_id}"
    assert "(Asia/Shanghai)" in payload["text"]
    assert payload["clock"]["id"] == alert.clock_id
    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)
    assert headers["X-Desk-Delivery"] == str(delivery.pk)
    assert (delivery.target, delivery.status) == (hook.url, AlertDelivery.Status.SENT)
    assert attempts_of(delivery) == [(1, True, 200, "")]
    assert retries == []


def test_a_failing_webhook_is_recorded_and_retried_by_celery(alert, hook, retries):
    hook.statuses = [500]

    deliver_alerts([alert.pk])

    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)
    assert (delivery.status, delivery.last_error) == (AlertDelivery.Status.PENDING, "HTTP 500")  # retry coming
    assert attempts_of(delivery) == [(1, False, 500, "HTTP 500")]
    assert retries == [(((delivery.pk,),), {"countdown": 30})]
    # Email is independent of the webhook's fate.
    assert AlertDelivery.objects.filter(alert=alert, channel="email", status="sent").count() == 2


def test_the_webhook_retry_succeeds_once_the_receiver_is_back(alert, hook, retries):
    hook.statuses = [500, 503]
    deliver_alerts([alert.pk])
    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)

    result = deliver_webhook.apply(args=(delivery.pk,))  # fails (503), retries, succeeds

    assert result.state == "SUCCESS"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (AlertDelivery.Status.SENT, 3, "")
    assert attempts_of(delivery) == [(1, False, 500, "HTTP 500"), (2, False, 503, "HTTP 503"), (3, True, 200, "")]
    assert len(hook.requests) == 3


def test_the_webhook_gives_up_after_its_retries_and_keeps_the_record(alert, hook, retries):
    hook.statuses = [500] * 20
    deliver_alerts([alert.pk])
    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)

    result = deliver_webhook.apply(args=(delivery.pk,))

    assert result.state == "FAILURE"
    delivery.refresh_from_db()
    tries = 1 + 1 + WEBHOOK_RETRIES  # deliver_alerts, the task, and each retry
    assert (delivery.status, delivery.attempts) == (AlertDelivery.Status.FAILED, tries)
    assert attempts_of(delivery) == [(n, False, 500, "HTTP 500") for n in range(1, tries + 1)]
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_webhook_retries_wait_less_than_the_redis_visibility_timeout(alert, hook, retries, monkeypatch, tmp_path):
    hook.statuses = [500] * 10
    deliver_alerts([alert.pk])
    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)
    countdowns = []

    def record_retry(*, countdown, **kwargs):
        countdowns.append(countdown)
        return Retry("recorded", when=countdown)

    monkeypatch.setattr(deliver_webhook, "retry", record_retry)
    for retried in range(WEBHOOK_RETRIES):
        deliver_webhook.apply(args=(delivery.pk,), retries=retried)
    assert countdowns == [30, 120, 480, 1920, 3000]  # backoff ×4 from 30 s, capped at 50 min

    production = load_settings(monkeypatch, tmp_path, REDIS_URL="redis://redis:6379/0")
    options = getattr(production, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    assert max(countdowns) < options.get("visibility_timeout", RedisChannel.visibility_timeout)


def test_an_unreachable_webhook_is_recorded_not_raised(alert, settings, retries):
    settings.ALERT_WEBHOOK_URL = "http://127.0.0.1:9/nowhere"  # the discard port: connection refused
    settings.ALERT_WEBHOOK_SECRET = SECRET
    deliver_alerts([alert.pk])
    delivery = AlertDelivery.objects.get(alert=alert, channel=AlertDelivery.Channel.WEBHOOK)
    assert delivery.status == AlertDelivery.Status.PENDING  # its retry is coming
    [(number, ok, code, error)] = attempts_of(delivery)
    assert (number, ok, code) == (1, False, None)
    assert error.startswith("URLError")
    assert len(retries) == 1


def test_a_clock_deleted_before_delivery_is_skipped(alert, no_webhook, mailoutbox):
    Clock.objects.filter(pk=alert.clock_id).delete()  # cascades to the alert
    deliver_alerts([alert.pk])
    assert mailoutbox == []
    assert not AlertDelivery.objects.exists()
