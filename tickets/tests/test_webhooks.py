"""ERP webhooks: each of the six events comes from the real service paths (the sweep's
set-based lapses included), reaches only the active, subscribed subscriptions of its
store, is signed so the receiver can check it with the secret, and is retried with a
growing wait, every attempt recorded. The endpoint is a small HTTP server on
127.0.0.1 in a thread; task bodies are called directly (no broker)."""

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from tickets.choices import ClockKind, DisputeOutcome, DisputeStatus, RefundReason, ReturnStatus
from tickets.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from tickets.services import webhooks
from tickets.services.clocks import clock_start_for
from tickets.services.disputes import dispute_set_status
from tickets.services.messages import message_note, message_reply
from tickets.services.refunds import refund_record
from tickets.services.returns import return_agree, return_set_status
from tickets.services.sweep import sweep
from tickets.tasks import webhook_send, webhooks_dispatch

from .factories import T0, DisputeFactory, OrderFactory, ReturnFactory, TicketFactory

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["clock.warning", "clock.breached", "dispute.resolved", "refund.recorded", "return.updated",
              "ticket.replied"]
SECRET = "erp-shared-secret"


# Helpers (also used by test_access and test_constraints) ------------------------------------------
def make_subscription(store, *, events=ALL_EVENTS, url="https://erp.example.com/hooks", is_active=True,
                      secret=SECRET) -> WebhookSubscription:
    return WebhookSubscription.objects.create(store=store, url=url, events=list(events), is_active=is_active,
                                              secret=secret)


def make_event(store, name="refund.recorded") -> WebhookEvent:
    return WebhookEvent.objects.create(store=store, name=name, object_type="refund", object_id=1, occurred_at=T0)


def make_delivery(store) -> WebhookDelivery:
    return WebhookDelivery.objects.create(event=make_event(store), subscription=make_subscription(store),
                                          next_attempt_at=T0)


