"""The clocks queue: every running deadline of the user's stores, soonest or costliest first."""

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from tickets.choices import ClockState
from tickets.filters import SELLER_LOSS_KINDS, ClockFilter
from tickets.models import Clock
from tickets.selectors import attach_tickets, clock_queue
from tickets.services.clocks import clock_explanation_lines, clock_subject_label, lapse_consequence
from tickets.services.rates import rates_missing

# Rows on one page. The queue is read through the partial index on running clocks
# by due time, so the first rows are cheap however many clocks run; past these, the
# filters (or the API's cursor) narrow it down rather than an OFFSET scan.
QUEUE_LIMIT = 100
CURRENCIES_TTL = 300  # seconds
_CURRENCIES: dict = {}  # (user id, newest clock id) -> (expires, currencies)


def explain_clocks(clocks) -> list:
    """Give each clock its lapse consequence and its explanation (a list of
    sentences), as the page shows them (pure functions of the row: no query)."""
    for clock in clocks:
        clock.consequence = lapse_consequence(clock)
        clock.subject_label = clock_subject_label(clock)
        clock.explanation = clock_explanation_lines(clock)
    return clocks


def _currencies_at_stake(user) -> set[str]:
    """The currencies of the user's running clocks that cost the seller money: a
    currency without a rate matters on every page, also when its clocks rank past
    the page's last row. That is a DISTINCT over every running clock, so it is kept
    in the process, keyed by the newest visible clock (a new currency comes with a
    new clock) and for a few minutes at most."""
    newest = Clock.objects.visible_to(user).aggregate(newest=Max("pk"))["newest"]
    key = (user.pk, newest)
    hit = _CURRENCIES.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    found = set(Clock.objects.visible_to(user).filter(
        state=ClockState.RUNNING, kind__in=SELLER_LOSS_KINDS, amount_at_stake__isnull=False)
        .order_by().values_list("currency", flat=True).distinct())
    if len(_CURRENCIES) > 1000:
        _CURRENCIES.clear()
    _CURRENCIES[key] = (time.monotonic() + CURRENCIES_TTL, found)
    return found


def mark_unconverted(clocks, user) -> list[str]:
    """Flag the seller's losses the desk cannot convert (``rate_missing``): they rank
    with the unknown amounts. Returns the currencies without a rate among the user's
    running clocks, for the page's hint."""
    costly = [c for c in clocks if c.kind in SELLER_LOSS_KINDS and c.amount_at_stake is not None]
    missing = set(rates_missing({c.currency for c in costly} | _currencies_at_stake(user)))
    unconverted = {c.pk for c in costly if c.currency in missing}
    for clock in clocks:
        clock.rate_missing = clock.pk in unconverted
    return sorted(missing)


@login_required
def clock_list(request):
    filterset = ClockFilter(request.GET, queryset=clock_queue(request.user), request=request)
    # A refused filter lists nothing: a full table under the error would read as its answer.
    rows = attach_tickets(filterset.qs[:QUEUE_LIMIT + 1]) if filterset.is_valid() else []
    shown = explain_clocks(rows[:QUEUE_LIMIT])
    context = {
        "filter": filterset,
        "clocks": shown,
        "unconverted": mark_unconverted(shown, request.user),
        "desk_currency": settings.DESK_CURRENCY,
        "more": len(rows) > QUEUE_LIMIT,
        "limit": QUEUE_LIMIT,
        "now": timezone.now(),
        "by_loss": filterset.form.cleaned_data.get("order") == "loss" if filterset.is_valid() else False,
    }
    return render(request, "tickets/clock_list.html", context, status=200 if filterset.is_valid() else 400)
