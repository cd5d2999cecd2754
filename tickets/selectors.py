"""Reads scoped to the user's stores: one helper per object.

Every view, API endpoint and command that fetches an object on a user's behalf goes
through these, so an object of another store is a 404, never a leak.
"""

from django.shortcuts import get_object_or_404

from tickets.models import (
    Alert,
    AlertReceipt,
    Buyer,
    Clock,
    Dispute,
    Evidence,
    Order,
    Refund,
    Return,
    Store,
    Ticket,
)


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
