"""Revising a marketplace's clock policy.

A policy row is never edited in place. A revision writes version + 1 with the
changes and retires the old version, in one transaction, with an audit entry per
changed field. Running clocks keep the due times they were started with (they point
at the version they came from); clocks started afterwards use the new version.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tickets.models import ClockPolicy

from .audit import audit_record

# What a revision may change. Marketplace, kind and version name the policy; the
# rest of the row is bookkeeping written here.
REVISABLE_FIELDS = ("length", "uses_working_hours", "outside_length", "cap", "warn_before", "escalate_before",
                    "day_end_zone", "raises_alerts", "note")

NOT_CURRENT = _("Only the current version of a policy can be revised; this one was replaced.")
NOTHING_CHANGED = _("The revision changes nothing.")
REPLACED_MEANWHILE = _("Someone revised this policy meanwhile; reload it and try again.")


def policy_revise(*, policy: ClockPolicy, actor, reason: str = "", **changes) -> ClockPolicy:
    """Replace ``policy`` by a new version with ``changes`` applied; returns the new version.

    1. Lock the current row, so two revisions at once cannot both retire it.
    2. Build the new version: the old one's values with ``changes`` applied.
    3. Retire the old version first: the database allows one current version per
       marketplace and clock, and checks that on every statement.
    4. Validate the new version (the model's rules, e.g. a positive length), insert
       it and audit each changed field on it; a refusal rolls the retirement back.
    """
    unknown = set(changes) - set(REVISABLE_FIELDS)
    if unknown:
        raise TypeError(f"policy_revise() cannot change {', '.join(sorted(unknown))}")
    changed = {name: value for name, value in changes.items() if getattr(policy, name) != value}
    if not changed:
        raise ValidationError(NOTHING_CHANGED)
    with transaction.atomic():
        current = ClockPolicy.objects.select_for_update().filter(pk=policy.pk).first()
        if current is None or not current.is_current:
            # The caller saw it current: another revision won the race.
            raise ValidationError(REPLACED_MEANWHILE if current is not None and policy.is_current else NOT_CURRENT)
        latest = (ClockPolicy.objects.filter(marketplace=current.marketplace, kind=current.kind)
                  .aggregate(latest=Max("version"))["latest"])
        revised = ClockPolicy(
            marketplace=current.marketplace, kind=current.kind, version=latest + 1, is_current=True,
            created_by=None if actor is None or isinstance(actor, str) else actor,
            **{name: getattr(current, name) for name in REVISABLE_FIELDS},
        )
        for name, value in changed.items():
            setattr(revised, name, value)
        ClockPolicy.objects.filter(pk=current.pk).update(is_current=False)
        revised.full_clean()
        revised.save()
        for name, value in changed.items():
            audit_record(subject=revised, actor=actor, action="policy_revise", field=name,
                         from_value=_display(getattr(current, name)), to_value=_display(value),
                         reason=reason or f"v{current.version} -> v{revised.version}")
    policy.is_current = False
    return revised


def _display(value) -> str:
    return "" if value is None else str(value)
