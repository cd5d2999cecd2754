"""Outgoing webhooks: subscriptions, the event outbox, fan-out and signed delivery.

How an event travels:
1. The service of the change (a refund recorded, a dispute resolved...) calls
   ``event_emit()`` in its own transaction; the sweep and the lapse consequences
   call ``events_emit_sql()``, one INSERT ... SELECT per batch. Either writes thin
   outbox rows (name + object), and only for stores with an active subscription.
2. After commit (and every minute from beat) ``webhooks_dispatch()`` fans new
   events out into one delivery per matching subscription, then claims the due
   deliveries with a conditional UPDATE (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL) that pushes their ``next_attempt_at`` a lease ahead, so no two
   workers send the same one and a worker that dies only delays it.
3. ``webhook_delivery_attempt()`` builds the body from the object as it is now,
   signs it, records the attempt before the call and completes it after; a
   failure waits 1, 2, 4... minutes before the next try, and after
   ``MAX_ATTEMPTS`` the delivery is given up (still visible, retriable by hand).
"""

import datetime as dt
import json
import logging
import secrets
import urllib.error
import urllib.request
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import (
    Alert,
    Dispute,
    Message,
    Refund,
    Return,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tickets.models.webhooks import WebhookEventName, WebhookObjectType

from .audit import actor_fields, audit_record
from .bulk_sql import Counter, ids_in, in_subquery, skip_locked, ts
from .delivery import ALERT_RELATIONS, alert_payload, sign

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_WAIT = dt.timedelta(minutes=1)
MAX_WAIT = dt.timedelta(hours=1)
# How long a claimed delivery is reserved for the worker sending it; longer than
# one attempt can take (the timeout), so a live worker never loses it.
LEASE = dt.timedelta(minutes=5)
TIMEOUT = 10
FAN_OUT_BATCH = 1000
CLAIM_BATCH = 200
EXCERPT = 500
RETRIABLE = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)

OBJECT_TYPES = {Alert: WebhookObjectType.ALERT, Dispute: WebhookObjectType.DISPUTE, Refund: WebhookObjectType.REFUND,
                Return: WebhookObjectType.RETURN, Message: WebhookObjectType.MESSAGE}
# Per object type: its table, the event name and when it happened, as SQL over the row ``o``.
SQL_SOURCES = {
    WebhookObjectType.ALERT: (
        "tickets_alert", "CASE o.level WHEN 'breach' THEN 'clock.breached' ELSE 'clock.warning' END", "o.raised_at"),
    WebhookObjectType.DISPUTE: ("tickets_dispute", "'dispute.resolved'", "COALESCE(o.resolved_at, o.updated_at)"),
    WebhookObjectType.REFUND: ("tickets_refund", "'refund.recorded'", "o.refunded_at"),
    WebhookObjectType.RETURN: (
        "tickets_return", "'return.updated'", "COALESCE(o.closed_at, o.refunded_at, o.received_at, o.updated_at)"),
}


# Subscriptions ---------------------------------------------------------------------------------
def _normalised(events) -> list[str]:
    """The chosen names once each, in the catalogue's order (a stable value to compare and show)."""
    chosen = set(events or [])
    known = [name for name in WebhookEventName.values if name in chosen]
    return known + sorted(chosen - set(known))  # unknown names stay, for full_clean to name them


def webhook_subscription_create(*, store, url: str, events, actor, secret: str = "", description: str = "",
                                is_active: bool = True) -> WebhookSubscription:
    """Subscribe ``url`` to ``events`` of ``store``. A blank secret is generated;
    the caller shows it once (the API's create response, an admin message)."""
    subscription = WebhookSubscription(store=store, url=url, events=_normalised(events),
                                       secret=secret or secrets.token_urlsafe(32), description=description,
                                       is_active=is_active)
    subscription.full_clean()
    with transaction.atomic():
        subscription.save()
        audit_record(subject=subscription, actor=actor, action="create", field="events",
                     to_value=", ".join(subscription.events), reason=subscription.url)
    return subscription


