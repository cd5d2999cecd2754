"""Tickets (the agent's unit of work) and their message threads."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.choices import MessageKind, Priority, TicketCategory, TicketStatus

from .base import TimeStampedModel, scoped_manager
from .buyers import Buyer
from .orders import Order
from .stores import Store, language_validator

OPEN_TICKET_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED)


class Ticket(TimeStampedModel):
    """A buyer conversation about one order (or none), worked by one assignee."""

    # store and assignee lookups use the composite queue indexes below.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("store"),
                              db_index=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
                              verbose_name=_("order"))
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
                              verbose_name=_("buyer"))
    subject = models.CharField(pgettext_lazy("ticket", "subject"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=TicketCategory.choices,
                                default=TicketCategory.OTHER)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.BLUE)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_("assignee"), db_index=False)
    # When the assignee got it: a lapse before then was someone else's (see the sweep).
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    language = models.CharField(_("buyer language"), max_length=20, blank=True, validators=[language_validator])
    last_buyer_message_at = models.DateTimeField(_("last buyer message"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="ticket_sync_idx"),
            models.Index(fields=["store", "status", "priority"], name="ticket_queue_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(condition=Q(category__in=TicketCategory.values), name="ticket_category_valid"),
            models.CheckConstraint(condition=~Q(subject=""), name="ticket_subject_not_empty"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TICKET_STATUSES

    def clean(self):
        errors = {}
        if self.order_id and self.store_id and self.order.store_id != self.store_id:
            errors["order"] = _("The order belongs to another store.")
        if self.buyer_id and self.store_id and self.buyer.store_id != self.store_id:
            errors["buyer"] = _("The buyer belongs to another store.")
        if errors:
            raise ValidationError(errors)


class Message(models.Model):
    """One entry of a ticket's thread: a buyer message, an agent reply, an internal note
    or a system line. ``external_id`` is the marketplace's message id, unique per store,
    so a re-synced message is never stored twice."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="messages", verbose_name=_("store"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="messages", verbose_name=_("author"))
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=20, blank=True, validators=[language_validator])
    external_id = models.CharField(_("platform message id"), max_length=64, blank=True)
    # Automatic acknowledgements never count as a reply on the first-response clock.
    is_automatic = models.BooleanField(_("sent automatically"), default=False)
    # The sensitive topics found in a buyer's message (return, refund, legal...).
    topics = models.JSONField(_("sensitive topics"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], condition=~Q(external_id=""),
                                    name="message_external_id_unique_per_store"),
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="message_kind_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty"),
            models.CheckConstraint(condition=~Q(kind=MessageKind.BUYER) | Q(author__isnull=True),
                                   name="message_buyer_has_no_staff_author",
                                   violation_error_message=_("A buyer's message cannot have a staff author.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_real_reply(self) -> bool:
        """Only a written agent reply to the buyer meets the first-response clock."""
        return self.kind == MessageKind.AGENT_REPLY and not self.is_automatic

    def clean(self):
        if self.ticket_id and self.store_id and self.ticket.store_id != self.store_id:
            raise ValidationError({"ticket": _("The ticket belongs to another store.")})
