"""The in-app alert inbox: a user reads and acknowledges the alerts sent to them.

Reading is the inbox's own bookkeeping (the unread badge); acknowledging says "I
have seen this lapse coming and I own it", which supervisors check, so it leaves
an audit entry on the alert. Both are conditional UPDATEs: a double click, or the
page and the API at once, change the receipt once and audit it once.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import AlertReceipt

from .audit import audit_record

NOT_YOUR_ALERT = _("Only the recipient of an alert can read or acknowledge it.")


def _check_recipient(receipt: AlertReceipt, user) -> None:
    if receipt.user_id != user.pk:
        raise PermissionDenied(NOT_YOUR_ALERT)


def alert_mark_read(*, receipt: AlertReceipt, user, at: dt.datetime | None = None) -> bool:
    """Mark one alert read for ``user``; False if it already was."""
    _check_recipient(receipt, user)
    at = at or timezone.now()
    changed = AlertReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=at)
    if changed:
        receipt.read_at = at
    return bool(changed)


def alerts_mark_all_read(*, user, at: dt.datetime | None = None) -> int:
    """Mark every unread alert in ``user``'s inbox read, in one UPDATE; returns how many."""
    unread = AlertReceipt.objects.visible_to(user).filter(user=user, read_at__isnull=True)
    return unread.update(read_at=at or timezone.now())


def alert_acknowledge(*, receipt: AlertReceipt, user, at: dt.datetime | None = None) -> bool:
    """Acknowledge one alert for ``user`` (which also marks it read), with an audit
    entry on the alert. False, and no second entry, if it was already acknowledged."""
    _check_recipient(receipt, user)
    at = at or timezone.now()
    with transaction.atomic():
        changed = AlertReceipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=at, read_at=Coalesce("read_at", Value(at)))
        if not changed:
            return False
        audit_record(subject=receipt.alert, actor=user, action="acknowledge", field="acknowledged_at",
                     to_value=at.isoformat(), reason=f"alert receipt {receipt.pk}")
    receipt.acknowledged_at = at
    receipt.read_at = receipt.read_at or at
    return True
