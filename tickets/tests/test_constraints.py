"""Every database constraint refuses its bad row, at the database.

Rows are written with ``objects.create`` / ``.update()`` (no ``full_clean``), each
inside ``transaction.atomic()`` so the test database stays usable afterwards. The
error must name the constraint (PostgreSQL always does; SQLite names CHECK
constraints but reports UNIQUE ones by column). Where validation has a matching
rule, the exact field and message a user sees is asserted too.

``test_every_constraint_is_tested`` reads this module for ``refused_by("...")`` and
compares with the models' ``Meta.constraints``, so a new constraint without a test
fails the suite.
"""

import contextlib
import datetime
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction

from templates_lib.models import ComplianceRule, ReplyTemplate, TemplateBody
from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    MessageKind,
    ProposalParty,
    ProposalStatus,
    ReturnStatus,
)
from tickets.models import (
    Alert,
    AlertReceipt,
    Buyer,
    Clock,
    ClockPolicy,
    Dispute,
    DisputeProposal,
    Evidence,
    ExchangeRate,
    Heartbeat,
    Message,
    Order,
    OrderItem,
    Return,
    SensitiveTerm,
    Store,
    Ticket,
    User,
)

from .factories import (
    T0,
    AlertDeliveryFactory,
    AlertFactory,
    AlertReceiptFactory,
    BuyerFactory,
    ClockFactory,
    ClockPolicyFactory,
    DeliveryAttemptFactory,
    DisputeFactory,
    DisputeProposalFactory,
    EvidenceFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    RefundFactory,
    ReplyTemplateFactory,
    ReturnFactory,
    StoreFactory,
    StoreHolidayFactory,
    TemplateBodyFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODEL_APPS = ("tickets", "templates_lib")


def _all_constraints() -> dict[str, models.BaseConstraint]:
    found = {}
    for label in MODEL_APPS:
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                found[constraint.name] = constraint
    return found


CONSTRAINTS = _all_constraints()


@contextlib.contextmanager
def refused_by(name: str, *, or_implied_by: tuple[str, ...] = ()):
    """Expect the block's write to fail on the constraint ``name``.

    A constraint that other constraints imply can never fail alone; the database
    then may report any of them (PostgreSQL checks in name order, SQLite in
    declaration order), so ``or_implied_by`` lists the acceptable others.
    """
    constraint = CONSTRAINTS[name]
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    if connection.vendor == "sqlite" and isinstance(constraint, models.UniqueConstraint):
        assert "UNIQUE constraint failed" in message
    else:
        assert any(n in message for n in (name, *or_implied_by)), message


@contextlib.contextmanager
def refused_by_unique_field(model, field: str):
    """Expect a failure on a field's ``unique=True`` (Django names the index itself)."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    if connection.vendor == "sqlite":
        assert f"UNIQUE constraint failed: {model._meta.db_table}.{field}" in message
    else:
        assert f"{model._meta.db_table}_{field}" in message


def validation_errors(instance, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        instance.full_clean(**kwargs)
    return info.value.message_dict


def test_every_constraint_is_tested():
    tested = set(re.findall(r'refused_by\("([a-z0-9_]+)"', Path(__file__).read_text(encoding="utf-8")))
    assert set(CONSTRAINTS) - tested == set(), "constraints without a test"
    assert tested - set(CONSTRAINTS) == set(), "tests of constraints that no longer exist"


# makemigrations --check exits with SystemExit(1) when a model's constraints differ from
# the migrations, e.g. when a constraint is built from a set whose order varies per run.
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO(), stderr=StringIO())


# Stores and users ---------------------------------------------------------------------
def test_store_working_hours_start_before_end():
    with refused_by("store_work_start_before_end"):
        StoreFactory(work_start=datetime.time(22, 0), work_end=datetime.time(9, 0))
    with refused_by("store_work_start_before_end"):
        StoreFactory(work_start=datetime.time(9, 0), work_end=datetime.time(9, 0))
    errors = validation_errors(Store(code="x", name="X", marketplace="aliexpress",
                                     work_start=datetime.time(22, 0), work_end=datetime.time(9, 0)))
    assert errors == {"work_end": ["Working hours must end after they start."]}


def test_store_working_days_are_iso_weekday_digits():
    for bad in ("", "12389", "0123"):
        with refused_by("store_working_days_digits"):
            StoreFactory(working_days=bad)
    errors = validation_errors(Store(code="x", name="X", marketplace="aliexpress", working_days="12389"))
    assert errors == {"working_days": [
        "List working days as ISO weekday digits, 1 = Monday to 7 = Sunday, e.g. 12345."]}


def test_store_marketplace_must_be_known():
    with refused_by("store_marketplace_valid"):
        StoreFactory(marketplace="wish")
    errors = validation_errors(Store(code="x", name="X", marketplace="wish"))
    assert errors == {"marketplace": ["Value 'wish' is not a valid choice."]}


def test_store_code_is_unique(store):
    with refused_by_unique_field(Store, "code"):
        StoreFactory(code=store.code)
    errors = validation_errors(Store(code=store.code, name="X", marketplace="aliexpress"))
    assert errors == {"code": ["Store with this Code already exists."]}


def test_store_holiday_once_per_date(store, other_store):
    StoreHolidayFactory(store=store)
    StoreHolidayFactory(store=other_store)  # the same date in another store is fine
    with refused_by("store_holiday_unique_date"):
        StoreHolidayFactory(store=store)


def test_user_role_must_be_known():
    with refused_by("user_role_valid"):
        UserFactory(role="owner")
    errors = validation_errors(User(username="x", password="x", role="owner"))
    assert errors == {"role": ["Value 'owner' is not a valid choice."]}


def test_heartbeat_name_is_unique():
    Heartbeat.objects.create(name="beat", last_seen=T0)
    with refused_by_unique_field(Heartbeat, "name"):
        Heartbeat.objects.create(name="beat", last_seen=T0)


# Buyers and orders -------------------------------------------------------------------
def test_buyer_platform_id_unique_per_store(store, other_store):
    buyer = BuyerFactory(store=store)
    BuyerFactory(store=other_store, platform_buyer_id=buyer.platform_buyer_id)
    with refused_by("buyer_unique_per_store"):
        BuyerFactory(store=store, platform_buyer_id=buyer.platform_buyer_id)
    errors = validation_errors(Buyer(store=store, platform_buyer_id=buyer.platform_buyer_id))
    assert errors == {"__all__": ["Buyer with this Store and Platform buyer id already exists."]}


def test_order_number_unique_per_store(store, other_store):
    order = OrderFactory(store=store, order_number="8001")
    # The same number in another store is another order.
    OrderFactory(store=other_store, order_number="8001")
    with refused_by("order_number_unique_per_store"):
        OrderFactory(store=store, buyer=order.buyer, order_number="8001")
    errors = validation_errors(Order(store=store, buyer=order.buyer, order_number="8001", total=Decimal(1)))
    assert errors == {"__all__": ["Order with this Store and Order number already exists."]}


def test_order_total_non_negative(store):
    # refunded_amount >= 0 and refunded_amount <= total already imply total >= 0.
    with refused_by("order_total_non_negative", or_implied_by=("order_refund_not_above_paid",)):
        OrderFactory(store=store, total=Decimal("-0.01"))
    OrderFactory(store=store, total=Decimal("0.00"))
    buyer = BuyerFactory(store=store)
    errors = validation_errors(Order(store=store, buyer=buyer, order_number="1", total=Decimal("-1")))
    assert errors == {"total": ["Amounts cannot be negative."]}


def test_order_refunded_amount_non_negative():
    order = OrderFactory()
    with refused_by("order_refunded_non_negative"):
        Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("-0.01"))


def test_order_refund_not_above_paid():
    order = OrderFactory(total=Decimal("100.00"))
    with refused_by("order_refund_not_above_paid"):
        Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("100.01"))
    Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("100.00"))
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("100.00")


def test_order_status_must_be_known():
    with refused_by("order_status_valid"):
        OrderFactory(status="lost")


@pytest.mark.parametrize("currency", ["usd", "US", "U$D", "us1", ""])
def test_order_currency_is_iso(store, currency):
    with refused_by("order_currency_iso"):
        OrderFactory(store=store, currency=currency)
    buyer = BuyerFactory(store=store)
    errors = validation_errors(Order(store=store, buyer=buyer, order_number="1", total=1, currency=currency))
    if currency:
        assert errors == {"currency": ["Enter a three-letter ISO 4217 currency code in capitals, such as USD."]}
    else:
        assert errors == {"currency": ["This field cannot be blank."]}


def test_order_buyer_of_another_store_is_refused_by_validation(store, other_store):
    buyer = BuyerFactory(store=other_store)
    errors = validation_errors(Order(store=store, buyer=buyer, order_number="1", total=1))
    assert errors == {"buyer": ["The buyer belongs to another store."]}


def test_order_item_quantity_at_least_one():
    order = OrderFactory()
    with refused_by("order_item_quantity_positive"):
        OrderItemFactory(order=order, quantity=0)
    errors = validation_errors(OrderItem(order=order, sku="S", title="T", quantity=0, unit_price=1))
    assert errors == {"quantity": ["Quantity must be at least 1."]}


def test_order_item_price_non_negative():
    order = OrderFactory()
    with refused_by("order_item_price_non_negative"):
        OrderItemFactory(order=order, unit_price=Decimal("-1"))
    errors = validation_errors(OrderItem(order=order, sku="S", title="T", unit_price=Decimal("-1")))
    assert errors == {"unit_price": ["Amounts cannot be negative."]}


# Tickets and messages ------------------------------------------------------------------
def test_ticket_status_must_be_known(store):
    ticket = TicketFactory(store=store)
    with refused_by("ticket_status_valid"):
        Ticket.objects.filter(pk=ticket.pk).update(status="bogus")
    ticket.status = "bogus"
    assert validation_errors(ticket) == {"status": ["Value 'bogus' is not a valid choice."]}


def test_ticket_priority_must_be_known(store):
    ticket = TicketFactory(store=store)
    with refused_by("ticket_priority_valid"):
        Ticket.objects.filter(pk=ticket.pk).update(priority="purple")
    ticket.priority = "purple"
    assert validation_errors(ticket) == {"priority": ["Value 'purple' is not a valid choice."]}


def test_ticket_category_must_be_known(store):
    ticket = TicketFactory(store=store)
    with refused_by("ticket_category_valid"):
        Ticket.objects.filter(pk=ticket.pk).update(category="gossip")
    ticket.category = "gossip"
    assert validation_errors(ticket) == {"category": ["Value 'gossip' is not a valid choice."]}


def test_ticket_subject_not_empty(store):
    with refused_by("ticket_subject_not_empty"):
        TicketFactory(store=store, subject="")
    assert validation_errors(Ticket(store=store, subject="")) == {"subject": ["This field cannot be blank."]}


def test_ticket_order_of_another_store_is_refused_by_validation(store, other_store):
    order = OrderFactory(store=other_store)
    errors = validation_errors(Ticket(store=store, order=order, subject="Hi"))
    assert errors == {"order": ["The order belongs to another store."]}


def test_message_external_id_unique_per_store(store, other_store):
    first = MessageFactory(ticket__store=store, external_id="M1")
    MessageFactory(ticket__store=other_store, external_id="M1")
    # Blank ids are local messages (agent replies, notes) and may repeat.
    MessageFactory(ticket=first.ticket, external_id="")
    MessageFactory(ticket=first.ticket, external_id="")
    with refused_by("message_external_id_unique_per_store"):
        MessageFactory(ticket=first.ticket, external_id="M1")


def test_message_kind_must_be_known():
    with refused_by("message_kind_valid"):
        MessageFactory(kind="sms")


def test_message_body_not_empty():
    with refused_by("message_body_not_empty"):
        MessageFactory(body="")


def test_message_from_buyer_has_no_staff_author(agent):
    ticket = TicketFactory(store=agent.stores.get())
    with refused_by("message_buyer_has_no_staff_author"):
        MessageFactory(ticket=ticket, kind=MessageKind.BUYER, author=agent)
    MessageFactory(ticket=ticket, kind=MessageKind.AGENT_REPLY, author=agent)
    message = Message(store=ticket.store, ticket=ticket, kind=MessageKind.BUYER, author=agent, body="Hi")
    assert validation_errors(message) == {
        "__all__": ["A buyer's message cannot have a staff author."]}


# Disputes and proposals ---------------------------------------------------------------
def test_dispute_external_id_unique_per_store(store, other_store):
    dispute = DisputeFactory(store=store)
    DisputeFactory(store=other_store, external_id=dispute.external_id)
    with refused_by("dispute_external_id_unique_per_store"):
        DisputeFactory(store=store, order=dispute.order, external_id=dispute.external_id)


def test_dispute_amount_non_negative():
    with refused_by("dispute_amount_non_negative"):
        DisputeFactory(requested_amount=Decimal("-1"))


def test_dispute_status_must_be_known():
    with refused_by("dispute_status_valid"):
        DisputeFactory(status="closed")


def test_dispute_family_must_be_known():
    dispute = DisputeFactory()
    # Any unknown family also fails dispute_reason_matches_family.
    with refused_by("dispute_family_valid", or_implied_by=("dispute_reason_matches_family",)):
        Dispute.objects.filter(pk=dispute.pk).update(family="lost_at_sea")


def test_dispute_reason_must_match_family(store):
    with refused_by("dispute_reason_matches_family"):
        DisputeFactory(store=store, family=DisputeFamily.NOT_RECEIVED, reason=DisputeReason.DAMAGED)
    with refused_by("dispute_reason_matches_family"):
        DisputeFactory(store=store, family=DisputeFamily.NOT_AS_DESCRIBED, reason=DisputeReason.LOST)
    # "Other" belongs to both families.
    DisputeFactory(store=store, family=DisputeFamily.NOT_RECEIVED, reason=DisputeReason.OTHER)
    DisputeFactory(store=store, family=DisputeFamily.NOT_AS_DESCRIBED, reason=DisputeReason.OTHER)
    dispute = DisputeFactory.build(store=store, order=OrderFactory(store=store),
                                   family=DisputeFamily.NOT_RECEIVED, reason=DisputeReason.DAMAGED)
    assert validation_errors(dispute) == {"reason": ["Damaged is not a reason of the Item not received family."]}


def test_dispute_requested_solution_must_be_known():
    with refused_by("dispute_solution_valid"):
        DisputeFactory(requested_solution="coupon")


def test_dispute_has_outcome_exactly_when_resolved(store):
    with refused_by("dispute_outcome_iff_resolved"):
        DisputeFactory(store=store, status=DisputeStatus.RESOLVED, outcome="")
    with refused_by("dispute_outcome_iff_resolved"):
        DisputeFactory(store=store, status=DisputeStatus.NEGOTIATING, outcome=DisputeOutcome.BUYER_WON)
    with refused_by("dispute_outcome_iff_resolved"):
        DisputeFactory(store=store, status=DisputeStatus.RESOLVED, outcome="draw")
    DisputeFactory(store=store, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.SELLER_WON)


def test_dispute_currency_is_iso(store):
    with refused_by("dispute_currency_iso"):
        DisputeFactory(store=store, currency="usd")
    dispute = DisputeFactory.build(store=store, order=OrderFactory(store=store), currency="usd")
    assert validation_errors(dispute) == {"currency": [
        "Enter a three-letter ISO 4217 currency code in capitals, such as USD.",
        "The dispute must be in the order's currency (USD).",
    ]}


def test_dispute_validation_keeps_amount_within_order_and_store(store, other_store):
    order = OrderFactory(store=store, total=Decimal("25.00"), currency="USD")
    too_much = DisputeFactory.build(store=store, order=order, requested_amount=Decimal("25.01"))
    assert validation_errors(too_much) == {"requested_amount": ["The requested amount is above the 25.00 USD paid."]}
    other_currency = DisputeFactory.build(store=store, order=order, requested_amount=Decimal("5"), currency="EUR")
    assert validation_errors(other_currency) == {"currency": ["The dispute must be in the order's currency (USD)."]}
    foreign = DisputeFactory.build(store=other_store, order=order)
    assert validation_errors(foreign) == {"order": ["The order belongs to another store."]}
    DisputeFactory.build(store=store, order=order, requested_amount=Decimal("25.00")).full_clean()


def test_proposal_versions_unique_per_party():
    first = DisputeProposalFactory(status=ProposalStatus.REJECTED, version=1)
    DisputeProposalFactory(dispute=first.dispute, party=ProposalParty.BUYER, version=1)
    with refused_by("proposal_version_unique"):
        DisputeProposalFactory(dispute=first.dispute, party=first.party, version=1)
    duplicate = DisputeProposalFactory.build(dispute=first.dispute, party=first.party, version=1)
    assert validation_errors(duplicate) == {
        "__all__": ["Dispute proposal with this Dispute, From and Version already exists."]}


def test_proposal_one_pending_per_party():
    first = DisputeProposalFactory(party=ProposalParty.SELLER)
    DisputeProposalFactory(dispute=first.dispute, party=ProposalParty.BUYER)  # the other side may have one
    with refused_by("proposal_one_pending_per_party"):
        DisputeProposalFactory(dispute=first.dispute, party=ProposalParty.SELLER, version=2)
    DisputeProposal.objects.filter(pk=first.pk).update(status=ProposalStatus.SUPERSEDED)
    DisputeProposalFactory(dispute=first.dispute, party=ProposalParty.SELLER, version=2)


def test_proposal_platform_id_unique_per_dispute():
    first = DisputeProposalFactory(external_id="P-1", status=ProposalStatus.REJECTED)
    DisputeProposalFactory(external_id="P-1")  # another dispute
    DisputeProposalFactory(dispute=first.dispute, version=2, external_id="")  # made on the desk
    DisputeProposalFactory(dispute=first.dispute, party=ProposalParty.BUYER, external_id="")
    with refused_by("proposal_external_id_unique"):
        DisputeProposalFactory(dispute=first.dispute, version=3, status=ProposalStatus.REJECTED, external_id="P-1")
    duplicate = DisputeProposalFactory.build(dispute=first.dispute, version=3, status=ProposalStatus.REJECTED,
                                             external_id="P-1")
    assert validation_errors(duplicate) == {"__all__": ["This dispute already has a proposal with this platform id."]}


def test_proposal_amount_non_negative():
    with refused_by("proposal_amount_non_negative"):
        DisputeProposalFactory(amount=Decimal("-5"))


def test_proposal_amount_not_above_order_total_by_validation():
    dispute = DisputeFactory(order__total=Decimal("40.00"))
    proposal = DisputeProposalFactory.build(dispute=dispute, amount=Decimal("40.01"))
    assert validation_errors(proposal) == {"amount": ["The amount is above the 40.00 USD paid."]}


def test_proposal_version_at_least_one():
    with refused_by("proposal_version_positive"):
        DisputeProposalFactory(version=0)


def test_proposal_status_must_be_known():
    with refused_by("proposal_status_valid"):
        DisputeProposalFactory(status="countered")


def test_proposal_party_must_be_known():
    with refused_by("proposal_party_valid"):
        DisputeProposalFactory(party="courier")


# Returns and refunds ---------------------------------------------------------------------
def test_return_external_id_unique_per_store(store, other_store):
    ret = ReturnFactory(store=store)
    ReturnFactory(store=other_store, external_id=ret.external_id)
    with refused_by("return_external_id_unique_per_store"):
        ReturnFactory(store=store, external_id=ret.external_id)


def test_return_one_active_per_dispute(store):
    ret = ReturnFactory(store=store)
    with refused_by("return_one_active_per_dispute"):
        ReturnFactory(store=store, dispute=ret.dispute)
    # Once the first return lapsed, the buyer and seller may agree on another.
    Return.objects.filter(pk=ret.pk).update(status=ReturnStatus.LAPSED)
    ReturnFactory(store=store, dispute=ret.dispute)
    second = ReturnFactory.build(store=store, dispute=ret.dispute, order=ret.order, external_id="R-new")
    assert validation_errors(second) == {"__all__": ["This dispute already has a return under way."]}


def test_return_status_must_be_known():
    with refused_by("return_status_valid"):
        ReturnFactory(status="misplaced")


@pytest.mark.parametrize("status", [ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED,
                                    ReturnStatus.DISPUTED])
def test_shipped_return_needs_tracking(store, status):
    with refused_by("return_shipped_has_tracking"):
        ReturnFactory(store=store, status=status, tracking_number="")
    ret = ReturnFactory.build(store=store, dispute=DisputeFactory(store=store), status=status, tracking_number="")
    assert validation_errors(ret) == {"tracking_number": ["A shipped return needs the buyer's return tracking number."]}


def test_return_received_after_agreed():
    with refused_by("return_received_after_agreed"):
        ReturnFactory(agreed_at=T0, received_at=T0 - datetime.timedelta(seconds=1))
    ReturnFactory(agreed_at=T0, received_at=T0)


def test_return_validation_keeps_dispute_and_order_together(store):
    dispute = DisputeFactory(store=store)
    ret = ReturnFactory.build(store=store, dispute=dispute, order=OrderFactory(store=store))
    assert validation_errors(ret) == {"dispute": ["The dispute is about another order."]}


def test_refund_amount_positive():
    with refused_by("refund_amount_positive"):
        RefundFactory(amount=Decimal("0"))
    with refused_by("refund_amount_positive"):
        RefundFactory(amount=Decimal("-1"))


def test_refund_reason_must_be_known():
    with refused_by("refund_reason_valid"):
        RefundFactory(reason="because")


def test_refund_source_must_be_known():
    with refused_by("refund_source_valid"):
        RefundFactory(source="bank")


def test_refund_external_id_unique_per_store(store, other_store):
    refund = RefundFactory(store=store, external_id="RF1")
    RefundFactory(store=other_store, external_id="RF1")
    RefundFactory(store=store, order=refund.order, external_id="")
    RefundFactory(store=store, order=refund.order, external_id="")
    with refused_by("refund_external_id_unique_per_store"):
        RefundFactory(store=store, order=refund.order, external_id="RF1")


def test_refund_currency_is_iso():
    with refused_by("refund_currency_iso"):
        RefundFactory(currency="eur")


# Exchange rates --------------------------------------------------------------------------
def test_exchange_rate_positive():
    with refused_by("exchange_rate_positive"):
        ExchangeRate.objects.create(currency="EUR", rate=Decimal("0"))
    assert validation_errors(ExchangeRate(currency="EUR", rate=Decimal("-1")))["rate"]


def test_exchange_rate_currency_is_iso():
    with refused_by("exchange_rate_currency_iso"):
        ExchangeRate.objects.create(currency="eur", rate=Decimal("1.08"))


def test_one_rate_per_currency():
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.08"))
    with refused_by_unique_field(ExchangeRate, "currency"):
        ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.10"))


# Evidence --------------------------------------------------------------------------------
def test_evidence_attached_somewhere(store):
    with refused_by("evidence_attached_somewhere"):
        EvidenceFactory(store=store, ticket=None, dispute=None)
    EvidenceFactory(store=store, ticket=None, dispute=DisputeFactory(store=store))
    evidence = Evidence(store=store, file=SimpleUploadedFile("x.jpg", b"jpeg"))
    assert validation_errors(evidence) == {"dispute": ["Attach the evidence to a dispute or a ticket."]}


def test_evidence_kind_must_be_known():
    with refused_by("evidence_kind_valid"):
        EvidenceFactory(kind="hologram")


def test_evidence_of_another_store_is_refused_by_validation(store, other_store):
    evidence = Evidence(store=store, ticket=TicketFactory(store=other_store),
                        file=SimpleUploadedFile("x.jpg", b"jpeg"))
    assert validation_errors(evidence) == {"ticket": ["It belongs to another store."]}


# Clocks and alerts -------------------------------------------------------------------------
def test_clock_one_running_per_subject_and_kind():
    clock = ClockFactory()
    with refused_by("clock_one_running_per_subject"):
        ClockFactory(store=clock.store, dispute=clock.dispute)
    # Another kind on the same dispute runs beside it.
    ClockFactory(store=clock.store, dispute=clock.dispute, kind=ClockKind.REFUND_DECISION)
    # After the first one is met, a new clock of the kind may start.
    Clock.objects.filter(pk=clock.pk).update(state=ClockState.MET, met_at=T0)
    ClockFactory(store=clock.store, dispute=clock.dispute)
    assert Clock.objects.filter(dispute=clock.dispute, kind=clock.kind).count() == 2


def test_clock_kind_must_be_known():
    with refused_by("clock_kind_valid"):
        ClockFactory(kind="eternity")


def test_clock_state_must_be_known():
    with refused_by("clock_state_valid"):
        ClockFactory(state="paused")


def test_clock_due_after_start(store):
    with refused_by("clock_due_after_start"):
        ClockFactory(store=store, started_at=T0, due_at=T0 - datetime.timedelta(seconds=1), warn_at=None)
    ClockFactory(store=store, started_at=T0, due_at=T0, warn_at=None)
    clock = ClockFactory.build(store=store, dispute=DisputeFactory(store=store), started_at=T0,
                               due_at=T0 - datetime.timedelta(seconds=1), warn_at=None)
    assert validation_errors(clock) == {"due_at": ["A clock cannot be due before it starts."]}


def test_clock_warning_not_after_due():
    with refused_by("clock_warning_before_due"):
        ClockFactory(started_at=T0, due_at=T0 + datetime.timedelta(hours=1),
                     warn_at=T0 + datetime.timedelta(hours=1, seconds=1))


def test_met_clock_has_met_time():
    with refused_by("clock_met_has_time"):
        ClockFactory(state=ClockState.MET, met_at=None)


def test_breached_clock_has_breach_time():
    with refused_by("clock_breached_has_time"):
        ClockFactory(state=ClockState.BREACHED, breached_at=None)


def test_clock_has_a_subject(store):
    with refused_by("clock_has_subject"):
        ClockFactory(store=store, dispute=None)
    clock = Clock(store=store, kind=ClockKind.DISPUTE_RESPONSE, started_at=T0, due_at=T0)
    errors = validation_errors(clock)
    assert list(errors) == ["__all__"]
    assert errors["__all__"][0] == "A clock must run on a dispute, a return, a message, a ticket or an order."


def test_clock_amount_at_stake_non_negative():
    with refused_by("clock_amount_non_negative"):
        ClockFactory(amount_at_stake=Decimal("-0.01"))
    ClockFactory(amount_at_stake=None)


def test_alert_once_per_clock_and_level():
    alert = AlertFactory()
    AlertFactory(clock=alert.clock, level="breach")
    with refused_by("alert_once_per_clock_level"):
        AlertFactory(clock=alert.clock, level=alert.level)


def test_alert_level_must_be_known():
    with refused_by("alert_level_valid"):
        AlertFactory(level="panic")


def test_alert_receipt_once_per_user(agent):
    receipt = AlertReceiptFactory(user=agent)
    with refused_by("alert_receipt_once_per_user"):
        AlertReceiptFactory(alert=receipt.alert, user=agent)
    assert AlertReceipt.objects.count() == 1
    assert Alert.objects.count() == 1


# Reply templates ------------------------------------------------------------------------------
def test_template_code_unique_in_library(store):
    ReplyTemplateFactory(code="lost-parcel")
    ReplyTemplateFactory(code="lost-parcel", store=store)  # a store may override a library code
    with refused_by("template_code_unique_in_library"):
        ReplyTemplateFactory(code="lost-parcel")


def test_template_code_unique_per_store(store, other_store):
    ReplyTemplateFactory(code="lost-parcel", store=store)
    ReplyTemplateFactory(code="lost-parcel", store=other_store)
    with refused_by("template_code_unique_per_store"):
        ReplyTemplateFactory(code="lost-parcel", store=store)


def test_template_scenario_must_be_known():
    with refused_by("template_scenario_valid"):
        ReplyTemplateFactory(scenario="small_talk")
    errors = validation_errors(ReplyTemplate(code="x", title="X", scenario="small_talk"))
    assert errors == {"scenario": ["Value 'small_talk' is not a valid choice."]}


def test_template_body_version_unique_per_language():
    body = TemplateBodyFactory(version=1, is_current=False)
    TemplateBodyFactory(template=body.template, language="fr", version=1)
    with refused_by("template_body_version_unique"):
        TemplateBodyFactory(template=body.template, language=body.language, version=1)


def test_template_body_one_current_per_language():
    body = TemplateBodyFactory(version=1, is_current=True)
    with refused_by("template_body_one_current"):
        TemplateBodyFactory(template=body.template, language=body.language, version=2, is_current=True)
    TemplateBodyFactory(template=body.template, language=body.language, version=2, is_current=False)
    TemplateBody.objects.filter(pk=body.pk).update(is_current=False)
    TemplateBodyFactory(template=body.template, language=body.language, version=3, is_current=True)


def test_template_body_version_at_least_one():
    with refused_by("template_body_version_positive"):
        TemplateBodyFactory(version=0)


def test_template_body_not_empty():
    with refused_by("template_body_not_empty"):
        TemplateBodyFactory(body="")


def test_template_body_origin_must_be_known():
    with refused_by("template_body_origin_valid"):
        TemplateBodyFactory(origin="scraped")


def test_compliance_rule_category_kind_and_pattern(db):
    def rule(**kwargs):
        values = {"code": "r", "name": "R", "category": "contact_details", "kind": "keywords", "pattern": "skype"}
        return ComplianceRule.objects.create(**{**values, **kwargs})

    with refused_by("compliance_rule_category_valid"):
        rule(category="rudeness")
    with refused_by("compliance_rule_kind_valid"):
        rule(kind="ai")
    with refused_by("compliance_rule_pattern_not_empty"):
        rule(pattern="")
    errors = validation_errors(ComplianceRule(code="r", name="R", category="contact_details", kind="regex",
                                              pattern="(unclosed"))
    assert list(errors) == ["pattern"]


def test_database_stays_usable_after_refused_rows(store):
    with refused_by("order_total_non_negative", or_implied_by=("order_refund_not_above_paid",)):
        OrderFactory(store=store, total=Decimal("-1"))
    with refused_by("ticket_subject_not_empty"):
        TicketFactory(store=store, subject="")
    assert Order.objects.count() == 0
    assert Ticket.objects.count() == 0
    OrderFactory(store=store)
    assert Order.objects.count() == 1


# Sensitive terms -------------------------------------------------------------------------------
def test_sensitive_term_unique_per_language():
    SensitiveTerm.objects.create(language="fr", term="chargeback", topic="chargeback")  # also seeded for en
    with refused_by("sensitive_term_unique_per_language"):
        SensitiveTerm.objects.create(language="en", term="chargeback", topic="chargeback")
    errors = validation_errors(SensitiveTerm(language="en", term="Chargeback ", topic="chargeback"))
    assert errors == {"__all__": ["Sensitive term with this Language and Term already exists."]}


def test_sensitive_term_topic_must_be_known():
    with refused_by("sensitive_term_topic_valid"):
        SensitiveTerm.objects.create(language="en", term="scam", topic="rudeness")
    errors = validation_errors(SensitiveTerm(language="en", term="scam", topic="rudeness"))
    assert errors == {"topic": ["Value 'rudeness' is not a valid choice."]}


def test_sensitive_term_not_empty():
    with refused_by("sensitive_term_not_empty"):
        SensitiveTerm.objects.create(language="en", term="", topic="legal")
    errors = validation_errors(SensitiveTerm(language="en", term="   ", topic="legal"))
    assert errors == {"term": ["This field cannot be blank."]}


# Clock policies, alert deliveries --------------------------------------------------------------
# The migrations load a current version 1 of every marketplace's policies; rows that
# test one rule are retired versions numbered clear of them.
RETIRED = {"is_current": False, "version": 99}


def test_policy_version_unique_per_marketplace_and_clock():
    with refused_by("policy_version_unique"):
        ClockPolicyFactory(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE, version=1, is_current=False)
    ClockPolicyFactory(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE, version=2, is_current=False)


def test_policy_one_current_version():
    with refused_by("policy_one_current"):
        ClockPolicyFactory(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE, version=2, is_current=True)
    errors = validation_errors(ClockPolicy(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE, version=2,
                                           length=datetime.timedelta(hours=12)))
    assert errors == {"__all__": ["This marketplace already has a current policy for this clock."]}


def test_policy_length_positive():
    for length in (datetime.timedelta(0), datetime.timedelta(hours=-1)):
        with refused_by("policy_length_positive"):
            ClockPolicyFactory(length=length, **RETIRED)


def test_policy_warning_positive_when_given():
    with refused_by("policy_warning_positive"):
        ClockPolicyFactory(warn_before=datetime.timedelta(0), **RETIRED)
    ClockPolicyFactory(warn_before=None, **RETIRED)  # no warning at all is fine


def test_policy_kind_must_be_known():
    with refused_by("policy_kind_valid"):
        ClockPolicyFactory(kind="tea_break", **RETIRED)
    errors = validation_errors(ClockPolicy(marketplace="aliexpress", kind="tea_break", length=datetime.timedelta(1),
                                           **RETIRED))
    assert errors == {"kind": ["Value 'tea_break' is not a valid choice."]}


def test_policy_marketplace_must_be_known():
    with refused_by("policy_marketplace_valid"):
        ClockPolicyFactory(marketplace="wish", **RETIRED)


def test_alert_delivery_once_per_channel_and_target():
    delivery = AlertDeliveryFactory(target="agent@example.com")
    with refused_by("alert_delivery_once_per_target"):
        AlertDeliveryFactory(alert=delivery.alert, channel=delivery.channel, target="agent@example.com")
    AlertDeliveryFactory(alert=delivery.alert, channel="webhook", target="agent@example.com")
    AlertDeliveryFactory(channel=delivery.channel, target="agent@example.com")  # another alert


def test_delivery_attempt_numbers_unique_per_delivery():
    attempt = DeliveryAttemptFactory(number=1)
    with refused_by("delivery_attempt_unique"):
        DeliveryAttemptFactory(delivery=attempt.delivery, number=1)
    DeliveryAttemptFactory(delivery=attempt.delivery, number=2)


def test_an_idempotency_key_once_per_caller():
    from tickets.models import IdempotentRequest

    row = {"key": "order-1", "method": "POST", "path": "/api/v1/tickets/1/status/", "request_hash": "0" * 64}
    IdempotentRequest.objects.create(caller="key:a", **row)
    with refused_by("idempotency_key_unique_per_caller"):
        IdempotentRequest.objects.create(caller="key:a", **row)
    IdempotentRequest.objects.create(caller="key:b", **row)  # another integration may pick "order-1" too


# Webhooks -----------------------------------------------------------------------------
def test_a_webhook_url_is_http_or_https():
    from tickets.models import WebhookSubscription

    from .test_webhooks import make_subscription

    store = StoreFactory()
    with refused_by("webhook_url_http"):
        make_subscription(store, url="ftp://erp.example.com/hooks")
    assert "url" in validation_errors(WebhookSubscription(store=store, url="file:///etc/passwd",
                                                          events=["refund.recorded"], secret="s"))
    make_subscription(store, url="http://erp.example.com/hooks")


def test_a_webhook_secret_is_never_blank():
    from .test_webhooks import make_subscription

    with refused_by("webhook_secret_not_blank"):
        make_subscription(StoreFactory(), secret="")


def test_a_webhook_event_name_and_object_type_are_known():
    from .test_webhooks import make_event

    store = StoreFactory()
    with refused_by("webhook_event_name_valid"):
        make_event(store, name="order.shipped")
    event = make_event(store)
    with refused_by("webhook_event_object_type_valid"):
        type(event).objects.filter(pk=event.pk).update(object_type="buyer")


def test_a_webhook_delivery_once_per_event_and_subscription():
    from tickets.models import WebhookDelivery

    from .test_webhooks import make_delivery, make_subscription

    delivery = make_delivery(StoreFactory())
    with refused_by("webhook_delivery_once_per_subscription"):
        WebhookDelivery.objects.create(event=delivery.event, subscription=delivery.subscription)
    with refused_by("webhook_delivery_status_valid"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status="lost")
    other = make_subscription(delivery.subscription.store, url="https://other.example.com/")
    WebhookDelivery.objects.create(event=delivery.event, subscription=other)


def test_webhook_attempt_numbers_unique_per_delivery():
    from tickets.models import WebhookAttempt

    from .test_webhooks import make_delivery

    delivery = make_delivery(StoreFactory())
    WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=T0)
    with refused_by("webhook_attempt_unique"):
        WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=T0)
    WebhookAttempt.objects.create(delivery=delivery, number=2, started_at=T0)
