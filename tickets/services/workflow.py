"""Status changes: the one place that checks a transition, applies it and audits it.

The allowed transitions are tables in ``tickets.choices``. A change is applied with a
conditional UPDATE (``WHERE status = <the status we checked>``), so two people
changing the same object at once cannot both win: the second gets a clear error
instead of silently overwriting the first.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tickets import choices

from .audit import audit_record
from .origin import desk_stamp

TRANSITIONS = {
    "order": choices.ORDER_TRANSITIONS,
    "ticket": choices.TICKET_TRANSITIONS,
    "dispute": choices.DISPUTE_TRANSITIONS,
    "disputeproposal": choices.PROPOSAL_TRANSITIONS,
    "return": choices.RETURN_TRANSITIONS,
    "clock": choices.CLOCK_TRANSITIONS,
}
STATE_FIELD = {"clock": "state"}


class InvalidTransition(ValidationError):
    """A refused status change. It is a ValidationError keyed by the status field,
    so model forms show it on the field and the API answers 400 with it."""


class ConcurrentChange(InvalidTransition):
    """The object changed status between reading it and writing it."""


def state_field(model) -> str:
    return STATE_FIELD.get(model._meta.model_name, "status")


def _label(model, field: str, value) -> str:
    choices_map = dict(model._meta.get_field(field).flatchoices)
    return str(choices_map.get(value, value))


def allowed_next(obj) -> list[str]:
    """The statuses ``obj`` may move to from where it is now."""
    model_name = obj._meta.model_name
    current = getattr(obj, state_field(obj))
    return sorted(TRANSITIONS[model_name].get(current, ()))


def transition_path(obj, to: str) -> list[str]:
    """The statuses ``obj`` passes through to reach ``to``, shortest first.

    A platform reports where an order or a dispute is now, not every step on the
    way (an order synced once a week goes from paid straight to completed); each
    step is still applied and audited through ``transition``. Raises
    InvalidTransition, with the usual message, when ``to`` cannot be reached.
    """
    table = TRANSITIONS[obj._meta.model_name]
    start = getattr(obj, state_field(obj))
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for following in sorted(table.get(path[-1], ())):
            if following == to:
                return [*path[1:], to]
            if following not in seen:
                seen.add(following)
                paths.append([*path, following])
    check_transition(obj, to)  # raises: nothing leads there
    return [to]


def check_transition(obj, to: str, *, current: str | None = None) -> None:
    """Raise InvalidTransition unless ``obj`` may move to ``to``.

    ``current`` overrides the status read from ``obj`` (a form has already put the
    new value on the instance and passes the stored one).
    """
    model = type(obj)
    field = state_field(model)
    table = TRANSITIONS[model._meta.model_name]
    current = getattr(obj, field) if current is None else current
    verbose = model._meta.verbose_name
    if to not in table:
        raise InvalidTransition({field: _("“%(to)s” is not one of the %(object)s statuses.") % {
            "to": to, "object": verbose}})
    if to == current:
        raise InvalidTransition({field: _("The %(object)s is already “%(status)s”.") % {
            "object": verbose, "status": _label(model, field, current)}})
    allowed = table.get(current, set())
    if to not in allowed:
        if allowed:
            hint = _("From “%(from)s” it can go to: %(allowed)s.") % {
                "from": _label(model, field, current),
                "allowed": pgettext("list separator", ", ").join(
                    _("“%(status)s”") % {"status": _label(model, field, s)} for s in sorted(allowed)),
            }
        else:
            hint = _("“%(from)s” is final.") % {"from": _label(model, field, current)}
        raise InvalidTransition({field: _("This %(object)s cannot go from “%(from)s” to “%(to)s”. %(hint)s") % {
            "object": verbose, "from": _label(model, field, current), "to": _label(model, field, to), "hint": hint}})


def transition(obj, *, to: str, actor, reason: str = "", extra: dict | None = None):
    """Move ``obj`` to status ``to``, with ``extra`` field updates in the same write,
    and leave an audit entry. Returns ``obj`` updated in place."""
    model = type(obj)
    field = state_field(model)
    current = getattr(obj, field)
    check_transition(obj, to)
    updates = {field: to, **desk_stamp(model), **(extra or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        updates["updated_at"] = timezone.now()
    with transaction.atomic():
        changed = model._base_manager.filter(pk=obj.pk, **{field: current}).update(**updates)
        if changed != 1:
            raise ConcurrentChange({field: _(
                "This %(object)s was changed by someone else meanwhile; reload it and try again."
            ) % {"object": model._meta.verbose_name}})
        audit_record(subject=obj, actor=actor, action="status", field=field,
                     from_value=current, to_value=to, reason=reason)
    for name, value in updates.items():
        setattr(obj, name, value)
    return obj
