"""The agent's pages: home, the ticket queue and a ticket with its clocks, its template
picker and its reply box."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from templates_lib.desk import picker_context
from tickets.choices import ClockState, Priority, TicketCategory, TicketStatus
from tickets.forms import ReplyForm, TicketStatusForm
from tickets.models import AuditEntry, Clock, Ticket
from tickets.models.tickets import OPEN_TICKET_STATUSES
from tickets.selectors import clocks_of_ticket, service_figures, stores_for_user, ticket_for_user
from tickets.services.messages import message_reply
from tickets.services.tickets import ticket_set_status
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


@login_required
def ticket_detail(request, pk):
    ticket = ticket_for_user(request.user, pk)
    form = TicketStatusForm(initial={"status": ticket.status})
    status_code = 200
    if request.method == "POST":
        form = TicketStatusForm(request.POST)
        if form.is_valid():
            try:
                ticket_set_status(ticket=ticket, status=form.cleaned_data["status"], actor=request.user,
                                  reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Status changed to “%(status)s”.") % {
                    "status": ticket.get_status_display()})
                return redirect("ticket-detail", pk=ticket.pk)
        status_code = 400
    return _detail_response(request, ticket, form=form, status_code=status_code)


@login_required
def ticket_reply(request, pk):
    """Send a reply to the buyer, maybe written from a template; the service refuses
    unfilled placeholders and content the marketplaces forbid."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    reply_form = ReplyForm(request.POST, user=request.user)
    if reply_form.is_valid():
        try:
            message_reply(ticket=ticket, author=request.user, body=reply_form.cleaned_data["body"],
                          template_body=reply_form.cleaned_data["template_body"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                reply_form.add_error(field if field in reply_form.fields else None, errors)
        else:
            messages.success(request, _("Reply sent."))
            return redirect("ticket-detail", pk=ticket.pk)
    form = TicketStatusForm(initial={"status": ticket.status})
    return _detail_response(request, ticket, form=form, reply_form=reply_form, status_code=400)


def _detail_response(request, ticket, *, form, reply_form=None, status_code=200):
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
        "form": form,
        "allowed": [TicketStatus(s).label for s in allowed_next(ticket)],
        "history": history,
        "reply_form": reply_form,
        **picker,
    }
    return render(request, "tickets/ticket_detail.html", context, status=status_code)
