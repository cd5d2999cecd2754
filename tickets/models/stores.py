"""Stores (one shop on one marketplace) and their working calendar."""

import datetime
import functools
import zoneinfo

import holidays
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.choices import Marketplace

from .base import TimeStampedModel, scoped_manager

language_validator = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    _("Enter a BCP 47 language tag such as en, ru, pt-BR or zh-Hans."),
)
weekdays_validator = RegexValidator(
    r"^[1-7]{1,7}$", _("List working days as ISO weekday digits, 1 = Monday to 7 = Sunday, e.g. 12345.")
)


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not an IANA time zone such as Asia/Shanghai."), params={"value": value}
        ) from None


@functools.cache
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


class Store(TimeStampedModel):
    """One shop on one marketplace; its timezone and calendar drive working-hours clocks."""

    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("Short unique code used by the ERP, e.g. ae-main."))
    name = models.CharField(_("name"), max_length=120)
    marketplace = models.CharField(_("marketplace"), max_length=20, choices=Marketplace.choices)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai",
                                validators=[validate_timezone])
    default_language = models.CharField(_("default buyer language"), max_length=20, default="en",
                                        validators=[language_validator])
    work_start = models.TimeField(_("working hours start"), default=datetime.time(9, 0))
    work_end = models.TimeField(_("working hours end"), default=datetime.time(22, 0))
    working_days = models.CharField(_("working days"), max_length=7, default="12345",
                                    validators=[weekdays_validator],
                                    help_text=_("ISO weekday digits: 1 = Monday ... 7 = Sunday."))
    holiday_country = models.CharField(
        _("public holidays of"), max_length=2, blank=True,
        help_text=_("ISO country code whose public holidays are days off, e.g. CN. Leave blank for none."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("pk")

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        indexes = [models.Index(fields=["updated_at", "id"], name="store_sync_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(work_start__lt=models.F("work_end")),
                                   name="store_work_start_before_end"),
            models.CheckConstraint(condition=models.Q(working_days__regex=r"^[1-7]{1,7}$"),
                                   name="store_working_days_digits"),
            models.CheckConstraint(condition=models.Q(marketplace__in=Marketplace.values),
                                   name="store_marketplace_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self):
        errors = {}
        if self.work_start and self.work_end and self.work_start >= self.work_end:
            errors["work_end"] = _("Working hours must end after they start.")
        # Codes differing only in case would be told apart by the API but not by the
        # people typing them; an exact duplicate is the unique check's to report.
        if self.holiday_country:
            self.holiday_country = self.holiday_country.upper()
            if self.holiday_country not in _supported_countries():
                errors["holiday_country"] = _(
                    "%(code)s is not a country whose public holidays the desk knows; use an ISO code such as CN, "
                    "US or DE, or leave it blank.") % {"code": self.holiday_country}
        if self.code:
            same = (Store.objects.exclude(pk=self.pk).filter(code__iexact=self.code).exclude(code=self.code)
                    .values_list("code", flat=True).first())
            if same is not None:
                errors["code"] = _("Store “%(code)s” already has this code, in other letter case.") % {"code": same}
        if errors:
            raise ValidationError(errors)


class StoreHoliday(models.Model):
    """A day off for one store, on top of its country's public holidays."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="holidays",
                              verbose_name=_("store"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("store holiday")
        verbose_name_plural = _("store holidays")
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="store_holiday_unique_date")]

    def __str__(self):
        return f"{self.store.code} {self.date:%Y-%m-%d} {self.name}".strip()
