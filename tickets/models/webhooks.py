"""Outgoing webhooks: an ERP subscribes a URL of one store to some events and the
desk posts each event there, signed, with every attempt recorded.

Events are an outbox: a thin row (name + object) written in the transaction of the
change, so a rolled-back change never announces itself, and set-based SQL (the
sweep) can write them with INSERT ... SELECT. The body is built from the object
when it is delivered. Each event becomes one delivery per matching subscription.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import scoped_manager
from .stores import Store


class WebhookEventName(models.TextChoices):
    CLOCK_WARNING = "clock.warning", _("Clock warning or escalation")
    CLOCK_BREACHED = "clock.breached", _("Clock breached")
    DISPUTE_RESOLVED = "dispute.resolved", _("Dispute resolved")
    REFUND_RECORDED = "refund.recorded", _("Refund recorded")
    REFUND_CORRECTED = "refund.corrected", _("Estimated refund corrected or withdrawn")
    RETURN_UPDATED = "return.updated", _("Return agreed or updated")
    TICKET_REPLIED = "ticket.replied", _("Ticket replied to")


class WebhookObjectType(models.TextChoices):
    ALERT = "alert", _("alert")
    DISPUTE = "dispute", _("dispute")
    REFUND = "refund", _("refund")
    RETURN = "return", _("return")
    MESSAGE = "message", _("message")


EVENTS_REQUIRED = _("Choose at least one event.")
EVENT_UNKNOWN = _("Unknown event %(name)s; choose from: %(names)s.")
http_url_validator = URLValidator(schemes=["http", "https"],
                                  message=_("Enter a full http:// or https:// URL."))


def validate_event_names(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(EVENTS_REQUIRED, code="required")
    for name in value:
        if name not in WebhookEventName.values:
            raise ValidationError(EVENT_UNKNOWN, code="invalid", params={
                "name": name, "names": ", ".join(WebhookEventName.values)})


class WebhookSubscription(models.Model):
    """A URL that receives some events of one store. The secret signs each body;
    it is kept in clear because signing needs it (like a password we send, not one
    we check)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="webhook_subscriptions",
                              verbose_name=_("store"))
    url = models.URLField(_("URL"), max_length=500, validators=[http_url_validator])
    secret = models.CharField(_("signing secret"), max_length=128)
    events = models.JSONField(_("events"), default=list, validators=[validate_event_names])
    is_active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["store", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        constraints = [
            models.CheckConstraint(condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                                   name="webhook_url_http"),
            models.CheckConstraint(condition=~Q(secret=""), name="webhook_secret_not_blank"),
        ]

    def __str__(self):
        return self.url


class WebhookEvent(models.Model):
    """Something that happened in a store, waiting to be fanned out to subscriptions."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="webhook_events",
                              verbose_name=_("store"))
    name = models.CharField(_("event"), max_length=30, choices=WebhookEventName.choices)
    object_type = models.CharField(_("object type"), max_length=10, choices=WebhookObjectType.choices)
    object_id = models.BigIntegerField(_("object id"))
    # Who made the change ("api:erp-main", "system:sweep", an agent's username), so an
    # ERP can recognise the echo of its own writes.
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    # When it became true (a lapse is backdated to the due time), not when it was written.
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # NULL until the dispatcher has written its deliveries; the partial index keeps
    # finding the new ones cheap however long the history grows.
    fanned_out_at = models.DateTimeField(_("fanned out at"), null=True, blank=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [models.Index(fields=["created_at"], condition=Q(fanned_out_at__isnull=True),
                                name="webhook_event_new_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(name__in=WebhookEventName.values), name="webhook_event_name_valid"),
            models.CheckConstraint(condition=Q(object_type__in=WebhookObjectType.values),
                                   name="webhook_event_object_type_valid"),
        ]

    def __str__(self):
        return f"{self.name} {self.object_type}:{self.object_id}"


class WebhookDelivery(models.Model):
    """One event on its way to one subscription. Pending and failed deliveries are
    retried when ``next_attempt_at`` comes, with a growing wait, until sent or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        GIVEN_UP = "given_up", _("Given up")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries",
                              verbose_name=_("event"), db_index=False)  # the unique constraint indexes it
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("subscription"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager("subscription__store")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(status__in=["pending", "failed"]),
                                name="webhook_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once_per_subscription"),
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "failed", "given_up"]),
                                   name="webhook_delivery_status_valid"),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription.url}: {self.status}"


class WebhookAttempt(models.Model):
    """One POST of a delivery, written before the call and completed after it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("delivery"), db_index=False)  # the unique constraint indexes it
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response (start)"), max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")]

    def __str__(self):
        return f"#{self.number} {'ok' if self.ok else self.error or self.status_code}"
