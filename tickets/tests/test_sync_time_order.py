"""Platform times of returns and disputes come in a possible order.

A return is agreed no earlier than its dispute opened, its tracking number entered
no earlier than the agreement, its receipt no earlier than either; nothing happens
on a dispute before it opened, and it is resolved no earlier than its platform
review. Equal times are fine. The services refuse anything else with a field error
before writing, so the admin, the API and the sync refuse alike; the sync reports
it per item and lands the rest of the batch. A database rule broken anyway is
reported as such, never as "send it again".
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    RequestedSolution,
    ReturnStatus,
)
from tickets.models import AuditEntry, Clock, Dispute, Return
from tickets.services import returns as return_services
from tickets.services.api_keys import api_key_create
from tickets.services.disputes import dispute_open, dispute_seller_responded, dispute_set_status
from tickets.services.messages import message_reply
from tickets.services.returns import return_agree, return_set_status
from tickets.services.sync import returns as return_sync

from .factories import OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
OPENED = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)
AGREED = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
ERP = "api:erp-main"

BEFORE_OPENED = "This time is before the dispute was opened (2026-11-22 10:00 UTC)."
BEFORE_AGREED = "This time is before the return was agreed (2026-11-22 20:00 UTC)."


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# Through the API ------------------------------------------------------------------------
@pytest.fixture
def api(client, store, admin_user):
    _key, raw = api_key_create(name="erp", stores=[store], actor=admin_user)

    def post(kind, items):
        response = client.post(reverse(f"api-sync-{kind}"), items, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, response.content
        return response.json()["results"]
    return post


def dispute_item(dispute_id="D-1", **overrides):
    item = {"store": "ae-main", "dispute_id": dispute_id, "order_number": "A-1", "family": "not_as_described",
            "reason": "damaged", "requested_solution": "return_and_refund", "requested_amount": "30.00",
            "opened_at": iso(OPENED)}
    item.update(overrides)
    return item


def return_item(return_id="R-1", **overrides):
    item = {"store": "ae-main", "return_id": return_id, "dispute_id": "D-1", "agreed_at": iso(AGREED)}
    item.update(overrides)
    return item


@pytest.fixture
def synced_dispute(api):
    order = {"store": "ae-main", "order_number": "A-1", "status": "paid", "total": "30.00", "currency": "USD",
             "buyer": {"id": "buyer-1", "name": "Ana", "country": "ES", "language": "es"},
             "items": [{"sku": "LAMP-1", "title": "Desk lamp", "quantity": 1, "unit_price": "30.00"}],
             "placed_at": "2026-11-01T10:00:00Z", "paid_at": "2026-11-01T10:05:00Z"}
    assert [r["status"] for r in api("orders", [order])] == ["created"]
    assert [r["status"] for r in api("disputes", [dispute_item()])] == ["created"]
    return Dispute.objects.get()


def test_a_new_return_received_before_it_was_agreed_is_a_field_error_on_received_at(api, synced_dispute):
    results = api("returns", [return_item(tracking_number="RT1", received_at=iso(AGREED - H))])

    assert results[0]["status"] == "error"
    assert results[0]["errors"] == {"received_at": [BEFORE_AGREED]}
    assert not Return.objects.exists()
    assert not Clock.objects.filter(kind=ClockKind.RETURN_SHIPMENT).exists()


def test_a_later_sync_with_a_receipt_before_the_stored_agreement_is_a_field_error(api, synced_dispute):
    api("returns", [return_item()])

    results = api("returns", [return_item(tracking_number="RT1", received_at=iso(AGREED - H))])

    assert results[0]["errors"] == {"received_at": [BEFORE_AGREED]}
    ret = Return.objects.get()
    assert (ret.status, ret.tracking_number, ret.received_at) == (ReturnStatus.AWAITING_SHIPMENT, "", None)
    assert Clock.objects.get(kind=ClockKind.RETURN_SHIPMENT).state == ClockState.RUNNING


@pytest.mark.parametrize("stored_first", [False, True], ids=["new", "update"])
def test_a_tracking_number_entered_before_the_agreement_is_refused(api, synced_dispute, stored_first):
    if stored_first:
        api("returns", [return_item()])

    results = api("returns", [return_item(tracking_number="RT1", tracking_submitted_at=iso(AGREED - H))])

    assert results[0]["errors"] == {"tracking_submitted_at": [BEFORE_AGREED]}
    assert not Return.objects.exclude(status=ReturnStatus.AWAITING_SHIPMENT).exists()


def test_a_receipt_before_the_stored_tracking_number_is_refused(api, synced_dispute):
    entered = AGREED + 5 * H
    api("returns", [return_item(tracking_number="RT1", tracking_submitted_at=iso(entered))])

    results = api("returns", [return_item(tracking_number="RT1", received_at=iso(entered - H))])

    assert results[0]["errors"] == {"received_at": [
        "This time is before the buyer entered the return tracking number (2026-11-23 01:00 UTC)."]}
    assert Return.objects.get().status == ReturnStatus.IN_TRANSIT


def test_every_time_out_of_order_in_one_item_is_reported(api, synced_dispute):
    results = api("returns", [return_item(agreed_at=iso(OPENED - H), tracking_number="RT1",
                                          tracking_submitted_at=iso(AGREED), received_at=iso(AGREED - H))])

    assert results[0]["errors"] == {
        "agreed_at": [BEFORE_OPENED],
        "received_at": ["This time is before the buyer entered the return tracking number (2026-11-22 20:00 UTC)."],
    }


def test_a_return_agreed_before_its_dispute_opened_is_refused(api, synced_dispute):
    results = api("returns", [return_item(agreed_at=iso(OPENED - H))])

    assert results[0]["errors"] == {"agreed_at": [BEFORE_OPENED]}
    assert not Return.objects.exists()


def test_equal_times_are_a_possible_order(api, synced_dispute):
    results = api("returns", [return_item(agreed_at=iso(OPENED), tracking_number="RT1",
                                          tracking_submitted_at=iso(OPENED), received_at=iso(OPENED))])

    assert [r["status"] for r in results] == ["created"]
    ret = Return.objects.get()
    assert (ret.status, ret.tracking_submitted_at, ret.received_at) == (ReturnStatus.RECEIVED, OPENED, OPENED)


def test_a_tracking_number_sent_with_the_receipt_is_dated_no_later_than_the_receipt(api, synced_dispute):
    """Without its own time, the step the platform passed is not put at the desk's
    "now", after the receipt the platform reports."""
    received = AGREED + 30 * H

    results = api("returns", [return_item(tracking_number="RT1", received_at=iso(received))])

    assert [r["status"] for r in results] == ["created"]
    ret = Return.objects.get()
    assert (ret.status, ret.tracking_submitted_at, ret.received_at) == (ReturnStatus.RECEIVED, received, received)


def test_the_other_items_of_the_batch_still_go_in(api, synced_dispute):
    api("disputes", [dispute_item("D-2", order_number="A-1")])

    results = api("returns", [return_item("R-1", tracking_number="RT1", received_at=iso(AGREED - H)),
                              return_item("R-2", dispute_id="D-2")])

    assert [r["status"] for r in results] == ["error", "created"]
    assert list(Return.objects.values_list("external_id", flat=True)) == ["R-2"]


@pytest.mark.parametrize("stored_first", [False, True], ids=["new", "update"])
def test_a_dispute_resolved_before_it_opened_is_refused_and_its_clock_keeps_running(api, synced_dispute,
                                                                                     stored_first):
    dispute_id = "D-1" if stored_first else "D-2"

    results = api("disputes", [dispute_item(dispute_id, status="resolved", outcome="seller_won",
                                            resolved_at=iso(OPENED - H))])

    assert results[0]["status"] == "error"
    assert results[0]["errors"] == {"resolved_at": [BEFORE_OPENED]}
    assert list(Dispute.objects.values_list("external_id", "status")) == [("D-1", DisputeStatus.OPEN)]
    clock = Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE)
    assert (clock.state, clock.cancelled_at) == (ClockState.RUNNING, None)


def test_a_dispute_resolved_before_its_platform_review_is_refused(api, synced_dispute):
    review = OPENED + 2 * H
    api("disputes", [dispute_item(status="platform_review", platform_review_at=iso(review))])

    results = api("disputes", [dispute_item(status="resolved", outcome="buyer_won", resolved_at=iso(review - H))])

    assert results[0]["errors"] == {"resolved_at": [
        "This time is before the dispute went to platform review (2026-11-22 12:00 UTC)."]}
    assert Dispute.objects.get().status == DisputeStatus.PLATFORM_REVIEW


@pytest.mark.parametrize("field", ["platform_review_at", "seller_responded_at"])
def test_other_dispute_times_before_the_opening_are_refused(api, synced_dispute, field):
    item = dispute_item(**{field: iso(OPENED - H)})
    if field == "platform_review_at":
        item["status"] = "platform_review"

    results = api("disputes", [item])

    assert results[0]["errors"] == {field: [BEFORE_OPENED]}
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.seller_responded_at) == (DisputeStatus.OPEN, None)


def test_a_dispute_resolved_when_it_opened_is_fine(api, synced_dispute):
    results = api("disputes", [dispute_item("D-2", status="resolved", outcome="withdrawn",
                                            resolved_at=iso(OPENED))])

    assert [r["status"] for r in results] == ["created"]
    assert Dispute.objects.get(external_id="D-2").resolved_at == OPENED


def test_a_dispute_opening_time_cannot_move_once_its_clock_started(api, synced_dispute):
    clock = Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE)

    results = api("disputes", [dispute_item(opened_at=iso(OPENED + H))])

    assert results[0]["status"] == "error"
    assert results[0]["errors"] == {"opened_at": [
        "The opening time cannot change: the response clock started from it (2026-11-22 10:00 UTC)."]}
    assert Dispute.objects.get().opened_at == OPENED
    assert Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE).due_at == clock.due_at
    # The same instant written in another zone is no change.
    same = OPENED.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    assert [r["status"] for r in api("disputes", [dispute_item(opened_at=same)])] == ["unchanged"]


@pytest.mark.parametrize("stored_first", [False, True], ids=["new", "update"])
def test_a_database_rule_broken_anyway_is_named_and_not_worth_a_retry(api, synced_dispute, monkeypatch,
                                                                      stored_first):
    """Were the order check ever missing, the CHECK constraint refuses the row: the
    item says which rule, and the rest of the batch still goes in."""
    if stored_first:
        api("returns", [return_item()])
    for module in (return_services, return_sync):
        monkeypatch.setattr(module, "return_times_check", lambda **kwargs: None)
    api("disputes", [dispute_item("D-2")])

    results = api("returns", [return_item(tracking_number="RT1", received_at=iso(AGREED - H)),
                              return_item("R-2", dispute_id="D-2")])

    assert [r["status"] for r in results] == ["error", "created"]
    [message] = results[0]["errors"]["non_field_errors"]
    assert "return_received_after_agreed" in message
    assert "send it again" not in message.replace("Sending it again will not help", "")
    assert not Return.objects.filter(received_at__isnull=False).exists()


# Through the services -------------------------------------------------------------------
@pytest.fixture
def dispute(store):
    return dispute_open(store=store, order=OrderFactory(store=store), external_id="D-1",
                        family=DisputeFamily.NOT_AS_DESCRIBED, reason=DisputeReason.DAMAGED,
                        requested_solution=RequestedSolution.RETURN_AND_REFUND, requested_amount=Decimal("100.00"),
                        opened_at=OPENED, actor=ERP)


@pytest.fixture
def ret(dispute):
    return return_agree(dispute=dispute, external_id="R-1", agreed_at=AGREED, actor=ERP)


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def test_return_agree_refuses_an_agreement_before_the_dispute_opened(dispute):
    errors = refused(return_agree, dispute=dispute, external_id="R-1", agreed_at=OPENED - H, actor=ERP)

    assert errors == {"agreed_at": [BEFORE_OPENED]}
    assert not Return.objects.exists()


def test_return_set_status_refuses_a_step_before_the_one_it_follows_and_writes_nothing(ret):
    audits = AuditEntry.objects.count()

    errors = refused(return_set_status, ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="RT1",
                     actor=ERP, at=AGREED - H)

    assert errors == {"tracking_submitted_at": [BEFORE_AGREED]}
    assert Return.objects.get().status == ReturnStatus.AWAITING_SHIPMENT
    assert AuditEntry.objects.count() == audits
    assert Clock.objects.get(kind=ClockKind.RETURN_SHIPMENT).state == ClockState.RUNNING


@pytest.mark.parametrize(("status", "field"), [(ReturnStatus.RECEIVED, "received_at"),
                                               (ReturnStatus.REFUNDED, "refunded_at"),
                                               (ReturnStatus.DISPUTED, "status")])
def test_the_sellers_answer_to_the_goods_cannot_come_before_they_were_shipped(ret, status, field):
    entered = AGREED + 5 * H
    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="RT1", actor=ERP, at=entered)

    errors = refused(return_set_status, ret=ret, status=status, actor=ERP, at=entered - H)

    assert errors == {field: ["This time is before the buyer entered the return tracking number "
                              "(2026-11-23 01:00 UTC)."]}
    assert Clock.objects.get(kind=ClockKind.RECEIPT_CONFIRMATION).state == ClockState.RUNNING


def test_a_return_cancelled_before_it_was_received_is_refused(ret):
    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="RT1", actor=ERP, at=AGREED)
    return_set_status(ret=ret, status=ReturnStatus.RECEIVED, actor=ERP, at=AGREED + 2 * H)
    return_set_status(ret=ret, status=ReturnStatus.DISPUTED, actor=ERP, at=AGREED + 3 * H)

    errors = refused(return_set_status, ret=ret, status=ReturnStatus.CANCELLED, actor=ERP, at=AGREED + H)

    assert errors == {"closed_at": ["This time is before the return was received (2026-11-22 22:00 UTC)."]}


def test_each_return_step_may_share_the_time_of_the_one_before(ret):
    for status in (ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED):
        return_set_status(ret=ret, status=status, tracking_number="RT1", actor=ERP, at=AGREED)

    ret.refresh_from_db()
    assert (ret.tracking_submitted_at, ret.received_at, ret.refunded_at) == (AGREED, AGREED, AGREED)


@pytest.mark.parametrize(("status", "field"), [(DisputeStatus.RESOLVED, "resolved_at"),
                                               (DisputeStatus.PLATFORM_REVIEW, "platform_review_at"),
                                               (DisputeStatus.NEGOTIATING, "status")])
def test_dispute_set_status_refuses_a_time_before_the_opening_and_cancels_nothing(dispute, status, field):
    outcome = DisputeOutcome.BUYER_WON if status == DisputeStatus.RESOLVED else ""

    errors = refused(dispute_set_status, dispute=dispute, status=status, outcome=outcome, actor=ERP,
                     at=OPENED - H)

    assert errors == {field: [BEFORE_OPENED]}
    assert Dispute.objects.get().status == DisputeStatus.OPEN
    clock = Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE)
    assert (clock.state, clock.cancelled_at) == (ClockState.RUNNING, None)


def test_a_resolution_before_the_platform_review_is_refused(dispute):
    dispute_set_status(dispute=dispute, status=DisputeStatus.PLATFORM_REVIEW, actor=ERP, at=OPENED + 2 * H)

    errors = refused(dispute_set_status, dispute=dispute, status=DisputeStatus.RESOLVED,
                     outcome=DisputeOutcome.SELLER_WON, actor=ERP, at=OPENED + H)

    assert errors == {"resolved_at": ["This time is before the dispute went to platform review "
                                      "(2026-11-22 12:00 UTC)."]}


def test_an_answer_written_before_the_opening_is_not_an_answer_to_the_dispute(dispute):
    assert dispute_seller_responded(dispute=dispute, at=OPENED - H, actor=ERP, how="test") == 0

    assert Dispute.objects.get().seller_responded_at is None
    assert Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE).state == ClockState.RUNNING


def test_a_reply_synced_late_from_before_the_dispute_is_stored_and_answers_nothing(dispute, agent):
    ticket = dispute.ticket or TicketFactory(store=dispute.store, order=dispute.order)
    Dispute.objects.filter(pk=dispute.pk).update(ticket=ticket)
    dispute.refresh_from_db()
    reply = message_reply(ticket=ticket, author=agent, body="We shipped it yesterday.", sent_at=OPENED - H,
                          external_id="M-OUT-1")
    assert reply.pk
    assert Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE).state == ClockState.RUNNING


def test_a_desk_step_is_never_stamped_before_the_platform_times_it_follows(dispute):
    # The platform's clock runs ahead of the desk's: the dispute opened "in an hour".
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=NOW + H)
    dispute.refresh_from_db()
    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.WITHDRAWN, actor=ERP)
    assert Dispute.objects.get().resolved_at == NOW + H


def test_a_dispute_resolved_at_its_opening_time_is_fine(dispute):
    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.WITHDRAWN,
                       actor=ERP, at=OPENED)

    assert Dispute.objects.get().resolved_at == OPENED
    assert Clock.objects.get(kind=ClockKind.DISPUTE_RESPONSE).cancelled_at == OPENED


def test_the_earlier_time_shows_its_seconds_when_it_has_some(dispute):
    ret = return_agree(dispute=dispute, external_id="R-1", agreed_at=AGREED + dt.timedelta(seconds=30), actor=ERP)

    errors = refused(return_set_status, ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="RT1",
                     actor=ERP, at=AGREED)

    assert errors == {"tracking_submitted_at": ["This time is before the return was agreed "
                                                "(2026-11-22 20:00:30 UTC)."]}


def test_a_recorded_return_time_cannot_move(api, dispute):
    received = {"store": "ae-main", "return_id": "R-9", "dispute_id": "D-1", "agreed_at": iso(AGREED),
                "tracking_number": "RT9", "tracking_submitted_at": iso(AGREED + H), "received_at": iso(AGREED + 2 * H)}
    assert api("returns", [received])[0]["status"] == "created"
    result = api("returns", [{**received, "received_at": iso(AGREED + 3 * H)}])[0]
    assert result["status"] == "error"
    assert result["errors"] == {"received_at": ["Recorded as 2026-11-22 22:00 UTC; a recorded time cannot change."]}
    assert Return.objects.get(external_id="R-9").received_at == AGREED + 2 * H