class Endpoint(ThreadingHTTPServer):
    """Records each request and answers with the next of ``statuses`` (then 200)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), EndpointHandler)
        self.requests, self.statuses = [], []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/erp/hooks"


class EndpointHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"headers": dict(self.headers), "body": body})
        code = self.server.statuses.pop(0) if self.server.statuses else 200
        answer = b'{"ok": true}' if code < 300 else b"upstream exploded"
        self.send_response(code)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def endpoint():
    server = Endpoint()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(store, endpoint):
    """A subscription of ``store`` to every event, posting to the local endpoint."""
    return make_subscription(store, url=endpoint.url)


def dispatch(at=None) -> int:
    """One beat tick: fan out, claim the due deliveries and send each (the task body)."""
    with time_machine.travel(at or dt.datetime.now(dt.UTC), tick=False):
        return webhooks.webhooks_dispatch(send=webhook_send)


def names() -> list[str]:
    return sorted(WebhookEvent.objects.values_list("name", flat=True))


def payloads(endpoint) -> list[dict]:
    return [json.loads(r["body"]) for r in endpoint.requests]


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep()


def dispute_with_ticket(store, agent, **kwargs):
    order = OrderFactory(store=store)
    ticket = TicketFactory(store=store, order=order, assignee=agent)
    return DisputeFactory(store=store, order=order, ticket=ticket, **kwargs)


# Signing and the body --------------------------------------------------------------------------
def test_the_receiver_can_verify_the_signature_with_the_secret(store, agent, hooked, endpoint):
    order = OrderFactory(store=store)
    refund = refund_record(order=order, amount=Decimal("12.50"), reason=RefundReason.GOODWILL, actor=agent,
                           external_id="RF-1")

    assert dispatch() == 1

    [request] = endpoint.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(SECRET.encode(), f"{headers['X-Desk-Timestamp']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Desk-Signature"], f"sha256={expected}")
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Desk-Delivery"] == str(delivery.pk)
    assert headers["X-Desk-Event"] == "refund.recorded"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["id"] == delivery.event_id
    assert (payload["type"], payload["store"], payload["actor"]) == ("refund.recorded", store.code, agent.username)
    assert payload["created_at"] == refund.refunded_at.isoformat()
    assert payload["data"]["amount"] == "12.50"
    assert payload["data"]["order_number"] == order.order_number
    assert payload["data"]["external_id"] == "RF-1"
    # A body altered on the way no longer matches.
    forged = hmac.new(SECRET.encode(), f"{headers['X-Desk-Timestamp']}.".encode() + body.replace(b"12.50", b"99.00"),
                      hashlib.sha256).hexdigest()
    assert f"sha256={forged}" != headers["X-Desk-Signature"]


# Each event from the real service paths ------------------------------------------------------------
def test_resolving_a_dispute_emits_dispute_resolved(store, agent, hooked, endpoint):
    dispute = dispute_with_ticket(store, agent)
    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.SELLER_WON,
                       actor=agent, at=T0)
    dispatch()
    [payload] = payloads(endpoint)
    assert payload["type"] == "dispute.resolved"
    assert (payload["data"]["id"], payload["data"]["outcome"]) == (dispute.pk, "seller_won")
    assert payload["created_at"] == T0.isoformat()


def test_a_dispute_moving_to_review_emits_nothing(store, agent, hooked):
    dispute = dispute_with_ticket(store, agent)
    dispute_set_status(dispute=dispute, status=DisputeStatus.PLATFORM_REVIEW, actor=agent)
    assert names() == []


def test_agreeing_and_moving_a_return_emits_return_updated(store, agent, hooked, endpoint):
    dispute = dispute_with_ticket(store, agent)
    ret = return_agree(dispute=dispute, external_id="RET-1", agreed_at=T0, actor=agent)
    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="LP123", actor=agent)
    assert names() == ["return.updated", "return.updated"]
    dispatch()
    assert [p["type"] for p in payloads(endpoint)] == ["return.updated", "return.updated"]
    assert {p["data"]["tracking_number"] for p in payloads(endpoint)} == {"LP123"}  # built when delivered


def test_an_agent_reply_emits_ticket_replied_and_a_note_does_not(store, agent, hooked, endpoint):
    ticket = TicketFactory(store=store)
    message_note(ticket=ticket, author=agent, body="Internal: check the warehouse.")
    assert names() == []
    message = message_reply(ticket=ticket, author=agent, body="We have reshipped your order.")
    message_reply(ticket=ticket, author=agent, body="Thanks, we got your message.", is_automatic=True)
    dispatch()
    bodies = sorted(payloads(endpoint), key=lambda p: p["data"]["id"])
    assert [p["type"] for p in bodies] == ["ticket.replied", "ticket.replied"]
    assert (bodies[0]["data"]["id"], bodies[0]["data"]["is_automatic"]) == (message.pk, False)
    assert bodies[1]["data"]["is_automatic"] is True
    assert bodies[0]["data"]["author"] == agent.username


def test_a_clock_warning_then_its_breach_are_emitted_by_the_sweep(store, agent, hooked, endpoint):
    dispute = dispute_with_ticket(store, agent)
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="test",
                            start_event="test", amount_at_stake=dispute.requested_amount)
    sweep_at(clock.warn_at)
    assert names() == ["clock.warning"]
    sweep_at(clock.due_at)
    # The lapse loses the dispute: breach, the platform's refund and the decision.
    assert names() == ["clock.breached", "clock.warning", "dispute.resolved", "refund.recorded"]
    dispatch()
    by_type = {p["type"]: p for p in payloads(endpoint)}
    assert by_type["clock.breached"]["data"]["clock"]["id"] == clock.pk
    assert by_type["clock.breached"]["data"]["level"] == "breach"
    assert by_type["clock.breached"]["created_at"] == clock.due_at.isoformat()
    assert by_type["clock.warning"]["data"]["level"] == "warning"
    assert by_type["dispute.resolved"]["data"]["outcome"] == DisputeOutcome.BUYER_WON
    assert by_type["dispute.resolved"]["created_at"] == clock.due_at.isoformat()
    assert by_type["refund.recorded"]["data"]["source"] == "clock_lapse"
    assert {p["actor"] for p in payloads(endpoint)} == {"system:sweep"}


def test_a_lapsed_return_shipment_emits_return_updated_and_dispute_resolved(store, agent, hooked):
    ret = ReturnFactory(store=store, dispute=dispute_with_ticket(store, agent))
    clock = clock_start_for(kind=ClockKind.RETURN_SHIPMENT, subject=ret, started_at=T0, actor="test",
                            start_event="test")
    sweep_at(clock.due_at)
    assert names() == ["clock.breached", "dispute.resolved", "return.updated"]
    event = WebhookEvent.objects.get(name="return.updated")
    assert (event.object_id, event.occurred_at) == (ret.pk, clock.due_at)


def test_a_lapsed_receipt_confirmation_emits_the_return_refund_and_decision(store, agent, hooked, endpoint):
    ret = ReturnFactory(store=store, dispute=dispute_with_ticket(store, agent), status=ReturnStatus.IN_TRANSIT)
    clock = clock_start_for(kind=ClockKind.RECEIPT_CONFIRMATION, subject=ret, started_at=T0, actor="test",
                            start_event="test")
    sweep_at(clock.due_at)
    assert names() == ["clock.breached", "dispute.resolved", "refund.recorded", "return.updated"]
    dispatch()
    ret_payload = next(p for p in payloads(endpoint) if p["type"] == "return.updated")
    assert ret_payload["data"]["status"] == ReturnStatus.REFUNDED


def test_a_failed_sweep_batch_leaves_no_event_behind(store, agent, hooked, monkeypatch):
    """Events are written in the batch's transaction: a batch rolled back announces nothing."""
    dispute = dispute_with_ticket(store, agent)
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="test",
                            start_event="test", amount_at_stake=dispute.requested_amount)

    def explode(**kwargs):
        raise RuntimeError("consequence failed")

    monkeypatch.setattr("tickets.services.consequences.apply", explode)
    sweep_at(clock.due_at)
    assert names() == []


