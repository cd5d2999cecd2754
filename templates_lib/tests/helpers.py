"""Small builders the template tests share."""

from decimal import Decimal

from tickets.tests.factories import OrderFactory, OrderItemFactory, TicketFactory

from ..services import template_create


def ticket_with_order(store, *, language="en", total=Decimal("1234.50"), currency="EUR", **ticket_fields):
    order = OrderFactory(store=store, total=total, currency=currency, carrier="Cainiao Standard",
                         tracking_number="LP00123456789CN", order_number="8150000012345678",
                         buyer__name="Camille Martin")
    OrderItemFactory(order=order, title="Bluetooth earbuds", unit_price=total)
    return TicketFactory(store=store, order=order, language=language, **ticket_fields)


def make_template(*, store=None, code="delay", scenario="logistics_delay", bodies=None, actor=None, **fields):
    bodies = bodies or {"en": "Your order [Order Number] is on its way with [Carrier]."}
    return template_create(store=store, code=code, title=fields.pop("title", code.title()), scenario=scenario,
                           bodies=bodies, actor=actor, **fields)
