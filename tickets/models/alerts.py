"""Alerts raised by clocks, and each user's read/acknowledged state of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import AlertLevel

from .base import scoped_manager
from .clocks import Clock
from .stores import Store


class Alert(models.Model):
    """One step of a clock's alert ladder. Unique per clock and level, so that a sweep
    run twice, or by two workers at once, can never raise the same alert twice."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("store"))
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("clock"))
    level = models.CharField(_("level"), max_length=12, choices=AlertLevel.choices)
    # When the threshold was crossed (backdated), not when the sweep noticed it.
    raised_at = models.DateTimeField(_("raised at"))
    text = models.CharField(_("text"), max_length=400)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="alert_once_per_clock_level"),
            models.CheckConstraint(condition=Q(level__in=AlertLevel.values), name="alert_level_valid"),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.text}"


class AlertReceipt(models.Model):
    """An alert in one user's in-app inbox: unread until read, open until acknowledged."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("alert"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_receipts",
                             verbose_name=_("user"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = scoped_manager("alert__store")

    class Meta:
        ordering = ["-alert__raised_at", "-pk"]
        verbose_name = _("alert receipt")
        verbose_name_plural = _("alert receipts")
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="alert_unread_idx")]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_receipt_once_per_user")]

    def __str__(self):
        return f"{self.alert} → {self.user}"