# Who receives ------------------------------------------------------------------------------
def test_only_active_subscribed_subscriptions_of_the_store_receive(store, other_store, agent):
    refunds_only = make_subscription(store, events=["refund.recorded"])
    make_subscription(store, events=["dispute.resolved"])
    make_subscription(store, is_active=False)
    make_subscription(other_store)
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)

    webhooks.webhooks_fan_out()

    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [refunds_only.pk]


def test_nothing_is_written_for_a_store_without_a_subscription(store, other_store, agent):
    make_subscription(other_store)
    make_subscription(store, events=["dispute.resolved"])
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    assert not WebhookEvent.objects.exists()


def test_fanning_out_twice_makes_no_second_delivery(store, agent, hooked):
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    assert webhooks.webhooks_fan_out() == 1
    WebhookEvent.objects.update(fanned_out_at=None)  # as if the first run died before marking its events
    webhooks.webhooks_fan_out()
    assert WebhookDelivery.objects.count() == 1


def test_the_changes_ask_for_a_dispatch_after_commit(store, agent, hooked, django_capture_on_commit_callbacks,
                                                    monkeypatch):
    asked = []
    monkeypatch.setattr("tickets.tasks.webhooks_dispatch.delay", lambda: asked.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL,
                      actor=agent)
    assert asked == [1]


# Retries --------------------------------------------------------------------------------------
def test_a_failure_is_retried_with_a_growing_wait_and_every_attempt_recorded(store, agent, hooked, endpoint):
    endpoint.statuses = [500, 503]
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    assert dispatch(start) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=1)
    assert dispatch(start + dt.timedelta(seconds=59)) == 0  # not due yet

    assert dispatch(start + dt.timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 503)
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=3)  # then 2 minutes

    assert dispatch(start + dt.timedelta(minutes=3)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 3, 200)
    assert delivery.next_attempt_at is None
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code", "ok"))
    assert attempts == [(1, 500, False), (2, 503, False), (3, 200, True)]
    first = WebhookAttempt.objects.get(delivery=delivery, number=1)
    assert (first.error, first.response_excerpt) == ("HTTP 500", "upstream exploded")
    assert first.finished_at >= first.started_at
    assert dispatch(start + dt.timedelta(hours=5)) == 0  # sent: never again
    assert len(endpoint.requests) == 3
    # Each attempt is a new delivery attempt of the same event, signed afresh.
    assert len({r["headers"]["X-Desk-Delivery"] for r in endpoint.requests}) == 1


