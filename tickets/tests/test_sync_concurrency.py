"""Two ERP workers sending the same new orders and disputes at the same moment (PostgreSQL).

Each thread has its own connection. Whichever commits first creates; the other
finds the unique constraints in its way, falls back to the one-by-one path and
reports the items as unchanged: one row, one clock, one audit trail per object.
"""

import importlib

import pytest
from django.db import connection

from tickets.choices import ClockKind
from tickets.models import AuditEntry, Buyer, Clock, Dispute, Order, OrderItem
from tickets.services.api_keys import api_key_create
from tickets.services.sync.disputes import disputes_sync
from tickets.services.sync.orders import orders_sync

from .test_sweep_concurrency import run_together
from .test_sync_in import order_item

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def policies(db):
    """The default clock policies: a transactional test starts from empty tables,
    without what the data migration loaded."""
    from django.apps import apps

    importlib.import_module("tickets.migrations.0002_default_policies").load(apps, None)


@pytest.fixture
def actor(store, admin_user):
    from tickets.api.auth import ApiKeyUser

    key, _raw = api_key_create(name="erp", stores=[store], actor=admin_user)
    return ApiKeyUser(key)


def test_the_same_new_orders_sent_twice_at_once_are_stored_once(actor):
    payload = [order_item(f"C-{n}", buyer={"id": f"cb-{n}"}) for n in range(30)]
    reports = []
    run_together(*[lambda: reports.append(orders_sync(payload, actor=actor))] * 2)
    outcomes = sorted(tuple(sorted({r["status"] for r in rep["results"]})) for rep in reports)
    assert ("created",) in outcomes
    assert all(set(o) <= {"created", "unchanged"} for o in outcomes)
    assert Order.objects.count() == 30
    assert OrderItem.objects.count() == 60
    assert Buyer.objects.count() == 30
    assert Clock.objects.filter(kind=ClockKind.CHARGEBACK_WINDOW).count() == 30
    assert AuditEntry.objects.filter(content_type__model="order", action="create").count() == 30


def test_the_same_dispute_sent_twice_at_once_has_one_clock(actor):
    orders_sync([order_item("C-1")], actor=actor)
    dispute = {"store": "ae-main", "dispute_id": "CD-1", "order_number": "C-1", "family": "not_received",
               "reason": "lost", "requested_solution": "full_refund", "requested_amount": "30.00",
               "opened_at": "2026-11-19T11:00:00Z"}
    reports = []
    run_together(*[lambda: reports.append(disputes_sync([dispute], actor=actor))] * 2)
    assert Dispute.objects.count() == 1
    assert Clock.objects.filter(kind=ClockKind.DISPUTE_RESPONSE).count() == 1
    statuses = sorted(rep["results"][0]["status"] for rep in reports)
    assert statuses == ["created", "unchanged"], reports
