"""Reads scoped to the user's stores: one helper per object.

Every view, API endpoint and command that fetches an object on a user's behalf goes
through these, so an object of another store is a 404, never a leak.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.http import Http404
from django.shortcuts import get_object_or_404 as django_get_object_or_404

from tickets.choices import ClockKind, ClockState
from tickets.filters import CLOCK_ORDERINGS, SELLER_LOSS_KINDS
from tickets.models import (
    Alert,
    AlertReceipt,
    Buyer,
    Clock,
    Dispute,
    Evidence,
    ExchangeRate,
    Message,
    Order,
    OrderItem,
    Refund,
    Return,
    Store,
    Ticket,
)
from tickets.services.clocks import SUBJECT_RELATIONS


def get_object_or_404(queryset, **lookup):
    """Django's, except that an id of the wrong type (``/tickets/abc/``, from a URL or an
    API body) is a 404 as well rather than a ValueError, i.e. a 500."""
    try:
        return django_get_object_or_404(queryset, **lookup)
    except (ValueError, TypeError, OverflowError, ValidationError):
        raise Http404 from None


def stores_for_user(user):
    return Store.objects.visible_to(user)


def store_for_user(user, pk) -> Store:
    return get_object_or_404(Store.objects.visible_to(user), pk=pk)


def buyer_for_user(user, pk) -> Buyer:
    return get_object_or_404(Buyer.objects.visible_to(user), pk=pk)


def order_for_user(user, pk) -> Order:
    return get_object_or_404(Order.objects.visible_to(user).select_related("store", "buyer"), pk=pk)


def ticket_for_user(user, pk) -> Ticket:
    return get_object_or_404(
        Ticket.objects.visible_to(user).select_related("store", "order", "buyer", "assignee"), pk=pk
    )


def dispute_for_user(user, pk) -> Dispute:
    return get_object_or_404(Dispute.objects.visible_to(user).select_related("store", "order", "ticket"), pk=pk)


def return_for_user(user, pk) -> Return:
    return get_object_or_404(Return.objects.visible_to(user).select_related("store", "order", "dispute"), pk=pk)


def refund_for_user(user, pk) -> Refund:
    return get_object_or_404(Refund.objects.visible_to(user).select_related("store", "order"), pk=pk)


def evidence_for_user(user, pk) -> Evidence:
    return get_object_or_404(Evidence.objects.visible_to(user), pk=pk)


def clock_for_user(user, pk) -> Clock:
    return get_object_or_404(Clock.objects.visible_to(user).select_related("store"), pk=pk)


def alert_for_user(user, pk) -> Alert:
    return get_object_or_404(Alert.objects.visible_to(user).select_related("clock", "store"), pk=pk)


def unread_alerts_for_user(user):
    return AlertReceipt.objects.filter(user=user, read_at__isnull=True).select_related("alert", "alert__clock")


# Clocks and the alerts inbox ---------------------------------------------------------------
# A clock runs on a ticket, a message, a dispute, a return or an order. These are the
# paths from a clock to the ticket its subject belongs to, in the order they are tried.
CLOCK_TICKET_PATHS = ("ticket", "message__ticket", "dispute__ticket", "return_request__dispute__ticket")


def _ticket_ref(prefix: str = "") -> Coalesce:
    """The id of the ticket behind a clock's subject (NULL for an order's clocks),
    read in the same query through a few LEFT JOINs instead of a query per row."""
    return Coalesce(*(f"{prefix}{path}" for path in CLOCK_TICKET_PATHS))


LOSS_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _in_desk_currency(amount: str, currency: str):
    """``amount`` (in the row's ``currency``) converted into the desk currency, to the
    cent; NULL when the desk has no rate for that currency."""
    rate = Subquery(ExchangeRate.objects.filter(currency=OuterRef(currency)).values("rate")[:1])
    return Case(
        When(**{currency: settings.DESK_CURRENCY}, then=F(amount)),
        default=Round(ExpressionWrapper(F(amount) * rate, output_field=LOSS_FIELD), 2),
        output_field=LOSS_FIELD,
    )


def clock_queue(user):
    """Clocks of the user's stores, soonest due first, with ``loss_key`` (the money
    the seller loses if it lapses, in the desk currency; -1 when none, or unknown
    because the amount or its exchange rate is missing) for ranking by loss, and
    ``ticket_ref`` for the link.
    ``tickets.filters.ClockFilter`` narrows it by state, kind and store."""
    return (
        Clock.objects.visible_to(user)
        .select_related("store", "owner", "policy", *SUBJECT_RELATIONS)
        .annotate(
            loss_key=Case(
                When(kind__in=SELLER_LOSS_KINDS, amount_at_stake__isnull=False,
                     then=Coalesce(_in_desk_currency("amount_at_stake", "currency"), Value(Decimal("-1")))),
                default=Value(Decimal("-1")), output_field=LOSS_FIELD,
            ),
            ticket_ref=_ticket_ref(),
        )
        .order_by(*CLOCK_ORDERINGS["due"])
    )


def clocks_of_ticket(ticket):
    """Every clock on the ticket or on its messages, disputes and their returns:
    running ones first, soonest due first. ``ticket`` comes from ``ticket_for_user``."""
    on_ticket = Q()
    for path in CLOCK_TICKET_PATHS:
        on_ticket |= Q(**{path: ticket})
    running_first = Case(When(state=ClockState.RUNNING, then=Value(0)), default=Value(1))
    return (
        Clock.objects.filter(on_ticket, store_id=ticket.store_id)
        .select_related("owner", *SUBJECT_RELATIONS)
        .order_by(running_first, "due_at", "pk")
    )


def attach_tickets(rows) -> list:
    """Set ``subject_ticket`` (with its assignee) on rows (clocks or alert receipts)
    annotated with ``ticket_ref``, in one query whatever the number of rows."""
    rows = list(rows)
    ids = {row.ticket_ref for row in rows if row.ticket_ref}
    tickets = Ticket.objects.select_related("assignee").in_bulk(ids) if ids else {}
    for row in rows:
        row.subject_ticket = tickets.get(row.ticket_ref)
    return rows


def _own_receipts(user):
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_api_key", False):
        return AlertReceipt.objects.none()  # an API key has no inbox of its own
    # Scoped twice: the receipt is the user's own, and its store is still theirs
    # (someone who left a store no longer sees that store's alerts).
    return AlertReceipt.objects.visible_to(user).filter(user=user)


def alert_inbox(user):
    """The user's alerts, unread first, then newest first, each with its clock,
    store and ``ticket_ref``. ``tickets.filters.AlertReceiptFilter`` narrows it."""
    return (
        _own_receipts(user)
        .select_related("alert__store", "alert__clock__store",
                        *(f"alert__clock__{name}" for name in SUBJECT_RELATIONS))
        .annotate(
            unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()),
            ticket_ref=_ticket_ref("alert__clock__"),
        )
        .order_by("-unread", "-alert__raised_at", "-pk")
    )


def store_alerts(user):
    """Every alert of the caller's stores (for an API key, which has no inbox), with
    its clock, store and ``ticket_ref``."""
    return (Alert.objects.visible_to(user)
            .select_related("store", "clock__store", *(f"clock__{name}" for name in SUBJECT_RELATIONS))
            .annotate(ticket_ref=_ticket_ref("clock__")).order_by(*("updated_at", "id")))


def unread_alert_count(user) -> int:
    """The nav badge: one COUNT over the partial index of unread receipts."""
    return _own_receipts(user).filter(read_at__isnull=True).count()


def inbox_receipt(user, pk) -> AlertReceipt:
    """One of the user's own alert receipts; anyone else's is a 404."""
    return get_object_or_404(_own_receipts(user).select_related("alert__store", "alert__clock"), pk=pk)


SERVICE_KINDS = (ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION)


def service_figures(user, *, since):
    """Per store and owner: service clocks met and lapsed since ``since``, counted for
    ``Clock.owner``: whoever held the ticket when it lapsed, or who met it (a clock
    met before owners were recorded counts for the ticket's assignee)."""
    clocks = Clock.objects.visible_to(user).filter(kind__in=SERVICE_KINDS)
    lapsed = (clocks.filter(state=ClockState.BREACHED, breached_at__gte=since)
              .values("store__code", "owner__username").annotate(n=Count("pk")))
    met = (clocks.filter(state=ClockState.MET, met_at__gte=since)
           .annotate(credited=Coalesce("owner__username", "ticket__assignee__username"))
           .values("store__code", "credited").annotate(n=Count("pk")))
    rows = {}
    for row in lapsed:
        key = (row["store__code"], row["owner__username"] or "")
        rows.setdefault(key, {"met": 0, "lapsed": 0})["lapsed"] = row["n"]
    for row in met:
        key = (row["store__code"], row["credited"] or "")
        rows.setdefault(key, {"met": 0, "lapsed": 0})["met"] = row["n"]
    return [
        {"store": store, "owner": owner, **counts,
         "lapse_rate": counts["lapsed"] / (counts["met"] + counts["lapsed"])}
        for (store, owner), counts in sorted(rows.items(), key=lambda item: (-item[1]["lapsed"], item[0]))
    ]


# API lists (the ERP's sync) -------------------------------------------------------------------------
# Each returns the caller's rows with whatever its serializer reads, loaded in a
# fixed number of queries per page; the API's keyset pagination orders and slices.
def order_list(user):
    """Orders with their buyer and line items."""
    return (Order.objects.visible_to(user).select_related("store", "buyer")
            .prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("pk"))))


