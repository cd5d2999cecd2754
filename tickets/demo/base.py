"""Demo seed constants and the store seeder's base: its state and random helpers."""

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import holidays

from tickets.choices import Marketplace, Role
from tickets.models import Store

DEMO_SEED = 20260501
SEED_ACTOR = "system:seed"
DEFAULT_ORDERS_PER_STORE = 150
CENT = Decimal("0.01")


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def days(value: float) -> timedelta:
    return timedelta(days=value)


class SeederBase:
    """One store's seeding state and random helpers; the mixins plan and write."""

    def __init__(self, store: Store, staff: list, now: datetime):
        self.store, self.now = store, now
        self.rng = random.Random(f"{DEMO_SEED}:{store.code}")
        self.tz = store.tzinfo
        self.market = store.marketplace
        self.currency = "EUR" if self.market == Marketplace.AMAZON else "USD"
        self.price_index = 4 if self.market == Marketplace.AMAZON else 3  # the CATALOG column
        self.agents = [u for u in staff if u.role in (Role.AGENT, Role.SENIOR_AGENT)]
        self.supervisors = [u for u in staff if u.role == Role.SUPERVISOR]
        self.senior = next((u for u in staff if u.role == Role.SENIOR_AGENT), None) or self.supervisors[0]
        years = range(now.year - 1, now.year + 2)
        try:
            days_off = set(holidays.country_holidays(store.holiday_country, years=years)) if store.holiday_country \
                else set()
        except NotImplementedError:
            days_off = set()
        self.days_off = days_off | set(store.holidays.values_list("date", flat=True))
        self.ids: set = set()
        self.clocks: list = []  # (clock, owner, subject label), for the alerts

    def run(self, numbers: list) -> None:
        self.write(self.plan(numbers))

    # -- random helpers ----------------------------------------------------------------
    def _u(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def _pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _fill(self, pattern: str) -> str:
        """``pattern`` with each # replaced by a digit and each * by a letter or digit."""
        pools = {"#": "0123456789", "*": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
        return "".join(self.rng.choice(pools[ch]) if ch in pools else ch for ch in pattern)

    def _unique(self, pattern: str) -> str:
        while (value := self._fill(pattern)) in self.ids:
            pass
        self.ids.add(value)
        return value

    def _share(self, amount: Decimal, lo: float, hi: float) -> Decimal:
        part = (amount * Decimal(str(round(self._u(lo, hi), 4)))).quantize(CENT, ROUND_HALF_UP)
        return max(CENT, min(part, amount))

    def _past(self, when: datetime | None) -> datetime | None:
        """``when`` if it has already happened, else None."""
        return when if when is not None and when <= self.now else None

    def _agent(self):
        return self.rng.choice(self.agents) if self.agents else self.senior
