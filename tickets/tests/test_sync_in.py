"""Sync in: ``POST /api/v1/sync/{orders,disputes,returns,messages}/`` with an API key."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeOutcome,
    DisputeStatus,
    MessageKind,
    OrderStatus,
    RefundReason,
    ReturnStatus,
)
from tickets.models import (
    AuditEntry,
    Buyer,
    Clock,
    Dispute,
    Message,
    Order,
    OrderItem,
    Return,
    Ticket,
    WebhookEvent,
    WebhookSubscription,
)
from tickets.services.api_keys import api_key_create
from tickets.services.refunds import refund_record
from tickets.services.sweep import sweep

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client, store, admin_user):
    _key, raw = api_key_create(name="erp", stores=[store], actor=admin_user)

    def post(kind, items, **headers):
        # bytes go out as they are: malformed JSON that the test client would not write
        return client.post(reverse(f"api-sync-{kind}"), items, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)
    return post


def order_item(number="A-1", **overrides):
    item = {
        "store": "ae-main", "order_number": number, "status": "paid",
        "buyer": {"id": "buyer-1", "name": "Ana", "country": "ES", "language": "es"},
        "items": [{"sku": "LAMP-1", "title": "Desk lamp", "quantity": 1, "unit_price": "20.00"},
                  {"sku": "CABLE-2", "title": "USB cable", "quantity": 2, "unit_price": "5.00"}],
        "total": "30.00", "currency": "USD", "carrier": "Cainiao", "tracking_number": "LP00123",
        "placed_at": "2026-11-01T10:00:00-0800", "paid_at": "2026-11-01T10:05:00-0800",
        "updated_at": "2026-11-01T10:05:00-0800",
    }
    item.update(overrides)
    return item


def statuses(response):
    assert response.status_code == 200, response.content
    return [r["status"] for r in response.json()["results"]]


# Orders ---------------------------------------------------------------------------------
def test_new_orders_are_created_with_lines_buyer_and_pacific_times_stored_in_utc(api):
    response = api("orders", [order_item("A-1"), order_item("A-2", buyer={"id": "buyer-2"})])
    assert statuses(response) == ["created", "created"]
    assert response.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "stale": 0, "error": 0}
    order = Order.objects.get(order_number="A-1")
    assert order.paid_at == dt.datetime(2026, 11, 1, 18, 5, tzinfo=dt.UTC)
    assert [(i.sku, i.quantity, i.unit_price) for i in order.items.all()] == [
        ("LAMP-1", 1, Decimal("20.00")), ("CABLE-2", 2, Decimal("5.00"))]
    assert order.buyer.name == "Ana"
    assert order.buyer.language == "es"
    assert response.json()["results"][0]["id"] == order.pk
    assert AuditEntry.objects.filter(object_id=order.pk, action="create", content_type__model="order").count() == 1


def test_a_paid_order_starts_its_chargeback_window_at_the_platform_payment_time(api):
    api("orders", [order_item()])
    clock = Clock.objects.get(order__order_number="A-1")
    assert clock.kind == ClockKind.CHARGEBACK_WINDOW
    assert clock.started_at == dt.datetime(2026, 11, 1, 18, 5, tzinfo=dt.UTC)
    assert clock.due_at - clock.started_at == dt.timedelta(days=180)


def test_the_same_payload_twice_changes_nothing_and_duplicates_nothing(api):
    payload = [order_item("A-1"), order_item("A-2")]
    api("orders", payload)
    counts = (Order.objects.count(), OrderItem.objects.count(), Buyer.objects.count(), Clock.objects.count(),
              AuditEntry.objects.count())
    assert statuses(api("orders", payload)) == ["unchanged", "unchanged"]
    assert counts == (Order.objects.count(), OrderItem.objects.count(), Buyer.objects.count(), Clock.objects.count(),
                      AuditEntry.objects.count())


def test_a_timestamp_without_offset_is_a_field_error_and_the_good_items_still_land(api):
    response = api("orders", [order_item("A-1"), order_item("A-2", paid_at="2026-11-01T10:05:00"),
                              order_item("A-3")])
    assert statuses(response) == ["created", "error", "created"]
    errors = response.json()["results"][1]["errors"]
    assert list(errors) == ["paid_at"]
    assert "offset" in errors["paid_at"][0]
    assert not Order.objects.filter(order_number="A-2").exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"total": "-1"}, "total"),
    ({"total": "1.005"}, "total"),
    ({"currency": "usd"}, "currency"),
    ({"status": "shipping"}, "status"),
    ({"order_no": "x"}, "order_no"),
    ({"buyer": {"name": "no id"}}, "buyer"),
    ({"items": [{"sku": "X", "title": "T", "quantity": 0, "unit_price": "1"}]}, "items"),
    ({"store": "ae-other"}, "store"),
])
def test_bad_items_are_errors_by_field(api, other_store, overrides, field):
    result = api("orders", [order_item(**overrides)]).json()["results"][0]
    assert result["status"] == "error", result
    assert field in result["errors"], result
    assert not Order.objects.exists()


def test_a_store_the_key_does_not_hold_is_unknown_whether_or_not_it_exists(api, other_store):
    errors = [api("orders", [order_item(store=code)]).json()["results"][0]["errors"]["store"][0]
              for code in ("ae-other", "no-such-store")]
    assert errors[0].replace("ae-other", "X") == errors[1].replace("no-such-store", "X")


def test_the_same_order_twice_in_one_request_is_refused_the_second_time(api):
    assert statuses(api("orders", [order_item(), order_item()])) == ["created", "error"]


def test_a_newer_update_is_applied_and_audited_field_by_field(api):
    api("orders", [order_item()])
    response = api("orders", [order_item(tracking_number="LP999", updated_at="2026-11-02T10:00:00-08:00")])
    assert statuses(response) == ["updated"]
    order = Order.objects.get()
    assert order.tracking_number == "LP999"
    entry = AuditEntry.objects.get(object_id=order.pk, action="sync", field="tracking_number",
                                   content_type__model="order")
    assert (entry.from_value, entry.to_value, entry.actor_label) == ("LP00123", "LP999", "api:erp")


def test_an_older_update_is_stale_and_not_applied(api):
    api("orders", [order_item(updated_at="2026-11-05T10:00:00Z")])
    response = api("orders", [order_item(tracking_number="OLD", updated_at="2026-11-04T10:00:00Z")])
    assert statuses(response) == ["stale"]
    assert Order.objects.get().tracking_number == "LP00123"


def test_an_erp_update_older_than_a_desk_refund_is_stale(api, agent):
    api("orders", [order_item(updated_at="2026-11-05T10:00:00Z")])
    order = Order.objects.get()
    refund_record(order=order, amount=Decimal("10.00"), reason=RefundReason.GOODWILL, actor=agent)
    response = api("orders", [order_item(status="cancelled", updated_at="2026-11-19T10:00:00Z")])
    assert statuses(response) == ["stale"]
    assert Order.objects.get().status == OrderStatus.PAID


def test_a_status_the_platform_reached_in_several_steps_is_applied_step_by_step(api):
    api("orders", [order_item()])
    response = api("orders", [order_item(status="completed", shipped_at="2026-11-03T10:00:00Z",
                                         completed_at="2026-11-15T10:00:00Z", updated_at="2026-11-15T10:00:00Z")])
    assert statuses(response) == ["updated"]
    order = Order.objects.get()
    assert order.status == OrderStatus.COMPLETED
    steps = list(AuditEntry.objects.filter(object_id=order.pk, action="status", content_type__model="order")
                 .order_by("pk").values_list("from_value", "to_value"))
    assert steps == [("paid", "shipped"), ("shipped", "completed")]
    window = Clock.objects.get(order=order, kind=ClockKind.REFUND_WINDOW)
    assert window.started_at == dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC)


def test_a_status_reported_without_its_time_takes_the_platforms_last_change(api):
    api("orders", [order_item()])
    response = api("orders", [order_item(status="delivered", updated_at="2026-11-10T10:00:00Z")])
    assert statuses(response) == ["updated"]
    order = Order.objects.get()
    assert order.delivered_at == dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)  # not the sync time (20 Nov)


def test_a_new_order_reported_without_the_time_of_its_status_takes_the_platforms_last_change(api):
    api("orders", [order_item(status="completed", updated_at="2026-11-12T10:00:00Z")])
    order = Order.objects.get()
    assert order.completed_at == dt.datetime(2026, 11, 12, 10, tzinfo=dt.UTC)
    assert Clock.objects.get(order=order, kind=ClockKind.REFUND_WINDOW).started_at == order.completed_at


def test_an_order_with_a_dispute_keeps_its_currency(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item()])
    result = api("orders", [order_item(currency="EUR")]).json()["results"][0]
    assert result["status"] == "error"
    assert "currency" in result["errors"]
    assert Order.objects.get().currency == "USD"


def test_a_status_that_cannot_be_reached_is_a_field_error(api):
    api("orders", [order_item(status="completed", completed_at="2026-11-15T10:00:00Z")])
    result = api("orders", [order_item(status="paid", updated_at="2026-11-16T10:00:00Z")]).json()["results"][0]
    assert result["status"] == "error"
    assert "status" in result["errors"]


def test_a_total_below_what_was_refunded_is_refused(api, agent):
    api("orders", [order_item()])
    refund_record(order=Order.objects.get(), amount=Decimal("25.00"), reason=RefundReason.GOODWILL,
                  actor=agent)
    result = api("orders", [order_item(total="20.00", updated_at="2026-11-20T12:30:00Z")]).json()["results"][0]
    assert result["status"] == "error"
    assert "total" in result["errors"]
    assert Order.objects.get().total == Decimal("30.00")


def test_changed_lines_replace_the_old_ones(api):
    api("orders", [order_item()])
    lines = [{"sku": "LAMP-1", "title": "Desk lamp", "quantity": 3, "unit_price": "10.00"}]
    assert statuses(api("orders", [order_item(items=lines)])) == ["updated"]
    assert list(OrderItem.objects.values_list("sku", "quantity")) == [("LAMP-1", 3)]


def test_a_new_batch_costs_the_same_number_of_queries_whatever_its_size(api):
    api("orders", [order_item("warm-up")])  # fills the per-process caches (content types, policies)
    counts = []
    for size, prefix in ((5, "S"), (50, "L")):
        payload = [order_item(f"{prefix}-{n}", buyer={"id": f"{prefix}-b{n}"}) for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert set(statuses(api("orders", payload))) == {"created"}
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_envelope_must_be_a_list_of_at_most_1000(api):
    assert api("orders", {"store": "ae-main"}).status_code == 400
    response = api("orders", [{}] * 1001)
    assert response.status_code == 413
    assert "1000" in response.json()["detail"].replace(",", "")


def test_without_a_key_the_sync_is_refused(client):
    assert client.post(reverse("api-sync-orders"), [], content_type="application/json").status_code in (401, 403)


# Disputes -------------------------------------------------------------------------------
def dispute_item(dispute_id="D-1", **overrides):
    item = {"store": "ae-main", "dispute_id": dispute_id, "order_number": "A-1", "family": "not_as_described",
            "reason": "damaged", "requested_solution": "full_refund", "requested_amount": "30.00",
            "opened_at": "2026-11-19T11:00:00Z", "buyer_comment": "Arrived broken"}
    item.update(overrides)
    return item


def test_an_erp_dispute_update_older_than_an_agents_refund_on_it_is_stale(api, agent):
    api("orders", [order_item()])
    api("disputes", [dispute_item(updated_at="2026-11-19T11:00:00Z")])
    dispute = Dispute.objects.get()
    refund_record(order=dispute.order, dispute=dispute, amount=Decimal("10.00"), reason=RefundReason.GOODWILL,
                  actor=agent)
    response = api("disputes", [dispute_item(status="negotiating", updated_at="2026-11-20T11:00:00Z")])
    assert statuses(response) == ["stale"]
    assert Dispute.objects.get().status == DisputeStatus.OPEN


def test_a_dispute_opened_25_hours_ago_is_already_due_and_the_next_sweep_lapses_it(api):
    api("orders", [order_item()])
    response = api("disputes", [dispute_item()])
    assert statuses(response) == ["created"]
    dispute = Dispute.objects.get()
    clock = Clock.objects.get(dispute=dispute, kind=ClockKind.DISPUTE_RESPONSE)
    assert clock.due_at == dt.datetime(2026, 11, 20, 11, tzinfo=dt.UTC) < NOW
    assert dispute.ticket is not None
    assert dispute.ticket.order == dispute.order
    sweep(now=NOW)
    assert Clock.objects.get(pk=clock.pk).state == ClockState.BREACHED


def test_a_dispute_synced_twice_has_one_clock_and_one_ticket(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item()])
    assert statuses(api("disputes", [dispute_item()])) == ["unchanged"]
    assert Clock.objects.filter(kind=ClockKind.DISPUTE_RESPONSE).count() == 1
    assert Ticket.objects.count() == 1


def test_a_dispute_the_platform_resolved_with_a_refund_records_that_refund_once(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(opened_at="2026-11-20T08:00:00Z")])
    resolved = dispute_item(opened_at="2026-11-20T08:00:00Z", status="resolved", outcome="agreed_partial_refund",
                            resolved_at="2026-11-20T10:00:00Z", refunded_amount="12.50")
    assert statuses(api("disputes", [resolved])) == ["updated"]
    dispute = Dispute.objects.get()
    refund = dispute.refunds.get()
    assert (refund.amount, refund.source, refund.reason) == (Decimal("12.50"), "platform", "dispute_agreement")
    assert refund.refunded_at == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert dispute.order.refunded_amount == Decimal("12.50")
    assert statuses(api("disputes", [resolved])) == ["unchanged"]
    # The platform refunds more later: only the difference is new.
    assert statuses(api("disputes", [{**resolved, "refunded_amount": "30.00"}])) == ["updated"]
    assert sorted(dispute.refunds.values_list("amount", flat=True)) == [Decimal("12.50"), Decimal("17.50")]
    response = api("disputes", [{**resolved, "refunded_amount": "5.00"}])
    assert statuses(response) == ["error"]
    assert "refunded_amount" in response.json()["results"][0]["errors"]
    assert dispute.refunds.count() == 2


def test_the_platform_total_corrects_the_refund_a_lapse_estimated(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(opened_at="2026-11-19T08:00:00Z")])  # lapsed at 08:00 today
    sweep()
    dispute = Dispute.objects.get()
    assert dispute.order.refunded_amount == Decimal("30.00")  # the lapse records what the buyer asked for
    # The platform actually refunded 25.00.
    response = api("disputes", [dispute_item(opened_at="2026-11-19T08:00:00Z", refunded_amount="25.00",
                                             updated_at="2026-11-20T12:00:00Z")])
    assert statuses(response) == ["updated"]
    dispute.refresh_from_db()
    # The platform's figure replaces the estimate: withdrawn (kept for the ERP), and its own refund recorded.
    refunds = list(dispute.refunds.order_by("pk").values_list("amount", "source", "reason", "withdrawn_at",
                                                              "refunded_at"))
    assert [(amount, source, reason, bool(gone)) for amount, source, reason, gone, _at in refunds] == [
        (Decimal("30.00"), "clock_lapse", "dispute_lost", True), (Decimal("25.00"), "platform", "dispute_lost", False)]
    assert refunds[1][4] == dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)  # the platform's time, not the lapse's
    assert dispute.order.refunded_amount == Decimal("25.00")
    on_order = AuditEntry.objects.get(action="refund_correct", field="refunded_amount")
    assert (on_order.from_value, on_order.to_value) == ("30.00", "0.00")
    assert AuditEntry.objects.filter(action="refund_withdraw", object_id=refunds and dispute.refunds.order_by(
        "pk").first().pk).exists()


def test_the_platform_can_overrule_the_outcome_a_lapse_made_the_desk_record(api):
    api("orders", [order_item()])
    opened = "2026-11-19T08:00:00Z"
    api("disputes", [dispute_item(opened_at=opened)])
    sweep()
    dispute = Dispute.objects.get()
    assert (dispute.outcome, dispute.order.refunded_amount) == ("buyer_won", Decimal("30.00"))

    # The platform says the seller answered in time and won: the desk's inference gives way.
    response = api("disputes", [dispute_item(opened_at=opened, status="resolved", outcome="seller_won",
                                             seller_responded_at="2026-11-19T20:00:00Z")])

    assert statuses(response) == ["updated"]
    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.seller_responded_at) == ("seller_won", dt.datetime(2026, 11, 19, 20,
                                                                                         tzinfo=dt.UTC))
    # The estimate is withdrawn, not deleted: an ERP that pulled it sees it change.
    estimate = dispute.refunds.get()
    assert (estimate.amount, estimate.withdrawn_at is not None) == (Decimal("30.00"), True)
    assert AuditEntry.objects.filter(action="refund_withdraw", object_id=estimate.pk).exists()
    assert dispute.order.refunded_amount == Decimal("0.00")
    entry = AuditEntry.objects.get(action="outcome_correct")
    assert (entry.from_value, entry.to_value, entry.actor_label) == ("buyer_won", "seller_won", "api:erp")
    assert statuses(api("disputes", [dispute_item(opened_at=opened, status="resolved",
                                                  outcome="seller_won")])) == ["unchanged"]


def test_an_erp_pulling_refunds_sees_a_withdrawn_estimate_and_it_counts_no_more(api, client, store, admin_user):
    WebhookSubscription.objects.create(store=store, url="https://erp.example.com/hook", secret="s" * 32,
                                       events=["refund.corrected"])
    api("orders", [order_item()])
    opened = "2026-11-19T08:00:00Z"
    api("disputes", [dispute_item(opened_at=opened)])
    sweep()
    _key, raw = api_key_create(name="erp-pull", stores=[store], actor=admin_user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    pulled = client.get(reverse("api-refund-list"), **auth).json()["results"]
    assert [(r["amount"], r["withdrawn_at"]) for r in pulled] == [("30.00", None)]

    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        api("disputes", [dispute_item(opened_at=opened, status="resolved", outcome="seller_won")])

    changed = client.get(reverse("api-refund-list"), {"updated_after": NOW.isoformat()}, **auth).json()["results"]
    assert [(r["id"], r["amount"], r["withdrawn_at"]) for r in changed] == [
        (pulled[0]["id"], "30.00", "2026-11-20T13:00:00Z")]
    assert client.get(reverse("api-refund-list"), {"withdrawn": "false"}, **auth).json()["results"] == []
    assert client.get(reverse("api-refund-list"), {"withdrawn": "maybe"}, **auth).status_code == 400
    dispute = client.get(reverse("api-dispute-detail", args=[Dispute.objects.get().pk]), **auth).json()
    assert Decimal(dispute["refunded_amount"]) == Decimal("0")
    assert WebhookEvent.objects.filter(name="refund.corrected", object_id=pulled[0]["id"]).count() == 1


def test_an_overrule_made_before_the_sweep_ran_is_not_stale_and_keeps_its_resolution_time(api):
    api("orders", [order_item()])
    opened = "2026-11-19T08:00:00Z"  # due 2026-11-20 08:00; the sweep runs at noon
    api("disputes", [dispute_item(opened_at=opened)])
    sweep()

    response = api("disputes", [dispute_item(opened_at=opened, status="resolved", outcome="seller_won",
                                             resolved_at="2026-11-20T09:00:00Z", updated_at="2026-11-20T09:00:00Z")])

    assert statuses(response) == ["updated"]
    dispute = Dispute.objects.get()
    assert (dispute.outcome, dispute.resolved_at) == ("seller_won", dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))


def test_an_outcome_the_platform_gave_is_never_overruled(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(opened_at="2026-11-20T08:00:00Z", status="resolved", outcome="buyer_won",
                                  resolved_at="2026-11-20T10:00:00Z")])

    response = api("disputes", [dispute_item(opened_at="2026-11-20T08:00:00Z", status="resolved",
                                             outcome="seller_won")])

    assert statuses(response) == ["error"]
    assert list(response.json()["results"][0]["errors"]) == ["outcome"]
    assert Dispute.objects.get().outcome == "buyer_won"


def test_a_platform_refund_beyond_the_order_total_is_an_error_and_changes_nothing(api):
    api("orders", [order_item()])
    response = api("disputes", [dispute_item(opened_at="2026-11-20T08:00:00Z", status="resolved",
                                             outcome="buyer_won", resolved_at="2026-11-20T10:00:00Z",
                                             refunded_amount="99.00")])
    assert statuses(response) == ["error"]
    assert "refunded_amount" in response.json()["results"][0]["errors"]
    assert not Dispute.objects.exists()


def test_impossible_platform_times_are_field_errors_and_open_nothing(api):
    api("orders", [order_item(placed_at="2026-11-01T08:00:00Z", paid_at="2026-11-01T08:05:00Z")])
    epoch = api("disputes", [dispute_item("D-EPOCH", opened_at="1970-01-01T00:00:00Z")]).json()["results"][0]
    before_order = api("disputes", [dispute_item("D-EARLY", opened_at="2026-10-30T08:00:00Z")]).json()["results"][0]
    message = api("messages", [{"store": "ae-main", "order_number": "A-1", "message_id": "M-EPOCH",
                                "body": "Hello?", "sent_at": "1970-01-01T00:00:00Z"}]).json()["results"][0]

    assert (epoch["status"], list(epoch["errors"])) == ("error", ["opened_at"])
    assert (before_order["status"], list(before_order["errors"])) == ("error", ["opened_at"])
    assert "before the order was placed" in before_order["errors"]["opened_at"][0]
    assert (message["status"], list(message["errors"])) == ("error", ["sent_at"])
    assert not Dispute.objects.exists()
    assert not Message.objects.exists()
    assert Ticket.objects.count() == 0


def test_order_times_out_of_sequence_are_an_error_on_the_later_one(api):
    response = api("orders", [order_item(placed_at="2026-11-02T08:00:00Z", paid_at="2026-11-01T08:00:00Z"),
                              order_item("A-2", status="delivered", shipped_at="2026-11-10T08:00:00Z",
                                         delivered_at="2026-11-09T08:00:00Z")])
    first, second = response.json()["results"]
    assert (first["status"], list(first["errors"])) == ("error", ["paid_at"])
    assert (second["status"], list(second["errors"])) == ("error", ["delivered_at"])
    assert not Order.objects.exists()


def test_an_order_update_is_checked_against_its_stored_times_and_disputes(api):
    api("orders", [order_item(placed_at="2026-11-01T08:00:00Z", paid_at="2026-11-01T08:05:00Z")])
    api("disputes", [dispute_item(opened_at="2026-11-10T08:00:00Z")])

    late_placed = api("orders", [order_item(placed_at="2026-11-15T08:00:00Z", paid_at=None)]).json()["results"][0]
    early_ship = api("orders", [order_item(shipped_at="2026-10-01T08:00:00Z")]).json()["results"][0]

    assert (late_placed["status"], list(late_placed["errors"])) == ("error", ["placed_at"])
    assert (early_ship["status"], list(early_ship["errors"])) == ("error", ["shipped_at"])
    order = Order.objects.get()
    assert (order.placed_at, order.shipped_at) == (dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC), None)
    assert statuses(api("orders", [order_item(shipped_at="2026-11-02T08:00:00Z")])) == ["updated"]


def test_a_dispute_for_an_unknown_order_or_missing_fields_is_an_error(api):
    response = api("disputes", [dispute_item(), dispute_item("D-2", opened_at=None, family=None)])
    results = response.json()["results"]
    assert "order_number" in results[0]["errors"]
    assert {"opened_at", "family"} <= set(results[1]["errors"])


def test_the_sellers_answer_on_the_platform_meets_the_clock(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(opened_at="2026-11-20T06:00:00Z")])
    assert statuses(api("disputes", [dispute_item(opened_at="2026-11-20T06:00:00Z",
                                                  seller_responded_at="2026-11-20T08:00:00Z")])) == ["updated"]
    clock = Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE)
    assert clock.state == ClockState.MET
    assert clock.met_at == dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)


def test_resolving_needs_an_outcome_and_records_it(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item()])
    bad = api("disputes", [dispute_item(status="resolved")]).json()["results"][0]
    assert bad["status"] == "error"
    assert "outcome" in bad["errors"]
    good = api("disputes", [dispute_item(status="resolved", outcome="seller_won",
                                         resolved_at="2026-11-20T10:00:00Z")])
    assert statuses(good) == ["updated"]
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.RESOLVED, DisputeOutcome.SELLER_WON)
    assert dispute.resolved_at == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


# Returns --------------------------------------------------------------------------------
def test_a_return_runs_its_clocks_from_the_platform_times(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(requested_solution="return_and_refund")])
    created = api("returns", [{"store": "ae-main", "return_id": "R-1", "dispute_id": "D-1",
                               "agreed_at": "2026-11-19T12:00:00Z"}])
    assert statuses(created) == ["created"]
    shipment = Clock.objects.get(kind=ClockKind.RETURN_SHIPMENT)
    assert shipment.due_at == dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    shipped = api("returns", [{"store": "ae-main", "return_id": "R-1", "tracking_number": "RT1",
                               "tracking_submitted_at": "2026-11-20T09:00:00Z"}])
    assert statuses(shipped) == ["updated"]
    ret = Return.objects.get()
    assert ret.status == ReturnStatus.IN_TRANSIT
    assert ret.tracking_number == "RT1"
    assert Clock.objects.get(pk=shipment.pk).state == ClockState.MET
    receipt = Clock.objects.get(kind=ClockKind.RECEIPT_CONFIRMATION)
    assert receipt.started_at == dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    again = api("returns", [{"store": "ae-main", "return_id": "R-1", "tracking_number": "RT1",
                             "tracking_submitted_at": "2026-11-20T09:00:00Z"}])
    assert statuses(again) == ["unchanged"]


def test_a_shipment_reported_for_a_lapsed_return_is_refused_not_dropped(api):
    api("orders", [order_item()])
    api("disputes", [dispute_item(opened_at="2026-11-05T08:00:00Z", requested_solution="return_and_refund",
                                  seller_responded_at="2026-11-05T09:00:00Z")])
    api("returns", [{"store": "ae-main", "return_id": "R-1", "dispute_id": "D-1",
                     "agreed_at": "2026-11-06T12:00:00Z"}])  # the 10 days ran out on the 16th
    sweep()
    assert Return.objects.get().status == ReturnStatus.LAPSED

    item = {"store": "ae-main", "return_id": "R-1", "tracking_number": "RT1", "carrier": "Cainiao",
            "tracking_submitted_at": "2026-11-15T09:00:00Z", "updated_at": "2026-11-20T11:00:00Z"}
    result = api("returns", [item]).json()["results"][0]

    assert result["status"] == "error"
    assert set(result["errors"]) == {"tracking_number", "tracking_submitted_at"}
    ret = Return.objects.get()
    assert (ret.status, ret.tracking_number, ret.carrier) == (ReturnStatus.LAPSED, "", "")
    assert api("returns", [item]).json()["results"][0]["status"] == "error"  # never "unchanged"


def test_a_return_for_an_unknown_dispute_is_an_error(api):
    result = api("returns", [{"store": "ae-main", "return_id": "R-1", "dispute_id": "nope",
                              "agreed_at": "2026-11-19T12:00:00Z"}]).json()["results"][0]
    assert result["status"] == "error"
    assert "dispute_id" in result["errors"]


# Messages -------------------------------------------------------------------------------
def test_a_buyer_message_opens_a_ticket_and_starts_the_first_response_clock(api):
    api("orders", [order_item()])
    payload = [{"store": "ae-main", "message_id": "M-1", "order_number": "A-1", "body": "Where is my parcel?",
                "sent_at": "2026-11-20T03:00:00-08:00"}]
    assert statuses(api("messages", payload)) == ["created"]
    message = Message.objects.get()
    assert message.kind == MessageKind.BUYER
    assert message.sent_at == dt.datetime(2026, 11, 20, 11, tzinfo=dt.UTC)
    assert Clock.objects.filter(kind=ClockKind.FIRST_RESPONSE, state=ClockState.RUNNING).count() == 1
    assert statuses(api("messages", payload)) == ["unchanged"]
    assert Message.objects.count() == 1


def test_a_reply_sent_on_the_platform_meets_the_first_response_clock(api):
    api("orders", [order_item()])
    api("messages", [{"store": "ae-main", "message_id": "M-1", "order_number": "A-1", "body": "Hello?",
                      "sent_at": "2026-11-20T03:00:00Z"}])
    api("messages", [{"store": "ae-main", "message_id": "M-2", "order_number": "A-1", "body": "On its way.",
                      "sent_at": "2026-11-20T04:00:00Z", "direction": "out"}])
    clock = Clock.objects.get(kind=ClockKind.FIRST_RESPONSE)
    assert clock.state == ClockState.MET
    assert clock.met_at == dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC)
    assert Ticket.objects.count() == 1


def test_a_message_needs_an_order_or_a_buyer(api):
    result = api("messages", [{"store": "ae-main", "message_id": "M-1", "body": "Hi",
                               "sent_at": "2026-11-20T03:00:00Z"}]).json()["results"][0]
    assert result["status"] == "error"
    assert "order_number" in result["errors"]
    by_buyer = api("messages", [{"store": "ae-main", "message_id": "M-1", "buyer_id": "b-9", "body": "Hi",
                                 "sent_at": "2026-11-20T03:00:00Z"}])
    assert statuses(by_buyer) == ["created"]


def test_a_retried_request_with_the_same_idempotency_key_gets_the_first_answer(api):
    first = api("orders", [order_item()], HTTP_IDEMPOTENCY_KEY="batch-1")
    api("orders", [order_item(tracking_number="LP-NEW", updated_at="2026-11-02T10:00:00Z")])
    replay = api("orders", [order_item()], HTTP_IDEMPOTENCY_KEY="batch-1")
    assert replay.json() == first.json()
    assert replay.json()["results"][0]["status"] == "created"
    assert Order.objects.get().tracking_number == "LP-NEW"  # the replay wrote nothing


@pytest.mark.parametrize("body", [
    b'[{"store": "ae-main", "order_number": "\\ud800", "buyer": {"id": "b"}, "total": "1", "currency": "USD"}]',
    b'[{"store": "ae-main", "order_number": "x", "buyer": {"id": "\\udc00"}, "total": "1", "currency": "USD"}]',
    b"[" * 20000 + b"]" * 20000,
])
def test_input_the_stack_cannot_hold_is_a_400_not_a_500(api, body):
    response = api("orders", body)
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["non_field_errors"][0]
    assert not Order.objects.exists()


def test_a_surrogate_pair_is_an_ordinary_character(api):
    response = api("orders", b'[{"store": "ae-main", "order_number": "A-\\ud83d\\ude00", "buyer": {"id": "b"}, '
                             b'"total": "1", "currency": "USD"}]')
    assert statuses(response) == ["created"]
    assert Order.objects.get().order_number == "A-\U0001F600"


def test_a_time_days_ahead_is_a_field_error(api):
    result = api("orders", [order_item(updated_at="2099-11-01T00:00:00Z")]).json()["results"][0]
    assert result["status"] == "error"
    assert "future" in result["errors"]["updated_at"][0]


def test_a_stored_message_sent_again_with_other_text_is_an_error(api):
    api("orders", [order_item()])
    message = {"store": "ae-main", "message_id": "M-1", "order_number": "A-1", "body": "Hello?",
               "sent_at": "2026-11-20T03:00:00Z"}
    api("messages", [message])
    result = api("messages", [{**message, "body": "Edited"}]).json()["results"][0]
    assert result["status"] == "error"
    assert "body" in result["errors"]
    assert Message.objects.get().body == "Hello?"


def test_an_idempotency_key_with_a_control_character_is_a_400(api):
    response = api("orders", [], HTTP_IDEMPOTENCY_KEY="a\x00b")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
