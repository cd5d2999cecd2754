"""Alerts raised by clocks, and each user's read/acknowledged state of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.choices import AlertLevel

from .base import scoped_manager
from .clocks import Clock
from .stores import Store


class Alert(models.Model):
    """One step of a clock's alert ladder. Unique per clock and level, so that a sweep
    run twice, or by two workers at once, can never raise the same alert twice."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("store"))
    # No separate index: the unique (clock, level) constraint serves lookups by clock.
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("clock"),
                              db_index=False)
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
        return self.text


class AlertReceipt(models.Model):
    """An alert in one user's in-app inbox: unread until read, open until acknowledged."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("alert"),
                              db_index=False)  # the unique (alert, user) constraint indexes it
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


class AlertDelivery(models.Model):
    """One alert on its way out by email or webhook. Written before the first
    attempt, so an alert whose sending fails is never lost: it stays pending or
    failed here, with every attempt beside it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(pgettext_lazy("delivery recipient", "to"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = scoped_manager("alert__store")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel", "target"], name="alert_delivery_once_per_target"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.target}: {self.status}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery, recorded before the call and completed after."""

    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("delivery"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_unique")]

    def __str__(self):
        return f"#{self.number} {'ok' if self.ok else self.error or self.status_code}"
