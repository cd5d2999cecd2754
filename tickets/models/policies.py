"""Clock policies: each marketplace's lengths and warning points, as editable data.

A policy row is never changed in place: a revision adds a new version and retires
the old one, so a clock can always say which version its due time came from, and
running clocks keep the due time they were started with.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import ClockKind, Marketplace

from .stores import validate_timezone


class ClockPolicy(models.Model):
    """How long one kind of clock runs on one marketplace, and when it warns."""

    marketplace = models.CharField(_("marketplace"), max_length=20, choices=Marketplace.choices)
    kind = models.CharField(_("clock"), max_length=30, choices=ClockKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    length = models.DurationField(
        _("length"), help_text=_("For first response: the allowance for a message received in working hours."))
    uses_working_hours = models.BooleanField(
        _("counts working hours"), default=False,
        help_text=_("Count in the store's working hours, days and holidays (first response)."))
    outside_length = models.DurationField(
        _("allowance outside working hours"), null=True, blank=True,
        help_text=_("First response only: allowance for a message received outside working hours."))
    cap = models.DurationField(_("never later than"), null=True, blank=True,
                               help_text=_("First response only: the most elapsed time ever allowed."))
    warn_before = models.DurationField(_("warn before due"), null=True, blank=True,
                                       help_text=_("Empty: no warning."))
    escalate_before = models.DurationField(
        _("add supervisors before due"), null=True, blank=True,
        help_text=_("Empty: half the warning time."))
    day_end_zone = models.CharField(
        _("due at the end of the day in"), max_length=64, blank=True, validators=[validate_timezone],
        help_text=_("IANA zone, e.g. America/Los_Angeles: the due time moves to 23:59:59 of its day there, as "
                    "eBay's deadlines do. Empty: due at the exact time. Not for working-hours clocks."))
    raises_alerts = models.BooleanField(_("raises alerts"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["marketplace", "kind", "-version"]
        verbose_name = _("clock policy")
        verbose_name_plural = _("clock policies")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "kind", "version"], name="policy_version_unique"),
            models.UniqueConstraint(fields=["marketplace", "kind"], condition=Q(is_current=True),
                                    name="policy_one_current",
                                    violation_error_message=_("This marketplace already has a current policy "
                                                              "for this clock.")),
            models.CheckConstraint(condition=Q(length__gt=timedelta(0)), name="policy_length_positive"),
            models.CheckConstraint(condition=Q(warn_before__isnull=True) | Q(warn_before__gt=timedelta(0)),
                                   name="policy_warning_positive"),
            models.CheckConstraint(condition=Q(kind__in=ClockKind.values), name="policy_kind_valid"),
            models.CheckConstraint(condition=Q(marketplace__in=Marketplace.values), name="policy_marketplace_valid"),
        ]

    def __str__(self):
        return f"{self.get_marketplace_display()} · {self.get_kind_display()} v{self.version}"

    def clean(self):
        errors = {}
        if self.day_end_zone and self.uses_working_hours:
            errors["day_end_zone"] = _("A working-hours clock is due when its working time runs out: leave this "
                                       "empty.")
        for name in ("length", "outside_length", "cap", "warn_before", "escalate_before"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                errors[name] = _("Must be more than zero.")
        allowances = [v for v in (self.length, self.outside_length) if v is not None and v > timedelta(0)]
        shortest = min(allowances) if allowances else None
        # An alert point at or before the clock's start would fire the moment it starts.
        for name in ("warn_before", "escalate_before"):
            value = getattr(self, name)
            if name not in errors and value is not None and shortest is not None and value >= shortest:
                errors[name] = _("Must be shorter than the clock's length (%(length)s), or it fires as the clock "
                                 "starts.") % {"length": shortest}
        if ("escalate_before" not in errors and self.escalate_before is not None and self.warn_before is not None
                and self.escalate_before > self.warn_before):
            errors["escalate_before"] = _("Supervisors come after the warning: at most the warning time "
                                          "(%(warn)s).") % {"warn": self.warn_before}
        if errors:
            raise ValidationError(errors)

    @property
    def effective_escalate_before(self) -> timedelta | None:
        if self.escalate_before is not None:
            return self.escalate_before
        return self.warn_before / 2 if self.warn_before else None
