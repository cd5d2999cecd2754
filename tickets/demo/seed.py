"""The ``seed_demo`` entry point: the stores and team, each store's seeder, and the report."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from templates_lib.io import library_load
from tickets.choices import Role
from tickets.models import (
    Alert,
    AlertReceipt,
    AuditEntry,
    Buyer,
    Clock,
    Dispute,
    DisputeProposal,
    ExchangeRate,
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
from tickets.services.rates import rate_set

from .base import DEFAULT_ORDERS_PER_STORE, SeederBase
from .clocks import ClocksMixin
from .conversations import ConversationsMixin
from .disputes import DisputesMixin
from .orders import OrdersMixin, order_numbers
from .people import DEMO_STORES, demo_store, demo_team, demo_user


class StoreSeeder(OrdersMixin, ConversationsMixin, DisputesMixin, ClocksMixin, SeederBase):
    """Plans and writes one store's demo orders and everything that follows them."""


# Rough rates for the demo's currencies, so its queue ranks EUR and USD losses together.
# A rate already set (by a person) is left alone.
DEMO_RATES = {"EUR": Decimal("1.08"), "USD": Decimal("1"), "GBP": Decimal("1.27"), "CNY": Decimal("0.14")}


def demo_rates() -> None:
    desk = settings.DESK_CURRENCY
    if desk not in DEMO_RATES:
        return  # the demo's rates are quoted in USD
    for currency, usd in DEMO_RATES.items():
        if currency != desk and not ExchangeRate.objects.filter(currency=currency).exists():
            rate_set(currency=currency, rate=(usd / DEMO_RATES[desk]).quantize(Decimal("0.00000001")),
                     actor="system:seed", reason="demo data")


# The report -----------------------------------------------------------------------------
@dataclass
class SeedReport:
    logins: list  # [(username, password, role label, stores)]
    stores: list  # [(code, orders created this run or None when the store was already seeded)]
    counts: dict  # {label: (created this run, total)}


def counted_models() -> dict:
    """The rows the report counts, by label."""
    return {
        "stores": Store, "store holidays": StoreHoliday, "users": User, "buyers": Buyer, "orders": Order,
        "order items": OrderItem, "tickets": Ticket, "messages": Message, "disputes": Dispute,
        "proposals": DisputeProposal, "returns": Return, "refunds": Refund, "clocks": Clock, "alerts": Alert,
        "alert receipts": AlertReceipt, "audit entries": AuditEntry,
    }


def seed_demo(*, orders_per_store: int = DEFAULT_ORDERS_PER_STORE, now: datetime | None = None) -> SeedReport:
    """Create (or find) the demo stores and team, and fill each store not yet seeded.

    1. Stores, their holidays and the users, by natural key; passwords reset; the
       shipped reply-template library (``load_templates``, idempotent).
    2. For each store without its demo orders, plan and write them in one transaction.
    3. Count what exists, for the report.
    """
    now = now or timezone.now()
    models = counted_models()
    before = {label: model.objects.count() for label, model in models.items()}
    with transaction.atomic():
        stores = [demo_store(spec, now) for spec in DEMO_STORES]
        users = demo_team({s.code: s for s in stores})
    library_load()
    demo_rates()
    seeded = []
    for store in stores:
        numbers = order_numbers(store, orders_per_store)
        if Order.objects.filter(store=store, order_number__in=numbers).exists():
            seeded.append((store.code, None))
            continue
        staff = [u for u in users if store.code in demo_user(u).stores]
        with transaction.atomic():
            StoreSeeder(store, staff, now).run(numbers)
        seeded.append((store.code, len(numbers)))
    after = {label: model.objects.count() for label, model in models.items()}
    counts = {label: (after[label] - before[label], after[label]) for label in models}
    logins = [(u.username, spec.password, str(Role(spec.role).label), ", ".join(spec.stores) or "all stores")
              for u, spec in ((u, demo_user(u)) for u in users)]
    return SeedReport(logins=logins, stores=seeded, counts=counts)
