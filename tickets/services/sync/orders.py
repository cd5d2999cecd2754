"""Orders in from the ERP: ``POST /api/v1/sync/orders/``.

New orders of a batch are written together (buyers, orders, lines, audit entries
and window clocks: a handful of statements for a thousand orders). An order
already stored is compared first and left alone when nothing changed; a changed
one is updated on its own, under a row lock, in its own savepoint, so one bad
item never undoes or blocks the others.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.choices import ClockKind, OrderStatus
from tickets.models import AuditEntry, Buyer, Order, OrderItem

from ..audit import audit_dicts
from ..bulk_sql import insert_rows
from ..clocks import clocks_start_many
from ..field_errors import field_errors
from ..orders import STEP_TIME, order_set_status
from ..origin import platform_sync
from ..time_order import time_label
from ..workflow import transition_path
from .batch import (
    CREATED,
    STALE,
    SYNCED,
    UNCHANGED,
    UPDATED,
    Item,
    changes_save,
    field_changes,
    is_stale,
    parse_batch,
    report,
)
from .fields import Choice, Email, Integer, ListOf, Money, Regex, Shape, Text, Timestamp, currency, language

BUYER = Shape("SyncBuyer", {
    "id": Text(64, required=True, help_text="The marketplace's buyer id."),
    "name": Text(200),
    "country": Regex(r"[A-Z]{2}", "Expected an ISO 3166 country code in capitals, such as FR.", max_length=2),
    "language": language(),
    "email": Email(),
})
LINE = Shape("SyncOrderLine", {
    "sku": Text(80, required=True),
    "title": Text(300, required=True),
    "quantity": Integer(min_value=1, required=True),
    "unit_price": Money(required=True),
})
TIMESTAMPS = ("placed_at", "paid_at", "shipped_at", "delivered_at", "completed_at")


def _times_errors(data: dict, order: Order | None = None) -> dict:
    """An order is paid after it is placed, shipped after that, and so on: each time
    the item sends must fall between the steps around it, whether the item or the
    stored order (and its disputes, opened after it was placed) gives them. Errors
    name the field the item sent."""
    merged = {name: data.get(name, getattr(order, name, None)) for name in TIMESTAMPS}
    errors = {}
    for index, name in enumerate(TIMESTAMPS):
        moment = data.get(name)
        if moment is None:
            continue
        before = [(merged[e], e) for e in TIMESTAMPS[:index] if merged[e] is not None and moment < merged[e]]
        after = [(merged[e], e) for e in TIMESTAMPS[index + 1:] if merged[e] is not None and moment > merged[e]]
        if before:
            at, other = max(before)
            errors[name] = [_("Earlier than %(field)s (%(time)s).") % {"field": other, "time": time_label(at)}]
        elif after and order is not None:  # within one item, the later field already says it
            at, other = min(after)
            errors[name] = [_("Later than %(field)s (%(time)s).") % {"field": other, "time": time_label(at)}]
    if order is None:
        return errors
    placed = [data[n] for n in ("placed_at", "paid_at") if data.get(n) is not None]
    if placed:
        opened = order.disputes.order_by("opened_at").values_list("opened_at", "external_id").first()
        if opened and min(placed) > opened[0]:
            name = "placed_at" if data.get("placed_at") is not None else "paid_at"
            errors.setdefault(name, [_("Later than the opening of dispute %(id)s (%(time)s).") % {
                "id": opened[1], "time": time_label(opened[0])}])
    return errors


ORDER = Shape("SyncOrder", check=_times_errors, fields={
    "store": Text(40, required=True, help_text="The store's code."),
    "order_number": Text(64, required=True, help_text="The marketplace's order number."),
    "status": Choice(OrderStatus, help_text="Where the order is now; paid when left out on a new order."),
    "buyer": BUYER,
    "items": ListOf(LINE, max_items=200),
    "total": Money(required=True),
    "currency": currency(required=True),
    "carrier": Text(80),
    "tracking_number": Text(80),
    **{name: Timestamp() for name in TIMESTAMPS},
    "updated_at": Timestamp(help_text="The platform's last change of the order; an older one than stored is stale."),
})
ORDER.fields["buyer"].required = True

# Plain columns an update may change, compared as they are.
COLUMNS = ("total", "currency", "carrier", "tracking_number", *TIMESTAMPS)
BLANK = {"carrier": "", "tracking_number": ""}  # what a new order without them stores
ZERO = Decimal("0.00")
BUYER_COLUMNS = {"name": "name", "country": "country", "language": "language", "email": "email"}
# Statuses from which the buyer's card can still be charged back, and the one that
# opens the refund window (see services/orders.py).
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def orders_sync(raw_items: list, *, actor) -> dict:
    results, items = parse_batch(raw_items, shape=ORDER, key="order_number", actor=actor)
    with platform_sync():
        stored = _stored(items)
        new = [i for i in items if (i.store.pk, i.data["order_number"]) not in stored]
        for item in items:
            order = stored.get((item.store.pk, item.data["order_number"]))
            if order is not None:
                _update(item, order, actor)
        if new:
            try:
                with transaction.atomic():
                    _create(new, actor)
            except IntegrityError:
                # Someone stored some of them meanwhile: take the items one at a time.
                for item in new:
                    _create_or_update_one(item, actor)
    return report(results)


def _stored(items: list[Item]) -> dict:
    if not items:
        return {}
    orders = (Order.objects.filter(store_id__in={i.store.pk for i in items},
                                   order_number__in={i.data["order_number"] for i in items})
              .select_related("buyer").prefetch_related("items"))
    return {(o.store_id, o.order_number): o for o in orders}


def _lines(data: dict) -> list[tuple]:
    return [(line["sku"], line["title"], line["quantity"], line["unit_price"]) for line in data.get("items", [])]


# New orders ------------------------------------------------------------------------------
def _buyers(items: list[Item]) -> dict:
    """The buyer id of each item, the buyer created when new and refreshed when the
    platform sends other details, keyed by (store id, platform buyer id)."""
    wanted = {(i.store.pk, i.data["buyer"]["id"]): i.data["buyer"] for i in items}
    columns = list(BUYER_COLUMNS.values())

    found = {(row[1], row[2]): row for row in Buyer.objects.filter(
        store_id__in={k[0] for k in wanted}, platform_buyer_id__in={k[1] for k in wanted}).values_list(
        "pk", "store_id", "platform_buyer_id", *columns)}
    missing = [{"store_id": store_id, "platform_buyer_id": buyer_id,
                **{column: data.get(key, "") for key, column in BUYER_COLUMNS.items()}}
               for (store_id, buyer_id), data in wanted.items() if (store_id, buyer_id) not in found]
    if missing:
        # A buyer another request adds meanwhile fails the insert, and the batch goes
        # one item at a time, where the second try finds it.
        insert_rows(Buyer, missing)  # writes each new id into its row
        found.update({(row["store_id"], row["platform_buyer_id"]): (row["id"], row["store_id"],
                      row["platform_buyer_id"], *(row[column] for column in columns)) for row in missing})
    for key, data in wanted.items():
        row = found[key]
        changes = {column: data[name] for (name, column), value in zip(BUYER_COLUMNS.items(), row[3:], strict=True)
                   if name in data and data[name] != value}
        if changes:
            Buyer.objects.filter(pk=row[0]).update(**changes, updated_at=timezone.now())
    return {key: row[0] for key, row in found.items()}


def _create(items: list[Item], actor) -> None:
    buyers = _buyers(items)
    orders = []
    for item in items:
        data = item.data
        reached_at = STEP_TIME.get(data.get("status", OrderStatus.PAID))
        if reached_at and reached_at not in data and "updated_at" in data:
            # As for an update: the status was reached by the platform's last change at the latest.
            data[reached_at] = data["updated_at"]
        orders.append({"store_id": item.store.pk, "buyer_id": buyers[(item.store.pk, data["buyer"]["id"])],
                       "order_number": data["order_number"], "status": data.get("status", OrderStatus.PAID),
                       "platform_updated_at": data.get("updated_at"), "refunded_amount": ZERO,
                       **{column: data.get(column, BLANK.get(column)) for column in COLUMNS}})
    insert_rows(Order, orders)
    insert_rows(OrderItem, [
        {"order_id": order["id"], "sku": sku, "title": title, "quantity": quantity, "unit_price": price}
        for order, item in zip(orders, items, strict=True) for sku, title, quantity, price in _lines(item.data)])
    insert_rows(AuditEntry, audit_dicts(
        Order, [(o["id"], o["store_id"], "", o["status"]) for o in orders], actor=actor, action="create",
        field="status", reason=SYNCED))
    stores = {item.store.pk: item.store for item in items}
    for kind, status_ok, when in ((ClockKind.CHARGEBACK_WINDOW, PAID_STATUSES, "paid_at"),
                                  (ClockKind.REFUND_WINDOW, (OrderStatus.COMPLETED,), "completed_at")):
        clocks_start_many(kind=kind, actor=actor, start_event=f"order.{when}", starts=[
            {"subject": {"order_id": o["id"]}, "store": stores[o["store_id"]], "started_at": o[when],
             "amount": o["total"], "currency": o["currency"], "ticket_id": None}
            for o in orders if o["status"] in status_ok and o[when]])
    for order, item in zip(orders, items, strict=True):
        item.result.status, item.result.id = CREATED, order["id"]


def _create_or_update_one(item: Item, actor) -> None:
    for _attempt in range(2):  # the second finds what a concurrent request added (buyer or order)
        if (item.store.pk, item.data["order_number"]) in _stored([item]):
            break
        try:
            with transaction.atomic():
                _create([item], actor)
                return
        except IntegrityError:
            continue
    order = _stored([item]).get((item.store.pk, item.data["order_number"]))
    if order is None:  # not a duplicate after all: report it rather than guess
        item.fail({"order_number": [_("The order could not be stored; send it again.")]})
        return
    _update(item, order, actor)


# Stored orders ---------------------------------------------------------------------------
def _stored_lines(order: Order) -> list[tuple]:
    return [(i.sku, i.title, i.quantity, i.unit_price) for i in order.items.all()]


def _is_unchanged(item: Item, order: Order) -> bool:
    data, buyer = item.data, order.buyer
    return (not field_changes(item, order, COLUMNS)
            and data.get("status", order.status) == order.status
            and data["buyer"]["id"] == buyer.platform_buyer_id
            and all(data["buyer"][k] == getattr(buyer, c) for k, c in BUYER_COLUMNS.items() if k in data["buyer"])
            and ("items" not in data or _lines(data) == _stored_lines(order)))


def _update(item: Item, order: Order, actor) -> None:
    item.result.id = order.pk
    if is_stale(item, order):
        item.result.status = STALE
        return
    if _is_unchanged(item, order):
        item.result.status = UNCHANGED
        return
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
            if is_stale(item, locked):
                item.result.status = STALE
                return
            _apply(item, locked, actor)
            item.result.status = UPDATED
    except ValidationError as exc:
        item.fail(field_errors(exc))


def _apply(item: Item, order: Order, actor) -> None:
    data = item.data
    errors = _times_errors(data, order)
    if errors:
        raise ValidationError(errors)
    changes = field_changes(item, order, COLUMNS)
    if "total" in changes and changes["total"] < order.refunded_amount:
        raise ValidationError({"total": _("%(refunded)s %(currency)s has already been refunded on this order.") % {
            "refunded": order.refunded_amount, "currency": order.currency}})
    if "currency" in changes and order.refunded_amount:
        raise ValidationError({"currency": _("The order has refunds in %(currency)s; its currency cannot change.") % {
            "currency": order.currency}})
    if "currency" in changes and order.disputes.exists():
        # Its disputes ask for amounts in the order's currency, and must stay comparable with it.
        raise ValidationError({"currency": _(
            "The order has disputes in %(currency)s; its currency cannot change.") % {"currency": order.currency}})
    path = transition_path(order, data["status"]) if data.get("status", order.status) != order.status else []
    buyer_id = _buyers([item])[(order.store_id, data["buyer"]["id"])]
    if buyer_id != order.buyer_id:
        changes["buyer_id"] = buyer_id
    if changes:
        changes_save(order, changes, actor=actor)
    if "items" in data and _lines(data) != _stored_lines(order):
        order.items.all().delete()
        OrderItem.objects.bulk_create([OrderItem(order=order, sku=s, title=t, quantity=q, unit_price=p)
                                       for s, t, q, p in _lines(data)])
        if not changes:
            Order.objects.filter(pk=order.pk).update(updated_at=timezone.now())
    for status in path:
        # A step the platform reports without its own time was reached by its last
        # change at the latest: that, not the moment of the sync, is the best time known.
        order_set_status(order=order, status=status, actor=actor, reason=SYNCED,
                         at=data.get(STEP_TIME.get(status, "")) or data.get("updated_at"))
