"""Demo plans: what each order, and its conversation, dispute or return, will be."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from tickets.choices import OrderStatus
from tickets.models import Buyer, Dispute, Message, Order, Return, Ticket


@dataclass
class TicketPlan:
    topic: str
    t0: datetime  # the buyer's first message
    first_length: timedelta
    in_hours: bool
    reply_at: datetime | None = None
    escalated_at: datetime | None = None
    followup_at: datetime | None = None
    second_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    offer: Decimal | None = None  # goodwill refund offered in the reply, paid when resolved
    unassigned: bool = False
    start_open: bool = False


@dataclass
class DisputePlan:
    external_id: str
    family: str
    reason: str
    solution: str
    requested: Decimal
    opened_at: datetime | None = None
    response_at: datetime | None = None
    decided_at: datetime | None = None
    review_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: str = ""
    seller_offer: Decimal | None = None
    buyer_counter: tuple | None = None  # (amount, at)
    platform_offer: tuple | None = None  # (amount, at)
    refund: tuple | None = None  # (amount, at, reason, source)
    accepted: str = ""  # the party whose last offer was accepted
    cancel_decision_at: datetime | None = None

    @property
    def buyer_ask(self) -> Decimal:
        """What the buyer asks for now: the counter-offer if any, else the request."""
        return self.buyer_counter[0] if self.buyer_counter else self.requested


@dataclass
class ReturnPlan:
    external_id: str
    carrier: str
    tracking: str
    agreed_at: datetime | None = None
    tracking_at: datetime | None = None
    received_at: datetime | None = None
    refunded_at: datetime | None = None
    lapsed_at: datetime | None = None
    auto_refunded_at: datetime | None = None


@dataclass
class OrderPlan:
    number: str
    buyer: Buyer
    lines: list  # [(catalogue row, quantity)]
    total: Decimal
    times: dict = field(default_factory=dict)
    status: str = OrderStatus.PAID
    carrier: str = ""
    tracking: str = ""
    closed_at: datetime | None = None  # a window met: the order closed
    window: str = ""  # the order's window clock kind, if any
    ticket: TicketPlan | None = None
    dispute: DisputePlan | None = None
    ret: ReturnPlan | None = None
    # The rows written for it.
    order: Order | None = None
    ticket_obj: Ticket | None = None
    first_message: Message | None = None
    followup_message: Message | None = None
    dispute_ticket: Ticket | None = None
    dispute_obj: Dispute | None = None
    return_obj: Return | None = None
    dispute_ticket_end: datetime | None = None
    last_refund_at: datetime | None = None
