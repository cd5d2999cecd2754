"""Demo data: two stores, their team, and orders in every after-sales situation."""

# ``seed_demo()`` builds, from a fixed random seed and relative to "now", a desk worth
# exploring: buyer conversations in many languages, disputes of both families, returns
# and refunds at every step, and clocks of every kind running, near lapse, lapsed
# (waiting for the sweep), breached and met, with the alerts they raised.
#
# It is idempotent. Stores and users are found by their natural keys, passwords are
# reset to the printed ones, and a store that already has its demo orders is skipped,
# so ``make run`` can call it every time for the price of three password checks.
#
# Each store is planned first (pure Python: a story per order, then the order's dates
# worked back from the story, so that every clock starts at its subject's own
# timestamp), then written: buyers, orders, items, tickets and messages in bulk, and
# every status change, proposal, refund and clock through the services, so the audit
# trail and the database constraints see what a real desk would.
#
# The modules: ``seed`` (the entry point and the report), ``people`` (stores, holidays,
# the team), ``catalogue`` and ``texts`` (the data), ``plans`` (what each order will be),
# ``orders``, ``conversations``, ``disputes`` and ``clocks`` (planning and writing each
# part, as mixins of the store seeder), ``base`` (the seed constants and random helpers).

from .base import DEFAULT_ORDERS_PER_STORE, DEMO_SEED, SEED_ACTOR
from .clocks import STAGES, clock_fate
from .conversations import ticket_path
from .people import DEMO_STORES, DEMO_USERS, DemoUser
from .seed import SeedReport, StoreSeeder, counted_models, seed_demo

__all__ = [
    "DEFAULT_ORDERS_PER_STORE", "DEMO_SEED", "DEMO_STORES", "DEMO_USERS", "SEED_ACTOR", "STAGES", "DemoUser",
    "SeedReport", "StoreSeeder", "clock_fate", "counted_models", "seed_demo", "ticket_path",
]
