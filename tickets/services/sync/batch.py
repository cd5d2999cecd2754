"""What every sync endpoint shares: parsing a batch, finding the stores, the
per-item results, and the staleness rule."""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import AuditEntry, Store

from ..audit import audit_rows
from ..field_errors import field_errors
from .fields import Invalid, Shape

MAX_ITEMS = 1000

CREATED, UPDATED, UNCHANGED, STALE, ERROR = "created", "updated", "unchanged", "stale", "error"
SYNCED = "Synced from the platform."
STATUSES = (CREATED, UPDATED, UNCHANGED, STALE, ERROR)


@dataclass
class Result:
    """The outcome of one item, in the order the items were sent."""

    index: int
    key: dict
    status: str = ""
    id: int | None = None
    errors: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = {"index": self.index, **self.key, "status": self.status}
        if self.status == ERROR:
            data["errors"] = self.errors
        else:
            data["id"] = self.id
        return data


@dataclass
class Item:
    """A parsed item on its way in: ``data`` is clean, ``store`` resolved."""

    result: Result
    data: dict
    store: Store | None = None

    def fail(self, errors: dict) -> None:
        self.result.status, self.result.errors = ERROR, errors


def report(results: list[Result]) -> dict:
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result.status] += 1
    return {"results": [r.as_json() for r in results], "summary": counts}


def parse_batch(raw_items: list, *, shape: Shape, key: str, actor) -> tuple[list[Result], list[Item]]:
    """Parse every item and resolve its store. Returns all results (the failed ones
    already final) and the items still to apply.

    A store the caller cannot see is "unknown", whether or not it exists: an API
    key learns nothing about other sellers' stores. An item naming the same object
    as an earlier item of the batch is refused, since which one should win is
    anybody's guess.
    """
    results, items = [], []
    for index, raw in enumerate(raw_items):
        natural = {k: raw.get(k) for k in ("store", key)} if isinstance(raw, dict) else {}
        result = Result(index=index, key={k: v for k, v in natural.items() if isinstance(v, str)})
        results.append(result)
        try:
            data = shape.parse(raw)
        except Invalid as exc:
            result.status, result.errors = ERROR, exc.errors
            continue
        items.append(Item(result=result, data=data))
    codes = {item.data["store"] for item in items}
    stores = {s.code: s for s in Store.objects.visible_to(actor).filter(code__in=codes)}
    seen, ready = {}, []
    for item in items:
        item.store = stores.get(item.data["store"])
        if item.store is None:
            item.fail({"store": [_("Unknown store “%(code)s”, or not one this key may write to.") % {
                "code": item.data["store"]}]})
            continue
        natural = (item.store.pk, item.data[key])
        if natural in seen:
            item.fail({key: [_("Item %(index)d of this request has the same %(key)s; send each once.") % {
                "index": seen[natural], "key": key}]})
            continue
        seen[natural] = item.result.index
        ready.append(item)
    return results, ready


def is_stale(item: Item, stored) -> bool:
    """An update older than what is stored: the platform's own later update, or a
    change the desk made since (an agent's refund, a lapse consequence)."""
    sent = item.data.get("updated_at")
    if sent is None:
        return False
    known = [t for t in (stored.platform_updated_at, getattr(stored, "desk_changed_at", None)) if t is not None]
    return any(sent < t for t in known)


def field_changes(item: Item, obj, fields) -> dict:
    """The plain fields ``item`` changes on the stored ``obj``, and the platform's
    ``updated_at`` when it moved."""
    data = item.data
    changes = {name: data[name] for name in fields if name in data and data[name] != getattr(obj, name)}
    if "updated_at" in data and data["updated_at"] != obj.platform_updated_at:
        changes["platform_updated_at"] = data["updated_at"]
    return changes


def changes_save(obj, changes: dict, *, actor, check=None) -> None:
    """Write ``changes`` to ``obj`` in one UPDATE, with an audit entry per field
    (from, to). ``check`` validates ``obj`` with the changes applied, before the write."""
    old = {name: getattr(obj, name) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    if check is not None:
        check()
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(**changes, updated_at=timezone.now())
    AuditEntry.objects.bulk_create([
        entry for name, value in changes.items() for entry in audit_rows(
            model, [(obj.pk, obj.store_id, old[name], value)], actor=actor, action="sync", field=name,
            reason=SYNCED)])


def apply_one_by_one(items: list[Item], *, model, key: str, create, update, actor) -> None:
    """Create or update each item of a platform object identified by ``external_id``
    (disputes, returns), each in its own savepoint: a refused item is reported and
    leaves nothing behind, and the others go on.

    An insert that collides with the same object stored meanwhile by a concurrent
    request is retried as an update of what that request stored.
    """
    stored = {(o.store_id, o.external_id): o for o in model.objects.filter(
        store_id__in={i.store.pk for i in items}, external_id__in={i.data[key] for i in items})}
    for item in items:
        obj = stored.get((item.store.pk, item.data[key]))
        try:
            try:
                with transaction.atomic():
                    if obj is None:
                        create(item, actor)
                    else:
                        update(item, obj, actor)
            except (IntegrityError, ValidationError) as exc:
                # A concurrent request stored the same object after the lookup above: its
                # INSERT wins, or the model's unique check sees it first. Either way this
                # item is an update of what that request stored.
                if isinstance(exc, ValidationError) and obj is not None:
                    raise
                fresh = model.objects.filter(store=item.store, external_id=item.data[key]).first()
                if fresh is None:
                    if isinstance(exc, ValidationError):
                        raise
                    raise ValidationError({key: [_("It could not be stored; send it again.")]}) from None
                with transaction.atomic():
                    update(item, fresh, actor)
        except ValidationError as exc:
            item.fail(field_errors(exc))


# A duplicate key, the only IntegrityError that a retry can cure: PostgreSQL's
# SQLSTATE unique_violation and SQLite's extended result names.
DUPLICATE_KEY = {"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def refuse_broken_rules(apply):
    """Report a database rule the item breaks as the item's error, not as a retry.

    The batch retries an IntegrityError as an update of a row a concurrent request
    inserted meanwhile; that is only true of a duplicate key. Any other constraint
    (a CHECK, a NOT NULL) fails again each time, so it is refused here, by name.
    """
    @functools.wraps(apply)
    def guarded(*args, **kwargs):
        try:
            return apply(*args, **kwargs)
        except IntegrityError as exc:
            rule = _broken_rule(exc)
            if rule is None:
                raise
            raise ValidationError(_("It could not be stored: it breaks the rule “%(rule)s”. "
                                    "Sending it again will not help.") % {"rule": rule}) from exc
    return guarded


def _broken_rule(exc: IntegrityError) -> str | None:
    """The constraint ``exc`` reports, or None for a duplicate key."""
    cause = exc.__cause__
    code = next(filter(None, (getattr(cause, name, None) for name in ("sqlstate", "pgcode", "sqlite_errorname"))),
                None)
    if code in DUPLICATE_KEY:
        return None
    # PostgreSQL names the constraint (or the column of a NOT NULL) apart; SQLite only
    # at the end of its message ("CHECK constraint failed: return_received_after_agreed").
    # Never PostgreSQL's message itself: its DETAIL quotes the row, buyer's words and all.
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return diag.constraint_name or diag.column_name or "integrity"
    return str(exc).rpartition(": ")[2] or "integrity"
