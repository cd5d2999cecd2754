"""Ticket services: status changes, assignment and escalation to a senior agent."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import ClockKind, Priority, Role, TicketStatus
from tickets.models import Clock, Message, Ticket, User
from tickets.models.tickets import OPEN_TICKET_STATUSES

from .audit import audit_record
from .clocks import clocks_meet
from .workflow import transition

PRIORITY_RANK = {Priority.BLUE: 0, Priority.YELLOW: 1, Priority.RED: 2}
CLOSED_NOT_ESCALATED = gettext_lazy("This ticket is closed; a closed ticket is not escalated.")
ESCALATE_TO_SENIOR = gettext_lazy("Escalate to a senior agent, a supervisor or an admin of the ticket's store.")


def ticket_for(*, store, order=None, buyer=None, subject: str, category: str, actor, priority: str = "",
               language: str = "") -> Ticket:
    """The open ticket about ``order`` (or about ``buyer``, for a conversation without
    an order), or a new one: a platform event lands in the conversation the desk is
    already having rather than scattering over several tickets."""
    tickets = Ticket.objects.filter(store=store, status__in=OPEN_TICKET_STATUSES)
    tickets = tickets.filter(order=order) if order is not None else tickets.filter(order__isnull=True, buyer=buyer)
    ticket = tickets.order_by("-updated_at", "-pk").first()
    if ticket is not None:
        return ticket
    ticket = Ticket(store=store, order=order, buyer=buyer if buyer is not None else getattr(order, "buyer", None),
                    subject=subject[:200], category=category, language=language)
    if priority:
        ticket.priority = priority
    ticket.full_clean()
    with transaction.atomic():
        ticket.save()
        audit_record(subject=ticket, actor=actor, action="create", field="status", to_value=ticket.status,
                     reason=subject[:200])
    return ticket


def ticket_set_status(*, ticket: Ticket, status: str, actor, reason: str = "", at=None) -> Ticket:
    """Move a ticket along its workflow; resolving stamps ``resolved_at`` with ``at``,
    the time of the event (default now)."""
    extra = {}
    if status == TicketStatus.RESOLVED:
        extra["resolved_at"] = at or timezone.now()
    elif status in (TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED):
        extra["resolved_at"] = None
    with transaction.atomic():
        transition(ticket, to=status, actor=actor, reason=reason, extra=extra)
        _escalation_done(ticket, actor=actor, reason=reason)
    return ticket


def ticket_assign(*, ticket: Ticket, assignee, actor, reason: str = "") -> Ticket:
    """Give a ticket to a member of its store's team (or to nobody)."""
    if assignee is not None and not (assignee.sees_all_stores or assignee.stores.filter(pk=ticket.store_id).exists()):
        raise ValidationError({"assignee": _("%(user)s does not work for store %(store)s.") % {
            "user": assignee.get_username(), "store": ticket.store.code}})
    previous = ticket.assignee
    if previous == assignee:
        return ticket
    with transaction.atomic():
        now = timezone.now()
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, assigned_at=now, updated_at=now)
        audit_record(subject=ticket, actor=actor, action="assign", field="assignee",
                     from_value=previous.get_username() if previous else "",
                     to_value=assignee.get_username() if assignee else "", reason=reason)
        ticket.assignee = assignee
        _escalation_done(ticket, actor=actor, reason=reason)
    return ticket


def ticket_raise_priority(*, ticket: Ticket, priority: str, actor, reason: str = "") -> Ticket:
    """Raise the ticket to ``priority`` if it is lower (red over yellow over blue); a
    higher priority stays."""
    if PRIORITY_RANK[priority] <= PRIORITY_RANK[ticket.priority]:
        return ticket
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(priority=priority, updated_at=timezone.now())
        audit_record(subject=ticket, actor=actor, action="priority", field="priority", from_value=ticket.priority,
                     to_value=priority, reason=reason)
    ticket.priority = priority
    return ticket


def ticket_escalated_to_senior(ticket: Ticket) -> bool:
    assignee = ticket.assignee
    return (ticket.status == TicketStatus.ESCALATED and assignee is not None and assignee.is_active
            and assignee.is_senior)


def _escalation_done(ticket: Ticket, *, actor, reason: str) -> None:
    """An escalated ticket in a senior's hands is the escalation the marketplace asks
    for within two hours, however it got there (the escalate action, a status change,
    an assignment, the admin): meet its running sensitive-message clocks."""
    if not ticket_escalated_to_senior(ticket):
        return
    assignee = ticket.assignee
    clocks_meet(clocks=ticket_clocks(ticket=ticket, kind=ClockKind.SENSITIVE_ESCALATION), actor=actor,
                reason=f"Escalated to {assignee.get_username()}. {reason}".strip(), at=timezone.now())


def ticket_clocks(*, ticket: Ticket, kind: str):
    """The clocks of ``kind`` on ``ticket`` or on one of its messages.

    Written with a subquery rather than a join: the clocks are stopped with
    SELECT ... FOR UPDATE, which PostgreSQL refuses on the nullable side of the
    outer join that ``message__ticket`` would need.
    """
    return Clock.objects.filter(Q(ticket=ticket) | Q(message__in=Message.objects.filter(ticket=ticket).values("pk")),
                                kind=kind)


def ticket_escalate(*, ticket: Ticket, to, actor, reason: str) -> Ticket:
    """Hand a ticket to a senior agent (or a supervisor or admin) of its store.

    1. Refuse anyone else, on the ``to`` field.
    2. Assign the ticket to them and move it to "escalated" where its workflow
       allows (an escalated ticket stays so; a closed one keeps its status).
    3. Meet the ticket's running sensitive-message escalation clocks: this is the
       escalation the marketplace asks for within two hours.
    """
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError({"to": CLOSED_NOT_ESCALATED})
    in_store = to is not None and (to.sees_all_stores or to.stores.filter(pk=ticket.store_id).exists())
    if not (in_store and to.is_active and to.is_senior):
        raise ValidationError({"to": ESCALATE_TO_SENIOR})
    with transaction.atomic():
        ticket_assign(ticket=ticket, assignee=to, actor=actor, reason=reason)
        if ticket.status == TicketStatus.RESOLVED:  # reopened on the way, as the workflow goes
            ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=actor, reason=reason)
        if ticket.status != TicketStatus.ESCALATED:
            ticket_set_status(ticket=ticket, status=TicketStatus.ESCALATED, actor=actor, reason=reason)
    return ticket


def ticket_seniors(ticket: Ticket):
    """Who a ticket can be escalated to: the active senior agents, supervisors and
    admins of its store."""
    return (User.objects.filter(is_active=True).exclude(role=Role.AGENT, is_superuser=False)
            .filter(Q(stores=ticket.store_id) | Q(role=Role.ADMIN) | Q(is_superuser=True))
            .distinct().order_by("username"))
