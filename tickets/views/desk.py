"""The agent's pages: home, the ticket queue and a ticket with its clocks, its template
picker, its reply box, notes, escalation and the offers waiting for the seller's decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from templates_lib.desk import picker_context
from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeStatus,
    ProposalParty,
    ProposalStatus,
    TicketStatus,
)
from tickets.filters import SELLER_LOSS_KINDS
from tickets.forms import EscalateForm, NoteForm, ReplyForm, TicketStatusForm
from tickets.models import Clock, DisputeProposal, Return, Ticket
from tickets.models.tickets import OPEN_TICKET_STATUSES
from tickets.selectors import clocks_of_ticket, disputes_of_ticket, service_figures, stores_for_user, ticket_for_user
from tickets.services.disputes import proposal_decide
from tickets.services.messages import message_note, message_reply
from tickets.services.returns import return_receive
from tickets.services.tickets import (
    ticket_clocks,
    ticket_escalate,
    ticket_escalated_to_senior,
    ticket_seniors,
    ticket_set_status,
)
from tickets.services.workflow import allowed_next

from .clocks import explain_clocks
from .history import ticket_history


@login_required
def home(request):
    now = timezone.now()
    stores = stores_for_user(request.user).annotate(
        open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_TICKET_STATUSES), distinct=True),
    )
    # The seller's own deadlines: a buyer's window closing is no work for the desk.
    clocks = Clock.objects.visible_to(request.user).filter(kind__in=SELLER_LOSS_KINDS)
    context = {
        "stores": stores,
        # Lapsed on a ticket still being worked (the sweep marks a clock breached
        # within a minute of its due time; one it has not reached yet counts too).
        "overdue": clocks.filter(state=ClockState.BREACHED, ticket__status__in=OPEN_TICKET_STATUSES).count(),
        "due_today": clocks.filter(state=ClockState.RUNNING, due_at__gt=now,
                                   due_at__lte=now + timezone.timedelta(hours=24)).count(),
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
        if ticket.status == TicketStatus.ESCALATED and not ticket_escalated_to_senior(ticket) and \
                ticket_clocks(ticket=ticket, kind=ClockKind.SENSITIVE_ESCALATION).filter(
                    state=ClockState.RUNNING).exists():
            # The status alone is not the escalation the marketplace asks for.
            messages.warning(request, _("The sensitive-message escalation clock keeps running until a senior "
                                        "agent holds the ticket: use Escalate to hand it to one."))
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
def ticket_return_received(request, pk, return_pk):
    """The seller confirms the returned goods arrived: this meets the receipt clock."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    ret = get_object_or_404(Return.objects.filter(dispute__ticket=ticket, store_id=ticket.store_id), pk=return_pk)
    try:
        return_receive(ret=ret, actor=request.user)
    except ValidationError as exc:
        return _detail_response(request, ticket, return_error=" ".join(exc.messages), status_code=400)
    messages.success(request, _("Receipt of return %(id)s confirmed.") % {"id": ret.external_id})
    return redirect("ticket-detail", pk=ticket.pk)


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


@login_required
def ticket_proposal_decide(request, pk, proposal_pk):
    """Accept or refuse the buyer's or the platform's pending offer in one of the
    ticket's disputes: deciding the buyer's refund request meets its refund-decision
    clock."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("ticket-detail", pk=ticket.pk)
    proposal = get_object_or_404(_ticket_proposals(ticket).select_related("dispute"), pk=proposal_pk)
    decision = request.POST.get("decision", "")
    try:
        proposal_decide(proposal=proposal, decision=decision, actor=request.user,
                        reason=request.POST.get("reason", "")[:500])
    except ValidationError as exc:
        return _detail_response(request, ticket, offer_error=" ".join(exc.messages), status_code=400)
    if decision == ProposalStatus.ACCEPTED:
        messages.success(request, _("Offer accepted."))
    else:
        messages.success(request, _("Offer refused."))
    return redirect("ticket-detail", pk=ticket.pk)


def _ticket_proposals(ticket):
    # The ticket's store too: the ticket was checked against the user's stores, its
    # disputes were not.
    return DisputeProposal.objects.filter(dispute__ticket=ticket, dispute__store_id=ticket.store_id)


def _pending_offers(ticket) -> list:
    """The offers the seller can decide on the ticket's open disputes, with their
    amount as the clocks show money ("USD 12.50")."""
    offers = list(_ticket_proposals(ticket).filter(
        status=ProposalStatus.PENDING, party__in=(ProposalParty.BUYER, ProposalParty.PLATFORM),
    ).exclude(dispute__status=DisputeStatus.RESOLVED).select_related("dispute"))
    for offer in offers:
        offer.money = f"{offer.dispute.currency} {offer.amount:,.2f}"
    return offers


def _detail_response(request, ticket, *, form=None, reply_form=None, escalate_form=None, note_form=None,
                     offer_error="", return_error="", status_code=200):
    thread = list(ticket.messages.select_related("author"))
    picker = picker_context(request, ticket, thread=thread)
    if reply_form is None:
        rendered = picker["rendered"]
        reply_form = ReplyForm(user=request.user, initial={
            "body": rendered.text, "template_body": rendered.body.pk} if rendered else None)
    disputes = disputes_of_ticket(ticket)
    clocks = explain_clocks(list(clocks_of_ticket(ticket)))
    context = {
        "ticket": ticket,
        "thread": thread,
        "clocks": clocks,
        "now": timezone.now(),
        "form": form or TicketStatusForm(initial={"status": ticket.status}),
        "escalate_form": escalate_form or EscalateForm(seniors=ticket_seniors(ticket)),
        "note_form": note_form or NoteForm(),
        "allowed": [TicketStatus(s).label for s in allowed_next(ticket)],
        "history": ticket_history(ticket, disputes, clocks),
        "reply_form": reply_form,
        "offers": _pending_offers(ticket),
        "disputes": disputes,
        "return_error": return_error,
        "offer_error": offer_error,
        **picker,
    }
    return render(request, "tickets/ticket_detail.html", context, status=status_code)
