"""Ticket services: status changes and assignment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.choices import TicketStatus
from tickets.models import Ticket

from .audit import audit_record
from .workflow import transition


def ticket_set_status(*, ticket: Ticket, status: str, actor, reason: str = "", at=None) -> Ticket:
    """Move a ticket along its workflow; resolving stamps ``resolved_at`` with ``at``,
    the time of the event (default now)."""
    extra = {}
    if status == TicketStatus.RESOLVED:
        extra["resolved_at"] = at or timezone.now()
    elif status in (TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED):
        extra["resolved_at"] = None
    return transition(ticket, to=status, actor=actor, reason=reason, extra=extra)


def ticket_assign(*, ticket: Ticket, assignee, actor, reason: str = "") -> Ticket:
    """Give a ticket to a member of its store's team (or to nobody)."""
    if assignee is not None and not (assignee.sees_all_stores or assignee.stores.filter(pk=ticket.store_id).exists()):
        raise ValidationError({"assignee": _("%(user)s does not work for store %(store)s.") % {
            "user": assignee.get_username(), "store": ticket.store.code}})
    previous = ticket.assignee
    if previous == assignee:
        return ticket
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, updated_at=timezone.now())
        audit_record(subject=ticket, actor=actor, action="assign", field="assignee",
                     from_value=previous.get_username() if previous else "",
                     to_value=assignee.get_username() if assignee else "", reason=reason)
    ticket.assignee = assignee
    return ticket
