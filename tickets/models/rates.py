"""Exchange rates into the desk's own currency, so queues rank money at stake across
stores that sell in different currencies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import currency_check, currency_field

RATE_NOT_POSITIVE = _("A rate must be more than zero.")


def positive_rate(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError(RATE_NOT_POSITIVE, code="min_value")


class ExchangeRate(models.Model):
    """How much one unit of ``currency`` is worth in ``settings.DESK_CURRENCY``.
    Written through ``tickets.services.rates.rate_set`` (audited)."""

    currency = currency_field(unique=True, default=None)
    rate = models.DecimalField(_("value in the desk currency"), max_digits=18, decimal_places=8,
                               validators=[positive_rate],
                               help_text=_("What one unit of this currency is worth in the desk currency."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            currency_check("exchange_rate_currency_iso"),
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.rate.normalize()} {settings.DESK_CURRENCY}"
