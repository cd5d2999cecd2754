"""Exchange rates into the desk currency: set them (audited) and say which are missing."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tickets.models import ExchangeRate
from tickets.models.base import currency_validator
from tickets.models.rates import RATE_NOT_POSITIVE

from .audit import audit_record

RATE_OF_DESK_CURRENCY = _("%(currency)s is the desk currency: its rate is always 1.")


def rate_set(*, currency: str, rate, actor, reason: str = "") -> ExchangeRate:
    """Create or change the rate of ``currency``, with an audit entry (old and new rate)."""
    currency = (currency or "").strip().upper()
    errors = {}
    try:
        currency_validator(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if currency == settings.DESK_CURRENCY:
        errors["currency"] = [RATE_OF_DESK_CURRENCY % {"currency": currency}]
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        errors["rate"] = [_("Enter a number.")]
    else:
        if not value.is_finite() or value <= 0:
            errors["rate"] = [RATE_NOT_POSITIVE]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = ExchangeRate.objects.select_for_update().filter(currency=currency).first()
        before = row.rate if row else None
        if row is None:
            row = ExchangeRate(currency=currency)
        row.rate, row.updated_by = value, actor if getattr(actor, "pk", None) else None
        row.full_clean()
        row.save()
        audit_record(subject=row, actor=actor, action="rate", field="rate",
                     from_value="" if before is None else before.normalize(), to_value=value.normalize(),
                     reason=reason)
    return row


def rates_missing(currencies) -> list[str]:
    """Of ``currencies``, those the desk cannot convert (no rate, not the desk's own)."""
    wanted = {c for c in currencies if c and c != settings.DESK_CURRENCY}
    known = set(ExchangeRate.objects.filter(currency__in=wanted).values_list("currency", flat=True))
    return sorted(wanted - known)
