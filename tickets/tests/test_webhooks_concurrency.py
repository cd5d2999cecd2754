"""Two webhook dispatchers at once (PostgreSQL): beat's tick and an after-commit run
may overlap. SKIP LOCKED and the conditional claim must hand each due delivery to
exactly one of them, and fan-out must make each delivery once."""

import datetime as dt

import pytest
from django.db import connection

from tickets.models import WebhookDelivery, WebhookEvent
from tickets.services.webhooks import webhook_deliveries_claim, webhooks_fan_out

from .factories import T0, StoreFactory
from .test_sweep_concurrency import run_together
from .test_webhooks import make_subscription

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent claims need PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def events(store, count: int) -> None:
    WebhookEvent.objects.bulk_create([
        WebhookEvent(store=store, name="refund.recorded", object_type="refund", object_id=n, occurred_at=T0)
        for n in range(count)])


def test_two_dispatchers_fan_out_each_event_once():
    store = StoreFactory()
    make_subscription(store)
    make_subscription(store, url="https://second.example.com/")
    events(store, 300)

    run_together(*[lambda: webhooks_fan_out(now=NOW, batch_size=50)] * 2)

    assert WebhookDelivery.objects.count() == 600
    assert not WebhookEvent.objects.filter(fanned_out_at__isnull=True).exists()


def test_two_dispatchers_never_claim_the_same_delivery():
    store = StoreFactory()
    make_subscription(store)
    events(store, 200)
    webhooks_fan_out(now=NOW)
    claimed = {"a": [], "b": []}

    def claimer(name):
        def claim():
            for _ in range(10):
                claimed[name] += webhook_deliveries_claim(now=NOW, limit=15)
        return claim

    run_together(claimer("a"), claimer("b"))

    together = claimed["a"] + claimed["b"]
    assert len(together) == len(set(together)) == 200
