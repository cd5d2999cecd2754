"""The in-app alert inbox: the user's alerts, unread first; read, acknowledge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tickets.filters import AlertReceiptFilter
from tickets.selectors import alert_inbox, attach_tickets, inbox_receipt
from tickets.services.alerts import alert_acknowledge, alert_mark_read, alerts_mark_all_read
from tickets.services.clocks import clock_subject_label, lapse_consequence

INBOX_LIMIT = 100


def _back(request):
    """Back to the page the button was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect("alert-list")


@login_required
def alert_list(request):
    filterset = AlertReceiptFilter(request.GET, queryset=alert_inbox(request.user), request=request)
    valid = filterset.is_valid()
    receipts = attach_tickets(filterset.qs[:INBOX_LIMIT]) if valid else []
    for receipt in receipts:
        # Rendered in the reader's language, not the English stored with the alert.
        receipt.consequence = lapse_consequence(receipt.alert.clock)
        receipt.subject_label = clock_subject_label(receipt.alert.clock)
    context = {
        "filter": filterset,
        "receipts": receipts,
        "unread_only": filterset.is_valid() and filterset.form.cleaned_data.get("unread") is True,
        "limit": INBOX_LIMIT,
    }
    return render(request, "tickets/alert_list.html", context, status=200 if valid else 400)


@login_required
@require_POST
def alert_read(request, pk):
    receipt = inbox_receipt(request.user, pk)
    alert_mark_read(receipt=receipt, user=request.user)
    return _back(request)


@login_required
@require_POST
def alert_ack(request, pk):
    receipt = inbox_receipt(request.user, pk)
    if alert_acknowledge(receipt=receipt, user=request.user):
        messages.success(request, _("Alert acknowledged."))
    return _back(request)


@login_required
@require_POST
def alert_read_all(request):
    count = alerts_mark_all_read(user=request.user)
    if count:
        messages.success(request, ngettext("%(count)d alert marked read.", "%(count)d alerts marked read.",
                                           count) % {"count": count})
    return _back(request)
