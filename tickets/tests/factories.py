"""factory_boy factories for the desk's models.

Every factory builds a consistent row: related objects belong to the same store,
a dispute's reason matches its family and asks for no more than the order total,
and every datetime is timezone-aware (UTC).
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory, Password

from templates_lib.models import ReplyTemplate, Scenario, TemplateBody, TemplateUse
from tickets.choices import (
    AlertLevel,
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    EvidenceKind,
    Marketplace,
    MessageKind,
    OrderStatus,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RefundReason,
    RequestedSolution,
    ReturnStatus,
    Role,
    TicketStatus,
)
from tickets.models import (
    Alert,
    AlertDelivery,
    AlertReceipt,
    Buyer,
    Clock,
    ClockPolicy,
    DeliveryAttempt,
    Dispute,
    DisputeProposal,
    Evidence,
    Message,
    Order,
    OrderItem,
    Refund,
    Return,
    Store,
    StoreHoliday,
    Ticket,
    User,
)
from tickets.models.returns import SHIPPED_RETURN_STATUSES

# A fixed, aware instant: tests that compare times do not depend on the wall clock.
T0 = datetime.datetime(2025, 3, 10, 8, 0, tzinfo=datetime.UTC)


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    marketplace = Marketplace.ALIEXPRESS
    timezone = "Asia/Shanghai"
    default_language = "en"


class StoreHolidayFactory(DjangoModelFactory):
    class Meta:
        model = StoreHoliday

    store = factory.SubFactory(StoreFactory)
    date = datetime.date(2025, 10, 1)
    name = "National Day"


class UserFactory(DjangoModelFactory):
    """A desk user with password "pw". ``stores`` is a list of stores to join."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = Password("pw")
    role = Role.AGENT

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.add(*extracted)


class BuyerFactory(DjangoModelFactory):
    class Meta:
        model = Buyer

    store = factory.SubFactory(StoreFactory)
    platform_buyer_id = factory.Sequence(lambda n: f"B{n:06d}")
    name = factory.Sequence(lambda n: f"Buyer {n}")
    country = "FR"
    language = "fr"


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    buyer = factory.SubFactory(BuyerFactory, store=factory.SelfAttribute("..store"))
    order_number = factory.Sequence(lambda n: f"800{n:010d}")
    status = OrderStatus.PAID
    currency = "USD"
    total = Decimal("100.00")
    placed_at = T0 - datetime.timedelta(days=20)
    paid_at = T0 - datetime.timedelta(days=20)


class OrderItemFactory(DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    title = "Bluetooth earbuds"
    quantity = 1
    unit_price = Decimal("100.00")


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    store = factory.SubFactory(StoreFactory)
    order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
    buyer = factory.LazyAttribute(lambda o: o.order.buyer if o.order else None)
    subject = factory.Sequence(lambda n: f"Where is my parcel? #{n}")
    status = TicketStatus.NEW
    language = "fr"
    resolved_at = factory.LazyAttribute(
        lambda o: T0 if o.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) else None
    )


class MessageFactory(DjangoModelFactory):
    """A buyer message by default (no staff author, as the database requires)."""

    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    store = factory.SelfAttribute("ticket.store")
    kind = MessageKind.BUYER
    author = None
    body = factory.Sequence(lambda n: f"Message {n}: the parcel has not arrived.")
    sent_at = T0


class DisputeFactory(DjangoModelFactory):
    """An "item not as described / damaged" dispute asking for the order total.
    A resolved dispute gets an outcome, as the database requires."""

    class Meta:
        model = Dispute

    store = factory.SubFactory(StoreFactory)
    order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
    external_id = factory.Sequence(lambda n: f"D{n:08d}")
    family = DisputeFamily.NOT_AS_DESCRIBED
    reason = DisputeReason.DAMAGED
    requested_solution = RequestedSolution.FULL_REFUND
    currency = factory.SelfAttribute("order.currency")
    requested_amount = factory.SelfAttribute("order.total")
    status = DisputeStatus.OPEN
    outcome = factory.LazyAttribute(
        lambda o: DisputeOutcome.AGREED_FULL_REFUND if o.status == DisputeStatus.RESOLVED else ""
    )
    resolved_at = factory.LazyAttribute(lambda o: T0 if o.status == DisputeStatus.RESOLVED else None)
    opened_at = T0


class DisputeProposalFactory(DjangoModelFactory):
    class Meta:
        model = DisputeProposal

    dispute = factory.SubFactory(DisputeFactory)
    party = ProposalParty.SELLER
    solution = ProposalSolution.REFUND
    amount = Decimal("30.00")
    version = 1
    status = ProposalStatus.PENDING
    proposed_at = T0


