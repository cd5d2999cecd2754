"""Recording refunds: never above what the buyer paid, in the order's currency, audited."""

import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tickets.choices import RefundReason, RefundSource
from tickets.models import AuditEntry, Order, Refund
from tickets.services.refunds import refund_record

from .factories import DisputeFactory, OrderFactory, ReturnFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    return OrderFactory(store=store, order_number="8001", total=Decimal("100.00"), currency="USD")


def refund(order, amount, actor, **kwargs):
    return refund_record(order=order, amount=Decimal(amount), reason=RefundReason.GOODWILL, actor=actor, **kwargs)


def refund_audit(order):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=order.pk,
                                     action="refund")


def db_refunded(order) -> Decimal:
    return Order.objects.values_list("refunded_amount", flat=True).get(pk=order.pk)


def test_refund_is_recorded_and_added_to_the_order(order, agent):
    recorded = refund(order, "30.00", agent, note="scratched case")

    assert Refund.objects.get() == recorded
    assert (recorded.store, recorded.order, recorded.amount, recorded.currency) == (
        order.store, order, Decimal("30.00"), "USD")
    assert (recorded.recorded_by, recorded.source) == (agent, RefundSource.AGENT)
    assert order.refunded_amount == Decimal("30.00")
    assert db_refunded(order) == Decimal("30.00")
    assert order.refundable_amount == Decimal("70.00")


def test_refund_writes_an_audit_entry(order, agent):
    refund(order, "30.00", agent)
    refund(order, "20.00", agent, note="second parcel")

    entry = refund_audit(order).order_by("pk").last()
    assert (entry.actor, entry.actor_label, entry.field) == (agent, "agent", "refunded_amount")
    assert (entry.from_value, entry.to_value) == ("30.00", "50.00")
    assert entry.reason == "Goodwill / quality compensation 20.00 USD second parcel"
    assert (entry.store_id, entry.object_id) == (order.store_id, order.pk)
    assert refund_audit(order).count() == 2


def test_first_refund_audit_starts_from_zero(order, agent):
    refund(order, "30.00", agent)
    assert refund_audit(order).get().from_value == "0.00"


def test_refunds_above_what_was_paid_are_refused(order, agent):
    refund(order, "30.00", agent)

    with pytest.raises(ValidationError) as info:
        refund(order, "70.01", agent)

    assert info.value.message_dict == {"amount": [
        "70.01 USD is more than the 70.00 USD still refundable on order 8001 (paid 100.00, refunded 30.00)."]}
    assert db_refunded(order) == order.refunded_amount == Decimal("30.00")
    assert Refund.objects.count() == 1
    assert refund_audit(order).count() == 1


def test_refunds_up_to_exactly_the_total_are_accepted(order, agent):
    refund(order, "30.00", agent)
    refund(order, "70.00", agent)
    assert db_refunded(order) == Decimal("100.00")
    assert order.refundable_amount == Decimal("0.00")

    with pytest.raises(ValidationError) as info:
        refund(order, "0.01", agent)
    assert info.value.message_dict == {"amount": [
        "0.01 USD is more than the 0.00 USD still refundable on order 8001 (paid 100.00, refunded 100.00)."]}


def test_a_stale_order_instance_cannot_pass_the_cap(order, agent):
    stale = Order.objects.get(pk=order.pk)
    refund(order, "60.00", agent)
    with pytest.raises(ValidationError) as info:
        refund(stale, "60.00", agent)
    assert list(info.value.message_dict) == ["amount"]
    assert db_refunded(order) == Decimal("60.00")


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00"])
def test_refund_must_be_more_than_zero(order, agent, amount):
    with pytest.raises(ValidationError) as info:
        refund(order, amount, agent)
    assert info.value.message_dict == {"amount": ["A refund must be more than zero."]}
    assert not Refund.objects.exists()
    assert db_refunded(order) == Decimal("0.00")


def test_refund_in_another_currency_is_refused(order, agent):
    with pytest.raises(ValidationError) as info:
        refund(order, "10.00", agent, currency="EUR")
    assert info.value.message_dict == {"currency": ["Refunds of order 8001 are in USD."]}
    assert not Refund.objects.exists()
    refund(order, "10.00", agent, currency="USD")
    assert db_refunded(order) == Decimal("10.00")


def test_refund_with_more_than_cents_is_refused(order, agent):
    with pytest.raises(ValidationError) as info:
        refund(order, "10.005", agent)
    assert info.value.message_dict == {"amount": ["Ensure that there are no more than 2 decimal places."]}
    assert db_refunded(order) == Decimal("0.00")


def test_resynced_refund_id_is_not_counted_twice(order):
    refund_record(order=order, amount=Decimal("10"), reason=RefundReason.DISPUTE_AGREEMENT, actor="api:erp-main",
                  source=RefundSource.ERP, external_id="RF-1")
    with pytest.raises(ValidationError) as info:
        refund_record(order=order, amount=Decimal("10"), reason=RefundReason.DISPUTE_AGREEMENT,
                      actor="api:erp-main", source=RefundSource.ERP, external_id="RF-1")
    assert list(info.value.message_dict) == ["__all__"]
    assert db_refunded(order) == Decimal("10.00")
    assert Refund.objects.count() == 1


def test_refund_links_dispute_and_return_and_names_a_system_actor(store):
    dispute = DisputeFactory(store=store)
    ret = ReturnFactory(store=store, dispute=dispute)
    recorded = refund_record(order=dispute.order, amount=Decimal("100.00"), reason=RefundReason.RETURN_RECEIVED,
                             actor="system:sweep", source=RefundSource.CLOCK_LAPSE, dispute=dispute,
                             return_request=ret)
    assert (recorded.dispute, recorded.return_request, recorded.source) == (dispute, ret, RefundSource.CLOCK_LAPSE)
    assert recorded.recorded_by is None
    entry = refund_audit(dispute.order).get()
    assert (entry.actor, entry.actor_label) == (None, "system:sweep")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_cannot_both_pass_the_cap():
    order = OrderFactory(total=Decimal("100.00"))
    actor = UserFactory()
    barrier = threading.Barrier(2)
    results = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            refund_record(order=Order.objects.get(pk=order.pk), amount=Decimal("60.00"),
                          reason=RefundReason.GOODWILL, actor=actor)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, results)) == sorted(map(str, ["ok", {"amount": [
        f"60.00 USD is more than the 40.00 USD still refundable on order {order.order_number} "
        "(paid 100.00, refunded 60.00)."]}]))
    assert db_refunded(order) == Decimal("60.00")
    assert Refund.objects.count() == 1
