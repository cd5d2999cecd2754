"""Delivering alerts by email and webhook, after the sweep has committed them.

Detection and delivery are separate: the sweep only writes alert rows (the outbox)
and asks for delivery once its transaction commits. A delivery row is written
before the first attempt and every attempt is recorded, so a failing mail server or
webhook never blocks the sweep and never loses an alert: it stays pending or failed,
visible in the admin, and the in-app inbox has it regardless.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tickets.choices import AlertLevel
from tickets.models import Alert, AlertDelivery, DeliveryAttempt

from .clocks import SUBJECT_RELATIONS, alert_text, clock_explanation_lines, clock_subject_label, lapse_consequence

CHUNK = 1000


def schedule_delivery(alert_ids: list[int]) -> None:
    """Ask the workers to deliver these alerts once the current transaction commits."""
    if not alert_ids:
        return
    from tickets.tasks import deliver_alerts

    for start in range(0, len(alert_ids), CHUNK):
        chunk = alert_ids[start:start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: deliver_alerts.delay(chunk))


# What an alert's payload, email and text read: its clock, the clock's store (the zone)
# and subject (its platform id), loaded with the alert.
ALERT_RELATIONS = ("store", "clock__store", *(f"clock__{name}" for name in SUBJECT_RELATIONS))


def alert_payload(alert: Alert) -> dict:
    clock = alert.clock
    return {
        # The catalogue's names (what a subscription picks): an escalation is a
        # clock.warning whose ``level`` says so.
        "event": "clock.breached" if alert.level == AlertLevel.BREACH else "clock.warning",
        "alert_id": alert.pk,
        "level": alert.level,
        "store": alert.store.code,
        "ticket": clock.ticket_id,
        "clock": {"id": clock.pk, "kind": clock.kind, "subject": clock.subject_key, "state": clock.state,
                  "subject_label": clock_subject_label(clock),
                  "due_at": clock.due_at.isoformat(),
                  "amount_at_stake": str(clock.amount_at_stake) if clock.amount_at_stake is not None else None,
                  "currency": clock.currency},
        "raised_at": alert.raised_at.isoformat(),
        "text": alert_text(alert),
    }


def deliveries_create(*, alert: Alert) -> list[AlertDelivery]:
    """One email per recipient with an address, and one webhook call if configured."""
    targets = [(AlertDelivery.Channel.EMAIL, r.user.email) for r in alert.receipts.select_related("user")
               if r.user.email]
    if settings.ALERT_WEBHOOK_URL:
        targets.append((AlertDelivery.Channel.WEBHOOK, settings.ALERT_WEBHOOK_URL))
    deliveries = []
    for channel, target in targets:
        delivery, _ = AlertDelivery.objects.get_or_create(alert=alert, channel=channel, target=target)
        deliveries.append(delivery)
    return deliveries


def sign(body: bytes, secret: str, timestamp: str) -> str:
    """HMAC-SHA256 over "timestamp.body", so a replayed body with a new time fails."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def delivery_attempt(*, delivery: AlertDelivery) -> bool:
    """Try once. The attempt row is written before the call and completed after it."""
    if delivery.status == AlertDelivery.Status.SENT:
        return True
    number = delivery.attempts + 1
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=number, started_at=timezone.now())
    AlertDelivery.objects.filter(pk=delivery.pk).update(attempts=number)
    delivery.attempts = number
    ok, code, error = False, None, ""
    try:
        if delivery.channel == AlertDelivery.Channel.EMAIL:
            _send_email(delivery)
            ok = True
        else:
            code = _post_webhook(delivery)
            ok = 200 <= code < 300
            error = "" if ok else f"HTTP {code}"
    except Exception as exc:  # any failure is recorded, never raised into the sweep
        error = f"{type(exc).__name__}: {exc}"[:500]
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now(), ok=ok, status_code=code,
                                                         error=error)
    delivery.status = AlertDelivery.Status.SENT if ok else AlertDelivery.Status.FAILED
    delivery.last_error = error
    delivery.sent_at = timezone.now() if ok else None
    delivery.save(update_fields=["status", "last_error", "sent_at"])
    return ok


def _send_email(delivery: AlertDelivery) -> None:
    # The clock's store gives the zone its due time is written in.
    alert = Alert.objects.select_related(*ALERT_RELATIONS).get(pk=delivery.alert_id)
    # In the desk's configured language, whatever language the worker thread has active.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(store)s] %(level)s: %(clock)s") % {
            "store": alert.store.code, "level": alert.get_level_display(), "clock": alert.clock.get_kind_display()}
        body = "\n\n".join(_email_paragraphs(alert)) + "\n"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.target])


def _email_paragraphs(alert: Alert) -> list[str]:
    """What happened, why the clock is due when it is, what the lapse costs, and where
    to act: the stored ``alert.text`` is a fixed English record, so the email is
    composed afresh in the desk's language."""
    clock = alert.clock
    subject = clock_subject_label(clock)
    consequence = lapse_consequence(clock)
    paragraphs = [
        _("%(level)s: %(clock)s on %(subject)s.") % {
            "level": alert.get_level_display(), "clock": clock.get_kind_display(), "subject": subject},
        "\n".join(clock_explanation_lines(clock)),
        (_("The lapse's consequence: %(consequence)s") if alert.level == AlertLevel.BREACH
         else _("If it lapses: %(consequence)s")) % {"consequence": consequence},
    ]
    if clock.ticket_id:
        paragraphs.append(_("Ticket: %(url)s") % {
            "url": settings.SITE_URL + reverse("ticket-detail", args=[clock.ticket_id])})
    paragraphs.append(_("Your alerts: %(url)s") % {"url": settings.SITE_URL + reverse("alert-list")})
    return paragraphs


def _post_webhook(delivery: AlertDelivery) -> int:
    body = json.dumps(alert_payload(delivery.alert), sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    if not delivery.target.startswith(("https://", "http://")):
        raise ValueError("webhook URLs must be http(s)")
    request = urllib.request.Request(delivery.target, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json",
        "X-Desk-Delivery": str(delivery.pk),
        "X-Desk-Timestamp": timestamp,
        "X-Desk-Signature": "sha256=" + sign(body, settings.ALERT_WEBHOOK_SECRET, timestamp),
    })
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - URL set by the operator
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