class ReturnFactory(DjangoModelFactory):
    """A return on a dispute's order; a shipped return has a tracking number."""

    class Meta:
        model = Return

    store = factory.SubFactory(StoreFactory)
    dispute = factory.SubFactory(DisputeFactory, store=factory.SelfAttribute("..store"))
    order = factory.SelfAttribute("dispute.order")
    external_id = factory.Sequence(lambda n: f"R{n:08d}")
    status = ReturnStatus.AWAITING_SHIPMENT
    agreed_at = T0
    tracking_number = factory.LazyAttribute(
        lambda o: "LP00123456789CN" if o.status in SHIPPED_RETURN_STATUSES else ""
    )


class RefundFactory(DjangoModelFactory):
    """A refund row only: it does not add to the order's refunded total (use
    ``tickets.services.refunds.refund_record`` for that)."""

    class Meta:
        model = Refund

    store = factory.SubFactory(StoreFactory)
    order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
    amount = Decimal("10.00")
    currency = factory.SelfAttribute("order.currency")
    reason = RefundReason.GOODWILL
    refunded_at = T0


class EvidenceFactory(DjangoModelFactory):
    """Evidence attached to a ticket; the file name only, nothing is written."""

    class Meta:
        model = Evidence

    store = factory.SubFactory(StoreFactory)
    ticket = factory.SubFactory(TicketFactory, store=factory.SelfAttribute("..store"))
    kind = EvidenceKind.PHOTO
    file = "evidence/2025/03/parcel.jpg"


class ClockFactory(DjangoModelFactory):
    """A running 24-hour dispute-response clock on a dispute of the same store.
    A met or breached clock gets its time, as the database requires."""

    class Meta:
        model = Clock

    store = factory.SubFactory(StoreFactory)
    dispute = factory.SubFactory(DisputeFactory, store=factory.SelfAttribute("..store"))
    kind = ClockKind.DISPUTE_RESPONSE
    state = ClockState.RUNNING
    started_at = T0
    due_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(hours=24))
    warn_at = factory.LazyAttribute(lambda o: o.due_at - datetime.timedelta(hours=4))
    met_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(hours=1)
                                   if o.state == ClockState.MET else None)
    breached_at = factory.LazyAttribute(lambda o: o.due_at if o.state == ClockState.BREACHED else None)
    cancelled_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(hours=2)
                                         if o.state == ClockState.CANCELLED else None)
    currency = "USD"
    amount_at_stake = Decimal("100.00")


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = Alert

    clock = factory.SubFactory(ClockFactory)
    store = factory.SelfAttribute("clock.store")
    level = AlertLevel.WARNING
    raised_at = factory.LazyAttribute(lambda o: o.clock.warn_at or o.clock.due_at)
    text = "Dispute response due in 4 hours"


class AlertReceiptFactory(DjangoModelFactory):
    class Meta:
        model = AlertReceipt

    alert = factory.SubFactory(AlertFactory)
    user = factory.SubFactory(UserFactory)


class ReplyTemplateFactory(DjangoModelFactory):
    """A shared-library template (no store) unless a store is given."""

    class Meta:
        model = ReplyTemplate

    store = None
    code = factory.Sequence(lambda n: f"template-{n}")
    title = factory.Sequence(lambda n: f"Template {n}")
    scenario = Scenario.LOGISTICS_DELAY


class TemplateBodyFactory(DjangoModelFactory):
    class Meta:
        model = TemplateBody

    template = factory.SubFactory(ReplyTemplateFactory)
    language = "en"
    version = 1
    body = "Dear {buyer_name}, your order {order_number} is on its way."
    is_current = True


class TemplateUseFactory(DjangoModelFactory):
    """A reply sent from a template on a ticket (the message is an agent reply)."""

    class Meta:
        model = TemplateUse

    ticket = factory.SubFactory(TicketFactory)
    store = factory.SelfAttribute("ticket.store")
    body = factory.SubFactory(TemplateBodyFactory)
    template = factory.SelfAttribute("body.template")
    language = factory.SelfAttribute("body.language")
    message = factory.SubFactory(MessageFactory, ticket=factory.SelfAttribute("..ticket"),
                                 kind=MessageKind.AGENT_REPLY, body="Your order is on its way.")
    agent = None
    sent_at = T0


class ClockPolicyFactory(DjangoModelFactory):
    """A current policy for a marketplace with no policy of that kind yet: the
    migrations load every marketplace's defaults, so pick ``kind`` accordingly or
    retire the default first (see ``tickets.services.policies.policy_revise``)."""

    class Meta:
        model = ClockPolicy

    marketplace = Marketplace.ALIEXPRESS
    kind = ClockKind.DISPUTE_RESPONSE
    version = 1
    is_current = True
    length = datetime.timedelta(hours=24)
    warn_before = datetime.timedelta(hours=4)


class AlertDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = AlertDelivery

    alert = factory.SubFactory(AlertFactory)
    channel = AlertDelivery.Channel.EMAIL
    target = factory.Sequence(lambda n: f"agent{n}@example.com")


class DeliveryAttemptFactory(DjangoModelFactory):
    class Meta:
        model = DeliveryAttempt

    delivery = factory.SubFactory(AlertDeliveryFactory)
    number = 1
    started_at = T0
    finished_at = T0
    ok = True