def ticket_list(user, *, with_messages: bool = False):
    """Tickets, with their thread when ``with_messages`` (a ticket read by id)."""
    tickets = Ticket.objects.visible_to(user).select_related("store", "order", "assignee")
    if with_messages:
        tickets = tickets.prefetch_related(Prefetch("messages", queryset=Message.objects.select_related("author")))
    return tickets


def _refunded_on_dispute():
    """The refunds recorded against the outer dispute itself, summed in the same query."""
    refunded = (Refund.objects.filter(dispute=OuterRef("pk"), withdrawn_at=None).order_by().values("dispute")
                .annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(refunded), Value(Decimal("0.00")),
                    output_field=DecimalField(max_digits=12, decimal_places=2))


def dispute_list(user):
    """Disputes with their order, their clocks (oldest first) and ``refunded_on_dispute``:
    the refunds recorded against the dispute itself, summed in the same query."""
    return (
        Dispute.objects.visible_to(user)
        .select_related("store", "order")
        .annotate(refunded_on_dispute=_refunded_on_dispute())
        .prefetch_related(Prefetch("clocks", queryset=Clock.objects.order_by("started_at", "pk")))
    )


def disputes_of_ticket(ticket) -> list:
    """The ticket's disputes, newest first, with ``refunded_on_dispute`` and their
    returns (two queries), for the ticket page: how each ended and what it cost."""
    return list(
        Dispute.objects.filter(ticket=ticket, store_id=ticket.store_id)
        .annotate(refunded_on_dispute=_refunded_on_dispute())
        .prefetch_related(Prefetch("returns", queryset=Return.objects.order_by("agreed_at", "pk")))
        .order_by("-opened_at", "-pk")
    )


def return_list(user):
    return Return.objects.visible_to(user).select_related("store", "order")


def refund_list(user):
    return Refund.objects.visible_to(user).select_related("store", "order")


def alert_inbox_changes(user):
    """``alert_inbox`` with ``updated_at``: the receipt's latest change, whether the
    alert's own or this user's reading or acknowledging it (a receipt has no
    timestamp column of its own, and the ERP-style sync needs one)."""
    alert_changed = F("alert__updated_at")
    return alert_inbox(user).annotate(updated_at=Greatest(
        alert_changed, Coalesce("read_at", alert_changed), Coalesce("acknowledged_at", alert_changed),
    ))
