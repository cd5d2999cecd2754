"""Order services.

Two of the buyer's windows start with an order's status: payment opens the
chargeback window, completion the refund window. They cost the seller nothing
when they close; they tell agents how long a claim remains possible.
"""

from django.db import transaction
from django.utils import timezone

from tickets.choices import ClockKind, OrderStatus
from tickets.models import Order

from .clocks import clock_start_for
from .workflow import transition

# The time each status is reached: stamped with now when an agent records it, taken
# from the platform's item when a sync does.
STEP_TIME = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.COMPLETED: "completed_at",
}


def order_set_status(*, order: Order, status: str, actor, reason: str = "", at=None) -> Order:
    """Move an order along its lifecycle; ``at`` is the platform's time of the event.
    A time the platform already reported is kept, and the window clocks start there."""
    extra = {}
    stamp = STEP_TIME.get(status)
    if stamp and getattr(order, stamp) is None:
        extra[stamp] = at or timezone.now()
    with transaction.atomic():
        transition(order, to=status, actor=actor, reason=reason, extra=extra)
        if status == OrderStatus.PAID:
            clock_start_for(kind=ClockKind.CHARGEBACK_WINDOW, subject=order, started_at=order.paid_at, actor=actor,
                            start_event="order.paid_at", amount_at_stake=order.total, currency=order.currency)
        elif status == OrderStatus.COMPLETED:
            clock_start_for(kind=ClockKind.REFUND_WINDOW, subject=order, started_at=order.completed_at,
                            actor=actor, start_event="order.completed_at",
                            amount_at_stake=order.refundable_amount, currency=order.currency)
    return order
