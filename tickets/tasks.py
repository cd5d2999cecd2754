"""Celery tasks. Thin: they parse arguments and call services."""

import logging

from celery import shared_task

from tickets.models import AlertDelivery
from tickets.services.delivery import ALERT_RELATIONS, deliveries_create, delivery_attempt
from tickets.services.health import heartbeat_record

log = logging.getLogger(__name__)

# Webhook retries: 30 s, 2 min, 8 min, 32 min, then 50 min: always under Redis's
# visibility timeout (set in settings), so a waiting retry is never handed out twice.
# Deadlines themselves are never kept as ETA tasks.
WEBHOOK_RETRIES = 5
MAX_RETRY_WAIT = 3000


@shared_task(name="tickets.record_heartbeat", ignore_result=True)
def record_heartbeat(name: str = "beat") -> None:
    heartbeat_record(name=name)


@shared_task(name="tickets.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> str:
    from tickets.services.sweep import sweep

    result = sweep()
    log.info("sweep: %s", result.as_line())
    return result.as_line()


@shared_task(name="tickets.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    from tickets.api.idempotency import idempotent_requests_purge

    return idempotent_requests_purge()


@shared_task(name="tickets.deliver_alerts", ignore_result=True)
def deliver_alerts(alert_ids: list[int]) -> None:
    from tickets.models import Alert

    for alert in Alert.objects.filter(pk__in=alert_ids).select_related(*ALERT_RELATIONS):
        for delivery in deliveries_create(alert=alert):
            if delivery.status == AlertDelivery.Status.SENT:
                continue
            if not delivery_attempt(delivery=delivery):
                _retry_later(delivery)
                deliver_webhook.apply_async((delivery.pk,), countdown=30)


# Named for the webhook it first retried; it retries an email the same way (an SMTP
# server down for a minute must not lose the alert's email).
@shared_task(name="tickets.deliver_webhook", bind=True, ignore_result=True, max_retries=WEBHOOK_RETRIES)
def deliver_webhook(self, delivery_id: int) -> None:
    delivery = AlertDelivery.objects.select_related(*(f"alert__{name}" for name in ALERT_RELATIONS)).get(
        pk=delivery_id)
    if not delivery_attempt(delivery=delivery):
        if self.request.retries < self.max_retries:
            _retry_later(delivery)
        raise self.retry(countdown=min(30 * 4 ** self.request.retries, MAX_RETRY_WAIT))


def _retry_later(delivery) -> None:
    # "failed" is final: while another attempt is coming the delivery is still pending.
    AlertDelivery.objects.filter(pk=delivery.pk).update(status=AlertDelivery.Status.PENDING)


# ERP webhooks: beat runs the dispatcher every minute (and each change asks for a run
# after commit); retries wait in ``next_attempt_at``, never in a countdown task.
@shared_task(name="tickets.webhooks_dispatch", ignore_result=True)
def webhooks_dispatch() -> int:
    from tickets.services.webhooks import webhooks_dispatch as dispatch

    return dispatch(send=webhook_send.delay)


@shared_task(name="tickets.webhook_send", ignore_result=True)
def webhook_send(delivery_id: int) -> None:
    from tickets.models import WebhookDelivery
    from tickets.services.webhooks import webhook_delivery_attempt

    delivery = WebhookDelivery.objects.select_related("event__store", "subscription").filter(pk=delivery_id).first()
    if delivery is not None:  # deleted with its subscription meanwhile
        webhook_delivery_attempt(delivery=delivery)