def webhook_subscription_update(*, subscription: WebhookSubscription, actor, **changes) -> WebhookSubscription:
    """Change url, events, secret, description or is_active; the store never changes."""
    allowed = {"url", "events", "secret", "description", "is_active"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    if "events" in changes:
        changes["events"] = _normalised(changes["events"])
    if not changes.get("secret", True):
        changes.pop("secret")  # blank means "keep the current one"
    before = {name: getattr(subscription, name) for name in changes}
    for name, value in changes.items():
        setattr(subscription, name, value)
    subscription.full_clean()
    changed = [name for name in changes if before[name] != changes[name]]
    if not changed:
        return subscription
    with transaction.atomic():
        subscription.save(update_fields=[*changed, "updated_at"])
        for name in changed:
            # The secret itself never enters the audit trail.
            shown = ("***", "***") if name == "secret" else (before[name], changes[name])
            audit_record(subject=subscription, actor=actor, action="update", field=name,
                         from_value=_shown(shown[0]), to_value=_shown(shown[1]))
    return subscription


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def webhook_subscription_delete(*, subscription: WebhookSubscription, actor) -> None:
    """Delete a subscription with its delivery history; the audit trail keeps that it existed."""
    with transaction.atomic():
        audit_record(subject=subscription, actor=actor, action="delete", field="url", from_value=subscription.url)
        subscription.delete()


# Emitting events ---------------------------------------------------------------------------------
def _dispatch_on_commit() -> None:
    from tickets.tasks import webhooks_dispatch

    # robust: a broker outage must not fail the change that already committed; beat's
    # next tick sends the events anyway.
    transaction.on_commit(webhooks_dispatch.delay, robust=True)


def event_emit(*, name: str, obj, actor=None, occurred_at=None) -> WebhookEvent | None:
    """Record that ``actor`` made ``name`` happen to ``obj`` (an alert, dispute, refund,
    return or message), to be delivered once the caller's transaction commits.
    Nothing is written when no active subscription of the object's store wants it."""
    wanted = WebhookSubscription.objects.filter(store_id=obj.store_id, is_active=True).values_list("events",
                                                                                                  flat=True)
    if not any(name in events for events in wanted):
        return None
    event = WebhookEvent.objects.create(store_id=obj.store_id, name=name, object_type=OBJECT_TYPES[type(obj)],
                                        object_id=obj.pk, actor_label=actor_fields(actor)["actor_label"],
                                        occurred_at=occurred_at or timezone.now())
    _dispatch_on_commit()
    return event


def events_emit_sql(counter: Counter | None, *, object_type: str, ids: list[int], now: dt.datetime,
                    actor_label: str = "system:sweep") -> int:
    """``event_emit`` for a batch of objects of one type, in one INSERT ... SELECT
    whatever its size (the sweep's way of writing). Alerts become clock.warning or
    clock.breached by their level; the other types have one event each."""
    if not ids:
        return 0
    table, name_sql, occurred_sql = SQL_SOURCES[object_type]
    where, params = ids_in("o.id", ids)
    # The store filter is coarse (any active subscription); fan-out matches the event names.
    rows = (counter or Counter()).execute(f"""
        INSERT INTO tickets_webhookevent (store_id, name, object_type, object_id, actor_label, occurred_at,
                                          created_at)
        SELECT o.store_id, {name_sql}, %s, o.id, %s, {occurred_sql}, %s FROM {table} o
        WHERE {where} AND EXISTS (SELECT 1 FROM tickets_webhooksubscription s
                                  WHERE s.store_id = o.store_id AND s.is_active)
        RETURNING id
    """, [object_type, actor_label, ts(now), *params])  # noqa: S608 - names and columns are constants above
    if rows:
        _dispatch_on_commit()
    return len(rows)


# Fan-out and claiming ----------------------------------------------------------------------------
def webhooks_fan_out(*, now: dt.datetime | None = None, batch_size: int = FAN_OUT_BATCH) -> int:
    """Turn new events into deliveries, one per active subscription of the event's
    store that wants it; returns the deliveries made."""
    now = now or timezone.now()
    made = 0
    while True:
        with transaction.atomic():
            events = list(WebhookEvent.objects.select_for_update(skip_locked=True)
                          .filter(fanned_out_at__isnull=True).order_by("created_at", "pk")[:batch_size])
            if not events:
                return made
            by_store = defaultdict(list)
            for sub in WebhookSubscription.objects.filter(store__in={e.store_id for e in events}, is_active=True):
                by_store[sub.store_id].append(sub)
            deliveries = [WebhookDelivery(event=event, subscription=sub, next_attempt_at=now)
                          for event in events for sub in by_store[event.store_id]
                          if event.name in sub.events]
            # ignore_conflicts: a delivery already made (by a run that failed to mark its
            # events) is not made twice.
            WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).update(fanned_out_at=now)
        made += len(deliveries)
        if len(events) < batch_size:
            return made


