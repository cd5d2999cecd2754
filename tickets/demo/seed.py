"""The ``seed_demo`` entry point: the stores and team, each store's seeder, and the report."""

from dataclasses import dataclass
from datetime import datetime

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

from .base import DEFAULT_ORDERS_PER_STORE, SeederBase
from .clocks import ClocksMixin
from .conversations import ConversationsMixin
from .disputes import DisputesMixin
from .orders import OrdersMixin, order_numbers
from .people import DEMO_STORES, demo_store, demo_team, demo_user


class StoreSeeder(OrdersMixin, ConversationsMixin, DisputesMixin, ClocksMixin, SeederBase):
    """Plans and writes one store's demo orders and everything that follows them."""


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
