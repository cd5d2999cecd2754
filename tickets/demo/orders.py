"""Demo orders: the story of each, its platform dates, and writing it with its refunds."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from babel.numbers import format_currency

from tickets.choices import ORDER_TRANSITIONS, ClockKind, Marketplace, OrderStatus, RefundReason, RefundSource
from tickets.models import Buyer, Order, OrderItem, Store
from tickets.services.orders import order_set_status
from tickets.services.refunds import refund_record

from .base import DEMO_SEED, SEED_ACTOR, days, hours
from .catalogue import (
    AMAZON_DOMAINS,
    BABEL_LOCALES,
    BUYER_COUNTRIES,
    BUYER_NAMES,
    CARRIERS,
    CATALOG,
    COUNTRY_LANGUAGE,
    TRANSIT_DAYS,
)
from .clocks import STAGE_WEIGHTS, STAGES
from .plans import OrderPlan

STORY_WEIGHTS = {"quiet": 38, "ticket": 34, "dispute": 16, "return": 3, "window": 9}
# The story that can carry each kind of clock.
KIND_STORY = {
    ClockKind.DISPUTE_RESPONSE: "dispute", ClockKind.REFUND_DECISION: "dispute",
    ClockKind.RETURN_SHIPMENT: "return", ClockKind.RECEIPT_CONFIRMATION: "return",
    ClockKind.FIRST_RESPONSE: "ticket", ClockKind.SENSITIVE_ESCALATION: "ticket",
    ClockKind.REFUND_WINDOW: "window", ClockKind.CHARGEBACK_WINDOW: "window",
}


def order_numbers(store: Store, count: int) -> list:
    """The store's demo order numbers: a fixed sequence, so a store that already has
    them is recognised whatever ``--orders`` was used the first time."""
    rng = random.Random(f"{DEMO_SEED}:{store.code}:numbers")
    numbers, seen = [], set()
    while len(numbers) < count:
        if store.marketplace == Marketplace.AMAZON:
            number = f"30{rng.randint(2, 6)}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}"
        else:
            number = f"81{rng.randint(10**13, 10**14 - 1)}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


class OrdersMixin:
    """Plans each order's story and dates, and writes the orders, their refunds and closing."""

    def timeline(self, anchor: str, at: datetime, *, stop: str = "", not_before: dict | None = None) -> dict:
        """An order's platform dates with ``anchor`` (paid, shipped, delivered or
        completed) at ``at``: gaps are drawn, earlier dates worked back, later ones
        forward; nothing after ``stop`` or after now happens."""
        steps = ("paid", "shipped", "delivered", "completed")
        transit = TRANSIT_DAYS[self.market]
        gaps = {"shipped": days(self._u(0.5, 4)), "delivered": days(self._u(*transit)),
                "completed": days(self._u(1, 12))}
        paid = at - sum((gaps[s] for s in steps[1:steps.index(anchor) + 1]), timedelta())
        times, current = {"placed": paid - timedelta(minutes=self._u(2, 90)), "paid": paid}, paid
        for step in steps[1:]:
            current = current + gaps[step]
            if not_before and step in not_before:
                current = max(current, not_before[step])
            times[step] = current
        cut = False
        for step in steps:
            cut = cut or times[step] > self.now
            if cut:
                times[step] = None
            cut = cut or step == stop
        return times

    def plan(self, numbers: list) -> list:
        """One story per order: first one per clock kind and stage (interleaved so a
        small ``--orders`` still covers every kind and every stage), then random ones.
        The first block also pins a few outcomes (a dispute under platform review, a
        return received but not yet refunded) that chance alone might skip."""
        kinds = list(ClockKind)
        specs = [(KIND_STORY[kind], kind, STAGES[(j + k) % len(STAGES)])
                 for j in range(len(STAGES)) for k, kind in enumerate(kinds)]
        buyers, plans = [], []
        for i, number in enumerate(numbers):
            pinned = i < len(specs)
            if pinned:
                story, kind, stage = specs[i]
            else:
                story = self._pick(STORY_WEIGHTS)
                kind = self.rng.choice([k for k in kinds if KIND_STORY[k] == story]) if story != "quiet" else ""
                stage = self._pick(STAGE_WEIGHTS)
            if buyers and self.rng.random() < 0.15:  # a returning buyer
                buyer = self.rng.choice(buyers)
            else:
                buyer = self._buyer()
                buyers.append(buyer)
            plans.append(self._plan_order(number, buyer, story, kind, stage, pinned=pinned))
        return plans

    def _buyer(self) -> Buyer:
        country = self._pick(BUYER_COUNTRIES[self.market])
        language = COUNTRY_LANGUAGE[country]
        name = self.rng.choice(BUYER_NAMES[language])
        if self.market == Marketplace.AMAZON:  # Amazon shows an id like A2Q3Y263D00KWC and a relay address
            buyer_id = self._unique("A" + "*" * 13)
            email = f"{self._fill('*' * 14).lower()}@marketplace.{AMAZON_DOMAINS.get(country, 'amazon.de')}"
        else:
            buyer_id, email = self._unique(f"{country.lower()}##########"), ""
        return Buyer(store=self.store, platform_buyer_id=buyer_id, name=name, country=country, language=language,
                     email=email)

    def _plan_order(self, number: str, buyer: Buyer, story: str, kind: str, stage: str, *,
                    pinned: bool = False) -> OrderPlan:
        lines = [(row, self.rng.choices((1, 2, 3), weights=(75, 20, 5))[0])
                 for row in self.rng.sample(CATALOG, self.rng.choices((1, 2, 3), weights=(65, 25, 10))[0])]
        total = sum((Decimal(row[self.price_index]) * qty for row, qty in lines), Decimal("0.00"))
        plan = OrderPlan(number=number, buyer=buyer, lines=lines, total=total)
        if story == "ticket":
            plan.ticket = self._plan_ticket(kind, stage, total)
            plan.times = self._ticket_order_times(plan.ticket)
        elif story == "dispute":
            plan.dispute = self._plan_dispute(total, kind, stage, pinned=pinned)
            plan.times = self._dispute_order_times(plan.dispute)
        elif story == "return":
            plan.ret, plan.dispute = self._plan_return(total, buyer, kind, stage, pinned=pinned)
            plan.times = self._dispute_order_times(plan.dispute)
        elif story == "window":
            plan.window = kind
            if kind == ClockKind.REFUND_WINDOW:
                started, met_at = self.start_for_stage(kind, stage)
                plan.times = self.timeline("completed", started)
            else:  # closed well after completion, when the payout settled
                started, met_at = self.start_for_stage(kind, stage, met_share=(0.35, 0.95))
                plan.times = self.timeline("paid", started)
            plan.closed_at = met_at
        else:
            roll = self.rng.random()
            if roll < 0.05:
                plan.status = OrderStatus.CANCELLED
                plan.times = {"placed": self.now - days(self._u(1, 90))}
            elif roll < 0.08:
                plan.status = OrderStatus.AWAITING_PAYMENT
                plan.times = {"placed": self.now - hours(self._u(0.1, 20))}
            else:
                plan.times = self.timeline("paid", self.now - days(200 * self._u(0, 1) ** 1.6))
        for step, status in (("paid", OrderStatus.PAID), ("shipped", OrderStatus.SHIPPED),
                             ("delivered", OrderStatus.DELIVERED), ("completed", OrderStatus.COMPLETED)):
            if plan.times.get(step):
                plan.status = status
        if plan.times.get("shipped"):
            carriers = CARRIERS[self.market]
            carrier, pattern, _ = self.rng.choices(carriers, weights=[c[2] for c in carriers])[0]
            plan.carrier, plan.tracking = carrier, self._unique(pattern)
        return plan

    def write(self, plans: list) -> None:
        """1. Buyers, orders, items, tickets, messages, disputes and returns in bulk, in
        their first status. 2. Their workflows, refunds and clocks through the services.
        3. Alerts and receipts in bulk. 4. Ticket dates back to the conversation's."""
        Buyer.objects.bulk_create(list({id(p.buyer): p.buyer for p in plans}.values()))
        for p in plans:
            t = p.times
            p.order = Order(
                store=self.store, buyer=p.buyer, order_number=p.number, status=p.status, currency=self.currency,
                total=p.total, carrier=p.carrier, tracking_number=p.tracking, placed_at=t.get("placed"),
                paid_at=t.get("paid"), shipped_at=t.get("shipped"), delivered_at=t.get("delivered"),
                completed_at=t.get("completed"), platform_updated_at=max(v for v in t.values() if v),
            )
        Order.objects.bulk_create([p.order for p in plans])
        OrderItem.objects.bulk_create([
            OrderItem(order=p.order, sku=row[0], title=row[2], quantity=qty, unit_price=Decimal(row[self.price_index]))
            for p in plans for row, qty in p.lines
        ])
        self._write_tickets(plans)
        self._write_disputes(plans)
        for p in plans:
            self._run_order(p)
        self._write_alerts()
        self._backdate_tickets(plans)

    def _ctx(self, p: OrderPlan, amount: Decimal | None = None) -> dict:
        """Placeholders of the message texts, amounts in the buyer's locale."""
        sku, item = p.lines[0][0][:2]
        return {
            "order": p.number, "item": item, "sku": sku, "tracking": p.tracking or "—",
            "carrier": p.carrier or "the carrier", "name": p.buyer.name.split()[0],
            "amount": self._amount(p, p.total if amount is None else amount),
        }

    def _amount(self, p: OrderPlan, amount: Decimal) -> str:
        return format_currency(amount, self.currency, locale=BABEL_LOCALES.get(p.buyer.language, "en_US"))

    def _run_order(self, p: OrderPlan) -> None:
        """One order's workflows, refunds and clocks, through the services."""
        order = p.order
        if p.ticket:
            self._run_ticket(p)
        if p.dispute:
            self._run_dispute(p)
        if p.ret:
            self._run_return(p)
        if p.ticket and p.ticket.resolved_at and p.ticket.offer:
            self._refund(p, p.ticket.offer, p.ticket.resolved_at, RefundReason.GOODWILL, RefundSource.AGENT,
                         p.ticket_obj.assignee or SEED_ACTOR, note="Quality problem: the buyer keeps the item.")
        if p.dispute and p.dispute.refund:
            amount, at, reason, source = p.dispute.refund
            self._refund(p, amount, at, reason, source, SEED_ACTOR, dispute=p.dispute_obj, ret=p.return_obj)
        # A fully refunded order, or one whose refund window passed quietly, is closed.
        if p.closed_at:
            closed_at, reason = p.closed_at, "Order closed without a claim."
        elif order.refunded_amount >= order.total:
            closed_at, reason = p.last_refund_at, "Fully refunded."
        else:
            closed_at = None
        if closed_at and OrderStatus.CLOSED in ORDER_TRANSITIONS[order.status]:
            order_set_status(order=order, status=OrderStatus.CLOSED, actor=SEED_ACTOR, reason=reason, at=closed_at)
        if p.window:
            self._run_window(p)

    def _refund(self, p: OrderPlan, amount, at, reason, source, actor, *, dispute=None, ret=None,
                note="") -> None:
        amount = min(amount, p.order.refundable_amount)  # never more than is left of what was paid
        if amount > 0:
            refund_record(order=p.order, amount=amount, reason=reason, actor=actor, source=source, dispute=dispute,
                          return_request=ret, note=note, refunded_at=at)
            p.last_refund_at = max(filter(None, (p.last_refund_at, at)))

    def _run_window(self, p: OrderPlan) -> None:
        started = p.times["completed"] if p.window == ClockKind.REFUND_WINDOW else p.times["paid"]
        reason = "Order closed without a claim." if p.window == ClockKind.REFUND_WINDOW else \
            "Order closed and paid out; no claim open."
        self._clock(p.window, p.order, started, done_at=p.closed_at, done_by=SEED_ACTOR, done_reason=reason,
                    amount=p.total, owner=None, label=f"order {p.number}")
