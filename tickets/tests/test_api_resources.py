"""The resources the ERP reads: stores, orders, disputes, returns, refunds (and
tickets): their fields and outcomes, filters, scoping to the caller's stores
(another store's row is a 404), store creation by an admin key, and a constant
number of queries per page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.choices import ClockState, DisputeOutcome, DisputeStatus, RefundReason, ReturnStatus
from tickets.models import AuditEntry, Store
from tickets.services.api_keys import api_key_create
from tickets.services.refunds import refund_record

from .factories import (
    T0,
    ClockFactory,
    DisputeFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    RefundFactory,
    ReturnFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in rows(response)]


@pytest.fixture
def key(store, admin_user):
    return api_key_create(name="erp-main", stores=[store], actor=admin_user)[1]


@pytest.fixture
def admin_key(store, admin_user):
    return api_key_create(name="erp-admin", stores=[store], is_admin=True, actor=admin_user)


# Reading -----------------------------------------------------------------------------------------------
def test_order_has_its_buyer_and_items(agent_client, store):
    order = OrderFactory(store=store, order_number="8001", total=Decimal("30.00"), carrier="Cainiao",
                         tracking_number="LP1", shipped_at=T0)
    OrderItemFactory(order=order, sku="EAR-1", title="Earbuds", quantity=2, unit_price=Decimal("15.00"))
    row = agent_client.get(f"{API}/orders/{order.pk}/").json()
    assert row["store"] == "ae-main"
    assert (row["order_number"], row["total"], row["currency"], row["refunded_amount"]) == (
        "8001", "30.00", "USD", "0.00")
    assert row["buyer"] == {"id": order.buyer.pk, "platform_buyer_id": order.buyer.platform_buyer_id,
                            "name": order.buyer.name, "country": "FR", "language": "fr", "email": ""}
    assert [(i["sku"], i["title"], i["quantity"], i["unit_price"]) for i in row["items"]] == [
        ("EAR-1", "Earbuds", 2, "15.00")]
    assert (row["carrier"], row["tracking_number"], row["shipped_at"]) == ("Cainiao", "LP1", "2025-03-10T08:00:00Z")


def test_dispute_has_its_outcome_refunds_and_clocks(agent_client, store, admin_user):
    dispute = DisputeFactory(store=store, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.AGREED_PARTIAL_REFUND,
                             outcome_note="kept the item")
    refund_record(order=dispute.order, amount=Decimal("12.00"), reason=RefundReason.DISPUTE_AGREEMENT,
                  actor=admin_user, dispute=dispute)
    refund_record(order=dispute.order, amount=Decimal("3.00"), reason=RefundReason.GOODWILL, actor=admin_user)
    met = ClockFactory(store=store, dispute=dispute, state=ClockState.MET)

    row = agent_client.get(f"{API}/disputes/{dispute.pk}/").json()
    assert (row["status"], row["outcome"], row["outcome_note"], row["resolved_at"]) == (
        "resolved", "agreed_partial_refund", "kept the item", "2025-03-10T08:00:00Z")
    assert (row["refunded_amount"], row["order_refunded_amount"]) == ("12.00", "15.00")
    assert (row["order"], row["order_number"]) == (dispute.order_id, dispute.order.order_number)
    assert row["clocks"] == [{
        "id": met.pk, "kind": "dispute_response", "state": "met", "started_at": "2025-03-10T08:00:00Z",
        "due_at": "2025-03-11T08:00:00Z", "warn_at": "2025-03-11T04:00:00Z", "escalate_at": None,
        "met_at": "2025-03-10T09:00:00Z", "breached_at": None, "cancelled_at": None,
        "updated_at": row["clocks"][0]["updated_at"],
    }]


def test_a_dispute_without_refunds_has_refunded_zero(agent_client, store):
    dispute = DisputeFactory(store=store)
    row = rows(agent_client.get(f"{API}/disputes/"))[0]
    assert (row["id"], row["refunded_amount"], row["order_refunded_amount"], row["clocks"]) == (
        dispute.pk, "0.00", "0.00", [])


def test_return_has_its_state_and_times(agent_client, store):
    ret = ReturnFactory(store=store, status=ReturnStatus.RECEIVED, tracking_number="RT1",
                        received_at=T0 + datetime.timedelta(days=9))
    row = agent_client.get(f"{API}/returns/{ret.pk}/").json()
    assert (row["status"], row["dispute"], row["order"], row["tracking_number"], row["received_at"]) == (
        "received", ret.dispute_id, ret.order_id, "RT1", "2025-03-19T08:00:00Z")


def test_refund_has_amount_currency_reason_and_source(agent_client, store, admin_user):
    order = OrderFactory(store=store)
    refund = refund_record(order=order, amount=Decimal("7.50"), reason=RefundReason.GOODWILL, actor=admin_user,
                           note="scratched")
    row = agent_client.get(f"{API}/refunds/{refund.pk}/").json()
    assert (row["amount"], row["currency"], row["reason"], row["source"], row["note"], row["order_number"]) == (
        "7.50", "USD", "goodwill", refund.source, "scratched", order.order_number)
    assert all(row[name] for name in ("refunded_at", "created_at", "updated_at"))


def test_ticket_detail_keeps_its_messages(agent_client, store):
    ticket = TicketFactory(store=store)
    MessageFactory(ticket=ticket, body="Where is my parcel?")
    assert [m["body"] for m in agent_client.get(f"{API}/tickets/{ticket.pk}/").json()["messages"]] == [
        "Where is my parcel?"]


# Scoping -------------------------------------------------------------------------------------------------
MAKERS = {
    "orders": lambda store: OrderFactory(store=store),
    "disputes": lambda store: DisputeFactory(store=store),
    "returns": lambda store: ReturnFactory(store=store),
    "refunds": lambda store: RefundFactory(store=store),
    "tickets": lambda store: TicketFactory(store=store),
    "clocks": lambda store: ClockFactory(store=store),
}


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_a_key_sees_only_its_stores(client, key, store, other_store, resource):
    mine, theirs = MAKERS[resource](store), MAKERS[resource](other_store)
    assert ids(client.get(f"{API}/{resource}/", {"order": "updated"} if resource == "clocks" else {},
                          **bearer(key))) == [mine.pk]
    assert client.get(f"{API}/{resource}/{mine.pk}/", **bearer(key)).status_code == 200
    response = client.get(f"{API}/{resource}/{theirs.pk}/", **bearer(key))
    assert response.status_code == 404
    assert str(theirs.pk) not in response.content.decode().replace(f"/{theirs.pk}/", "")


def test_stores_are_the_key_stores(client, key, store, other_store):
    assert [row["code"] for row in rows(client.get(f"{API}/stores/", **bearer(key)))] == ["ae-main"]
    assert client.get(f"{API}/stores/{other_store.pk}/", **bearer(key)).status_code == 404
    row = client.get(f"{API}/stores/{store.pk}/", **bearer(key)).json()
    assert (row["code"], row["marketplace"], row["timezone"]) == ("ae-main", "aliexpress", "Asia/Shanghai")


# Filters -------------------------------------------------------------------------------------------------
def test_disputes_filter_by_status_family_outcome_and_order(agent_client, store):
    open_ = DisputeFactory(store=store)
    won = DisputeFactory(store=store, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.SELLER_WON)

    def listed(**params):
        return ids(agent_client.get(f"{API}/disputes/", params))

    assert listed(status="open") == [open_.pk]
    assert listed(outcome="seller_won") == [won.pk]
    assert listed(family="not_as_described", store="ae-main") == [open_.pk, won.pk]
    assert listed(order_number=won.order.order_number) == [won.pk]


def test_orders_returns_refunds_filter(agent_client, store):
    order = OrderFactory(store=store, order_number="A-1")
    OrderFactory(store=store)
    assert ids(agent_client.get(f"{API}/orders/", {"order_number": "A-1"})) == [order.pk]
    assert ids(agent_client.get(f"{API}/orders/", {"buyer": order.buyer.platform_buyer_id})) == [order.pk]
    lapsed = ReturnFactory(store=store, status=ReturnStatus.LAPSED)
    ReturnFactory(store=store)
    assert ids(agent_client.get(f"{API}/returns/", {"status": "lapsed"})) == [lapsed.pk]
    assert ids(agent_client.get(f"{API}/returns/", {"dispute": lapsed.dispute_id})) == [lapsed.pk]
    lost = RefundFactory(store=store, reason=RefundReason.DISPUTE_LOST)
    RefundFactory(store=store)
    assert ids(agent_client.get(f"{API}/refunds/", {"reason": "dispute_lost"})) == [lost.pk]


@pytest.mark.parametrize(("resource", "params", "field"), [
    ("disputes", {"status": "sleeping"}, "status"),
    ("disputes", {"store": "ae-other"}, "store"),
    ("orders", {"status": "lost-in-space"}, "status"),
    ("returns", {"dispute": "abc"}, "dispute"),
    ("refunds", {"source": "bank"}, "source"),
    ("stores", {"marketplace": "temu"}, "marketplace"),
    ("tickets", {"priority": "purple"}, "priority"),
])
def test_bad_filters_are_a_400_naming_the_field(agent_client, other_store, resource, params, field):
    response = agent_client.get(f"{API}/{resource}/", params)
    assert response.status_code == 400
    assert field in response.json()


# Creating stores -------------------------------------------------------------------------------------------
STORE = {"code": "ebay-de", "name": "eBay Germany", "marketplace": "ebay", "timezone": "Europe/Berlin"}


def test_an_admin_key_creates_a_store_and_can_then_read_it(client, admin_key):
    key, raw = admin_key
    response = client.post(f"{API}/stores/", STORE, content_type="application/json", **bearer(raw))
    assert response.status_code == 201, response.content
    store = Store.objects.get(code="ebay-de")
    assert (store.name, store.marketplace, store.timezone) == ("eBay Germany", "ebay", "Europe/Berlin")
    assert response.json()["id"] == store.pk
    assert key.stores.filter(pk=store.pk).exists()
    assert client.get(f"{API}/stores/{store.pk}/", **bearer(raw)).status_code == 200
    entry = AuditEntry.objects.get(action="create", object_id=store.pk, store=store)
    assert (entry.actor_label, entry.to_value) == ("api:erp-admin", "ebay-de")


def test_a_superuser_creates_a_store(client, superuser):
    client.force_login(superuser)
    assert client.post(f"{API}/stores/", STORE, content_type="application/json").status_code == 201
    assert AuditEntry.objects.get(action="create", object_id=Store.objects.get(code="ebay-de").pk).actor == superuser


def test_a_plain_key_or_agent_cannot_create_stores(client, key, agent_client):
    assert client.post(f"{API}/stores/", STORE, content_type="application/json", **bearer(key)).status_code == 403
    assert agent_client.post(f"{API}/stores/", STORE, content_type="application/json").status_code == 403
    assert not Store.objects.filter(code="ebay-de").exists()


def test_a_store_is_created_with_its_working_calendar(client, admin_key):
    calendar = {"work_start": "10:00", "work_end": "19:00", "working_days": "123456", "holiday_country": "de",
                "default_language": "de"}
    response = client.post(f"{API}/stores/", {**STORE, **calendar}, content_type="application/json",
                           **bearer(admin_key[1]))
    assert response.status_code == 201, response.content
    store = Store.objects.get(code="ebay-de")
    assert (str(store.work_start), str(store.work_end), store.working_days, store.holiday_country,
            store.default_language) == ("10:00:00", "19:00:00", "123456", "DE", "de")
    assert response.json()["holiday_country"] == "DE"


@pytest.mark.parametrize(("change", "field"), [
    ({"holiday_country": "ZZ"}, "holiday_country"),
    ({"working_days": "89"}, "working_days"),
    ({"work_start": "23:00"}, "work_end"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "+08:00"}, "timezone"),
    ({"marketplace": "temu"}, "marketplace"),
    ({"code": "ae-main"}, "code"),
    ({"code": "AE-Main"}, "code"),
    ({"code": "has spaces"}, "code"),
    ({"code": ""}, "code"),
    ({"name": None}, "name"),
])
def test_bad_store_values_are_a_400_naming_the_field(client, admin_key, change, field):
    before = Store.objects.count()
    response = client.post(f"{API}/stores/", {**STORE, **change}, content_type="application/json",
                           **bearer(admin_key[1]))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Store.objects.count() == before
    assert not AuditEntry.objects.filter(action="create", content_type__model="store").exists()


def test_an_unknown_store_field_is_refused_by_name(client, admin_key):
    response = client.post(f"{API}/stores/", {**STORE, "holidays": ["2026-12-25"]}, content_type="application/json",
                           **bearer(admin_key[1]))
    assert response.status_code == 400
    assert response.json() == {"holidays": ["Unknown field."]}
    assert not Store.objects.filter(code="ebay-de").exists()


def test_every_bad_store_value_is_reported_in_one_answer(client, admin_key):
    response = client.post(f"{API}/stores/", {"code": "eb y", "name": "", "marketplace": "foo",
                                              "timezone": "Mars/Base"},
                           content_type="application/json", **bearer(admin_key[1]))
    assert response.status_code == 400
    assert sorted(response.json()) == ["code", "marketplace", "name", "timezone"]


# Queries per page ---------------------------------------------------------------------------------------------
def _fill(resource, store, n):
    for _ in range(n):
        if resource == "orders":
            order = OrderFactory(store=store)
            OrderItemFactory.create_batch(2, order=order)
        elif resource == "disputes":
            dispute = DisputeFactory(store=store)
            ClockFactory(store=store, dispute=dispute)
            ClockFactory(store=store, dispute=dispute, state=ClockState.MET)
            RefundFactory(store=store, order=dispute.order, dispute=dispute)
        elif resource == "stores":
            store.api_keys.first().stores.add(Store.objects.create(
                code=f"s-{Store.objects.count()}", name="s", marketplace="aliexpress"))
        else:
            MAKERS[resource](store)


def _queries(client, url, raw) -> tuple[int, int]:
    client.get(url, **bearer(raw))  # the key's "last used" write, at most once a minute, is not the list's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100}, **bearer(raw))
    return len(captured), len(rows(response))


# Key lookup, then the page's rows, then one query per prefetched relation (items; clocks
# and proposals).
LIST_QUERIES = {"orders": 2, "disputes": 3, "returns": 1, "refunds": 1, "tickets": 1, "clocks": 1, "stores": 1}


@pytest.mark.parametrize("resource", sorted(LIST_QUERIES))
def test_list_queries_do_not_grow_with_rows(client, key, store, resource):
    _fill(resource, store, 5)
    small, listed = _queries(client, f"{API}/{resource}/", key)
    assert listed == (6 if resource == "stores" else 5)
    _fill(resource, store, 45)
    large, listed = _queries(client, f"{API}/{resource}/", key)
    assert listed == (51 if resource == "stores" else 50)
    assert small == large <= LIST_QUERIES[resource] + 1  # + the key lookup


def test_fifty_disputes_with_their_clocks_in_a_fixed_number_of_queries(agent_client, store,
                                                                         django_assert_num_queries):
    _fill("disputes", store, 50)
    # Session, user, disputes (with order and refunded sum), their clocks, their proposals.
    with django_assert_num_queries(5):
        listed = rows(agent_client.get(f"{API}/disputes/", {"page_size": 50}))
    assert len(listed) == 50
    assert all(len(row["clocks"]) == 2 and row["refunded_amount"] == "10.00" for row in listed)
