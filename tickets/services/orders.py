"""Order services."""

from django.utils import timezone

from tickets.choices import OrderStatus
from tickets.models import Order

from .workflow import transition

# The timestamp each status stamps when an agent (not the platform) records it.
_STAMPS = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.COMPLETED: "completed_at",
}


def order_set_status(*, order: Order, status: str, actor, reason: str = "", at=None) -> Order:
    """Move an order along its lifecycle; ``at`` is the platform's time of the event."""
    extra = {}
    stamp = _STAMPS.get(status)
    if stamp and getattr(order, stamp) is None:
        extra[stamp] = at or timezone.now()
    return transition(order, to=status, actor=actor, reason=reason, extra=extra)