def webhook_deliveries_claim(*, now: dt.datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Take up to ``limit`` due deliveries for sending: one conditional UPDATE that
    moves their ``next_attempt_at`` a lease ahead and returns their ids."""
    now = now or timezone.now()
    # A paused subscription's deliveries wait, and go out once it is active again.
    due = f"""SELECT id FROM tickets_webhookdelivery
        WHERE status IN ('pending', 'failed') AND next_attempt_at <= %s
          AND subscription_id IN (SELECT id FROM tickets_webhooksubscription WHERE is_active)
        ORDER BY next_attempt_at LIMIT %s{skip_locked()}"""  # noqa: S608 - constant SQL
    rows = Counter().execute(f"""
        UPDATE tickets_webhookdelivery SET next_attempt_at = %s, updated_at = %s
        WHERE status IN ('pending', 'failed') AND next_attempt_at <= %s AND {in_subquery("id", due)}
        RETURNING id
    """, [ts(now + LEASE), ts(now), ts(now), ts(now), limit])  # noqa: S608
    return sorted(row[0] for row in rows)


def webhooks_dispatch(*, send, now: dt.datetime | None = None) -> int:
    """Fan out new events, then hand each due delivery to ``send(delivery_id)`` (the
    task queues one send per delivery, so a slow endpoint holds up only its own)."""
    now = now or timezone.now()
    webhooks_fan_out(now=now)
    ids = webhook_deliveries_claim(now=now)
    for pk in ids:
        send(pk)
    return len(ids)


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> bool:
    """Make a failed or given-up delivery due now (one more attempt for a given-up
    one); a sent delivery is left alone. Returns whether it was made due."""
    updated = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[*RETRIABLE, WebhookDelivery.Status.GIVEN_UP]
    ).update(status=WebhookDelivery.Status.FAILED if delivery.attempts else WebhookDelivery.Status.PENDING,
             next_attempt_at=timezone.now(), updated_at=timezone.now())
    if updated:
        _dispatch_on_commit()
    return bool(updated)


# The body and the call ---------------------------------------------------------------------------
def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _money(value) -> str | None:
    return None if value is None else str(value)


def _object_data(event: WebhookEvent) -> dict:
    """The event's object as it is now (thin events: the outbox row names it only)."""
    kind, pk = event.object_type, event.object_id
    if kind == WebhookObjectType.ALERT:
        alert = Alert.objects.select_related(*ALERT_RELATIONS).filter(pk=pk).first()
        return alert and alert_payload(alert)
    if kind == WebhookObjectType.DISPUTE:
        d = Dispute.objects.select_related("order").filter(pk=pk).first()
        return d and {
            "id": d.pk, "external_id": d.external_id, "order_number": d.order.order_number, "ticket_id": d.ticket_id,
            "family": d.family, "reason": d.reason, "requested_solution": d.requested_solution,
            "requested_amount": _money(d.requested_amount), "currency": d.currency, "status": d.status,
            "outcome": d.outcome, "outcome_note": d.outcome_note, "opened_at": _iso(d.opened_at),
            "resolved_at": _iso(d.resolved_at)}
    if kind == WebhookObjectType.REFUND:
        r = Refund.objects.select_related("order", "dispute", "return_request").filter(pk=pk).first()
        return r and {
            "id": r.pk, "external_id": r.external_id, "order_number": r.order.order_number,
            "dispute_external_id": r.dispute.external_id if r.dispute else None,
            "return_external_id": r.return_request.external_id if r.return_request else None,
            "amount": _money(r.amount), "currency": r.currency, "reason": r.reason, "source": r.source,
            "note": r.note, "refunded_at": _iso(r.refunded_at), "withdrawn_at": _iso(r.withdrawn_at)}
    if kind == WebhookObjectType.RETURN:
        r = Return.objects.select_related("order", "dispute").filter(pk=pk).first()
        return r and {
            "id": r.pk, "external_id": r.external_id, "order_number": r.order.order_number,
            "dispute_external_id": r.dispute.external_id, "status": r.status, "carrier": r.carrier,
            "tracking_number": r.tracking_number, "agreed_at": _iso(r.agreed_at),
            "tracking_submitted_at": _iso(r.tracking_submitted_at), "received_at": _iso(r.received_at),
            "refunded_at": _iso(r.refunded_at), "closed_at": _iso(r.closed_at)}
    m = Message.objects.select_related("ticket__order", "author").filter(pk=pk).first()
    return m and {
        "id": m.pk, "ticket_id": m.ticket_id,
        "order_number": m.ticket.order.order_number if m.ticket.order_id else None,
        "external_id": m.external_id, "language": m.language, "body": m.body, "is_automatic": m.is_automatic,
        "author": m.author.get_username() if m.author else None, "sent_at": _iso(m.sent_at)}


def event_payload(event: WebhookEvent) -> dict:
    return {"id": event.pk, "type": event.name, "created_at": _iso(event.occurred_at), "store": event.store.code,
            "actor": event.actor_label, "data": _object_data(event) or {"id": event.object_id, "deleted": True}}


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4... minutes, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), MAX_WAIT)


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> bool:
    """POST the delivery once. The attempt row is written before the call and completed
    after it; the delivery then is sent, failed (due again after ``backoff``) or,
    at ``MAX_ATTEMPTS``, given up. Never raises for a failing endpoint."""
    if delivery.status not in RETRIABLE:
        return delivery.status == WebhookDelivery.Status.SENT
    if not WebhookSubscription.objects.filter(pk=delivery.subscription_id, is_active=True).exists():
        return False  # paused (or deleted) since it was claimed: no call to its URL
    number = delivery.attempts + 1
    try:
        with transaction.atomic():
            attempt = WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=timezone.now())
            WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=number)
    except IntegrityError:
        return False  # another worker is making this very attempt
    ok, code, error, excerpt = False, None, "", ""
    try:
        code, excerpt = _post(delivery)
        ok = 200 <= code < 300
        error = "" if ok else f"HTTP {code}"
    except Exception as exc:  # any failure is recorded, never raised into the worker
        error = f"{type(exc).__name__}: {exc}"[:EXCERPT]
    finished = timezone.now()
    WebhookAttempt.objects.filter(pk=attempt.pk).update(finished_at=finished, ok=ok, status_code=code, error=error,
                                                        response_excerpt=excerpt)
    Status = WebhookDelivery.Status
    if ok:
        status, next_at = Status.SENT, None
    elif number >= MAX_ATTEMPTS:
        status, next_at = Status.GIVEN_UP, None
        log.warning("webhook delivery %s given up after %s attempts: %s", delivery.pk, number, error)
    else:
        status, next_at = Status.FAILED, finished + backoff(number)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=next_at, last_status_code=code, last_error=error,
        sent_at=finished if ok else None, updated_at=finished)
    delivery.status, delivery.attempts, delivery.next_attempt_at = status, number, next_at
    delivery.last_status_code, delivery.last_error = code, error
    return ok


def _post(delivery: WebhookDelivery) -> tuple[int, str]:
    event, subscription = delivery.event, delivery.subscription
    body = json.dumps(event_payload(event), sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    if not subscription.url.startswith(("https://", "http://")):
        raise ValueError("webhook URLs must be http(s)")
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json",
        "User-Agent": "aftersales-desk-webhooks",
        "X-Desk-Event": event.name,
        "X-Desk-Delivery": str(delivery.pk),
        "X-Desk-Timestamp": timestamp,
        "X-Desk-Signature": "sha256=" + sign(body, subscription.secret, timestamp),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) checked above
            return response.status, response.read(EXCERPT).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(EXCERPT).decode(errors="replace")
