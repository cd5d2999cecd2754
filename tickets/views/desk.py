"""The agent's pages: home, the ticket queue and a ticket with its clocks, its template
picker, its reply box, notes and escalation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from templates_lib.desk import picker_context
from tickets.choices import ClockState, Priority, TicketCategory, TicketStatus
from tickets.forms import EscalateForm, NoteForm, ReplyForm, TicketStatusForm
from tickets.models import AuditEntry, Clock, Ticket
from tickets.models.tickets import OPEN_TICKET_STATUSES
from tickets.selectors import clocks_of_ticket, service_figures, stores_for_user, ticket_for_user
from tickets.services.messages import message_note, message_reply
from tickets.services.tickets import ticket_escalate, ticket_seniors, ticket_set_status
from tickets.services.workflow import allowed_next

from .clocks import explain_clocks

_CHOICE_LABELS = {"status": dict(TicketStatus.choices), "priority": dict(Priority.choices),
                  "category": dict(TicketCategory.choices)}


@login_required
def home(request):
    now = timezone.now()
    stores = stores_for_user(request.user).annotate(
        open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_TICKET_STATUSES), distinct=True),
    )
    clocks = Clock.objects.visible_to(request.user).filter(state=ClockState.RUNNING)
    context = {
        "stores": stores,
        "overdue": clocks.filter(due_at__lte=now).count(),
        "due_today": clocks.filter(due_at__gt=now, due_at__lte=now + timezone.timedelta(hours=24)).count(),
        # Supervisors see who lets service clocks lapse; agents see their own work.
        "service_figures": service_figures(request.user, since=now - timezone.timedelta(days=7))
        if request.user.is_supervisor else None,
        "my_tickets": Ticket.objects.visible_to(request.user)
        .filter(assignee=request.user, status__in=OPEN_TICKET_STATUSES)
        .select_related("store", "order", "assignee")[:20],
    }
    return render(request, "tickets/home.html", context)


@login_required
def ticket_list(request):
    tickets = (
        Ticket.objects.visible_to(request.user)
        .filter(status__in=OPEN_TICKET_STATUSES)
        .select_related("store", "order", "assignee")
        .order_by("-updated_at", "-pk")[:100]
    )
    return render(request, "tickets/ticket_list.html", {"tickets": tickets})


def _run(form, action) -> bool:
    """Call the service ``action`` with the form's data; a ValidationError it raises
    becomes the form's field errors (the service decides, the form shows)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@login_required
def ticket_detail(request, pk):
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return _detail_response(request, ticket)
    form = TicketStatusForm(request.POST)
    if _run(form, lambda data: ticket_set_status(ticket=ticket, status=data["status"], actor=request.user,
                                                 reason=data["reason"])):
        messages.success(request, _("Status changed to “%(status)s”.") % {"status": ticket.get_status_display()})
        return redirect("ticket-detail", pk=ticket.pk)
    return _detail_response(request, ticket, form=form, status_code=400)


@login_required
def ticket_reply(request, pk):
    """Send a reply to the buyer, maybe written from a template; the service refuses
    unfilled placeholders and content the marketplaces forbid."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    reply_form = ReplyForm(request.POST, user=request.user)
    if _run(reply_form, lambda data: message_reply(ticket=ticket, author=request.user, body=data["body"],
                                                   template_body=data["template_body"])):
        messages.success(request, _("Reply sent."))
        return redirect("ticket-detail", pk=ticket.pk)
    return _detail_response(request, ticket, reply_form=reply_form, status_code=400)


@login_required
def ticket_escalate_view(request, pk):
    """Hand the ticket to a senior agent: this meets its sensitive-message clock."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    form = EscalateForm(request.POST, seniors=ticket_seniors(ticket))
    if _run(form, lambda data: ticket_escalate(ticket=ticket, to=data["to"], actor=request.user,
                                               reason=data["reason"])):
        messages.success(request, _("Escalated to %(user)s.") % {"user": ticket.assignee.get_username()})
        return redirect("ticket-detail", pk=ticket.pk)
    return _detail_response(request, ticket, escalate_form=form, status_code=400)


@login_required
def ticket_note(request, pk):
    """Leave an internal note: the team sees it, the buyer never does, no clock stops."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    form = NoteForm(request.POST)
    if _run(form, lambda data: message_note(ticket=ticket, author=request.user, body=data["body"])):
        messages.success(request, _("Note added."))
        return redirect("ticket-detail", pk=ticket.pk)
    return _detail_response(request, ticket, note_form=form, status_code=400)


def _detail_response(request, ticket, *, form=None, reply_form=None, escalate_form=None, note_form=None,
                     status_code=200):
    thread = list(ticket.messages.select_related("author"))
    picker = picker_context(request, ticket, thread=thread)
    if reply_form is None:
        rendered = picker["rendered"]
        reply_form = ReplyForm(user=request.user, initial={
            "body": rendered.text, "template_body": rendered.body.pk} if rendered else None)
    history = list(AuditEntry.objects.filter(
        content_type__app_label="tickets", content_type__model="ticket", object_id=ticket.pk
    ).select_related("actor")[:50])
    for entry in history:
        # Show the status and priority names in the reader's language, not their codes.
        labels = _CHOICE_LABELS.get(entry.field, {})
        entry.from_label = labels.get(entry.from_value, entry.from_value)
        entry.to_label = labels.get(entry.to_value, entry.to_value)
    context = {
        "ticket": ticket,
        "thread": thread,
        "clocks": explain_clocks(list(clocks_of_ticket(ticket))),
        "now": timezone.now(),
        "form": form or TicketStatusForm(initial={"status": ticket.status}),
        "escalate_form": escalate_form or EscalateForm(seniors=ticket_seniors(ticket)),
        "note_form": note_form or NoteForm(),
        "allowed": [TicketStatus(s).label for s in allowed_next(ticket)],
        "history": history,
        "reply_form": reply_form,
        **picker,
    }
    return render(request, "tickets/ticket_detail.html", context, status=status_code)