def test_after_the_last_attempt_it_is_given_up_and_can_be_retried_by_hand(store, agent, hooked, endpoint):
    endpoint.statuses = [500] * (webhooks.MAX_ATTEMPTS + 1)
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    for _ in range(webhooks.MAX_ATTEMPTS):
        assert dispatch(moment) == 1
        moment += webhooks.MAX_WAIT
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("given_up", webhooks.MAX_ATTEMPTS,
                                                                              None)
    assert dispatch(moment + dt.timedelta(days=1)) == 0
    assert [webhooks.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]

    assert webhooks.webhook_delivery_retry(delivery=delivery)
    assert dispatch() == 1  # one more attempt; still failing, so given up again
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("given_up", webhooks.MAX_ATTEMPTS + 1)


def test_an_unreachable_endpoint_is_recorded_not_raised(store, agent):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    make_subscription(store, url=f"http://127.0.0.1:{port}/hooks")
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    dispatch()
    attempt = WebhookAttempt.objects.get()
    assert (attempt.ok, attempt.status_code) == (False, None)
    assert "URLError" in attempt.error
    assert WebhookDelivery.objects.get().status == "failed"


def test_a_failing_endpoint_does_not_hold_up_the_others(store, agent, hooked, endpoint):
    make_subscription(store, url="http://127.0.0.1:9/nobody-here")
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    assert dispatch() == 2
    assert WebhookDelivery.objects.get(subscription=hooked).status == "sent"
    assert WebhookDelivery.objects.exclude(subscription=hooked).get().status == "failed"


def test_the_beat_task_queues_one_send_per_due_delivery(store, agent, hooked, monkeypatch, settings):
    queued = []
    monkeypatch.setattr("tickets.tasks.webhook_send.delay", queued.append)
    refund_record(order=OrderFactory(store=store), amount=Decimal("5"), reason=RefundReason.GOODWILL, actor=agent)
    refund_record(order=OrderFactory(store=store), amount=Decimal("6"), reason=RefundReason.GOODWILL, actor=agent)
    assert webhooks_dispatch() == 2
    assert sorted(queued) == sorted(WebhookDelivery.objects.values_list("pk", flat=True))
    assert webhooks_dispatch() == 0  # claimed: leased to the queued sends
    schedule = settings.CELERY_BEAT_SCHEDULE["webhooks-dispatch"]
    assert schedule["task"] == webhooks_dispatch.name == "tickets.webhooks_dispatch"


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(store):
    delivery = make_delivery(store)
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert webhooks.webhook_deliveries_claim(now=now) == [delivery.pk]
    assert webhooks.webhook_deliveries_claim(now=now) == []
    assert webhooks.webhook_deliveries_claim(now=now + webhooks.LEASE) == [delivery.pk]  # its worker died


def test_a_paused_subscription_gets_no_call_until_it_is_active_again(store, endpoint):
    delivery = make_delivery(store)
    WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(url=endpoint.url, is_active=False)
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert webhooks.webhook_deliveries_claim(now=now) == []
    assert webhooks.webhook_delivery_attempt(delivery=delivery) is False  # claimed before the pause
    assert endpoint.requests == []
    assert not WebhookAttempt.objects.exists()
    WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(is_active=True)
    assert webhooks.webhook_deliveries_claim(now=now) == [delivery.pk]


def test_a_deleted_object_is_sent_as_deleted(store, endpoint):
    make_subscription(store, url=endpoint.url)
    WebhookEvent.objects.create(store=store, name="ticket.replied", object_type="message", object_id=987654,
                                occurred_at=T0)
    dispatch()
    assert payloads(endpoint)[0]["data"] == {"id": 987654, "deleted": True}
