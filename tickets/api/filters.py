"""FilterSets of the API lists: the ERP's "changed since" and per-resource filters.

Every list takes ``updated_after``. The clock queue and the alerts inbox extend the
FilterSets the HTML pages use (``tickets.filters``), so the desk's filters behave
the same in both places, and add only what syncing needs.
"""

import datetime
import re

import django_filters
from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tickets.choices import AlertLevel
from tickets.filters import CLOCK_ORDER_CHOICES, CLOCK_ORDERINGS, AlertReceiptFilter, ClockFilter, StrictBooleanFilter
from tickets.models import (
    Alert,
    Dispute,
    DisputeProposal,
    Order,
    Refund,
    Return,
    Store,
    Ticket,
    WebhookDelivery,
    WebhookSubscription,
)

from .pagination import SYNC_ORDERING

# Ids are 64-bit: a larger number would overflow SQLite's integer (a 500) instead of matching nothing.
MAX_ID = 2**63 - 1

UPDATED_AFTER_INVALID = _("Enter an ISO 8601 date and time with its UTC offset, such as 2025-03-10T08:00:00+08:00.")
UPDATED_AFTER_NAIVE = _("Give the UTC offset (such as +08:00 or Z): a time without one is ambiguous.")

# An unescaped "+" in a query string arrives as a space ("08:00:00 08:00"). That is
# what a client means by it, and refusing it would only trip up curl users.
_SPACE_FOR_PLUS = re.compile(r" (\d{2}(:?\d{2})?)$")


class AwareDateTimeField(forms.Field):
    """An ISO 8601 instant that must carry its offset: the desk never guesses a zone."""

    default_error_messages = {"invalid": UPDATED_AFTER_INVALID, "naive": UPDATED_AFTER_NAIVE}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = _SPACE_FOR_PLUS.sub(r"+\1", str(value).strip())
        try:
            parsed = parse_datetime(text)
        except ValueError:  # well formed but impossible, such as February 30th
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if parsed.tzinfo is None:
            raise forms.ValidationError(self.error_messages["naive"], code="naive")
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (a 500),
        # and an instant near year 1 may have no UTC equivalent at all.
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareDateTimeField


def updated_after_filter(field_name: str = "updated_at"):
    # At or after, not strictly after: a client resuming from the last ``updated_at``
    # it saw then also gets rows written in that same microsecond, instead of
    # missing them; seeing a row twice is harmless to a sync, missing one is not.
    return AwareDateTimeFilter(
        field_name=field_name, lookup_expr="gte", label=_("Changed at or after"),
        help_text=_("ISO 8601 with a UTC offset, e.g. 2025-03-10T08:00:00+08:00: rows changed at or after it."),
    )


def _caller_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user)


def store_filter():
    # The choices are the caller's stores: another store's code is an invalid choice.
    return django_filters.ModelChoiceFilter(queryset=_caller_stores, to_field_name="code", label=_("Store"),
                                            help_text=_("A store code."))


class SyncFilterSet(django_filters.FilterSet):
    updated_after = updated_after_filter()


class StoreApiFilter(SyncFilterSet):
    class Meta:
        model = Store
        fields = ["code", "marketplace", "is_active"]


class OrderApiFilter(SyncFilterSet):
    store = store_filter()
    buyer = django_filters.CharFilter(field_name="buyer__platform_buyer_id", label=_("Platform buyer id"))

    class Meta:
        model = Order
        fields = ["store", "status", "order_number", "buyer"]


class TicketApiFilter(SyncFilterSet):
    store = store_filter()
    order_number = django_filters.CharFilter(field_name="order__order_number", label=_("Order number"))

    class Meta:
        model = Ticket
        fields = ["store", "status", "category", "priority", "order_number"]


class DisputeApiFilter(SyncFilterSet):
    store = store_filter()
    order_number = django_filters.CharFilter(field_name="order__order_number", label=_("Order number"))

    class Meta:
        model = Dispute
        fields = ["store", "status", "family", "reason", "outcome", "external_id", "order_number"]


class ReturnApiFilter(SyncFilterSet):
    store = store_filter()
    dispute = django_filters.NumberFilter(field_name="dispute_id", label=_("Dispute id"),
                                         min_value=1, max_value=MAX_ID)
    order_number = django_filters.CharFilter(field_name="order__order_number", label=_("Order number"))

    class Meta:
        model = Return
        fields = ["store", "status", "external_id", "dispute", "order_number"]


class RefundApiFilter(SyncFilterSet):
    store = store_filter()
    dispute = django_filters.NumberFilter(field_name="dispute_id", label=_("Dispute id"),
                                         min_value=1, max_value=MAX_ID)
    order_number = django_filters.CharFilter(field_name="order__order_number", label=_("Order number"))
    withdrawn = StrictBooleanFilter(field_name="withdrawn_at", lookup_expr="isnull", exclude=True,
                                    label=_("Withdrawn estimates only (true) or none of them (false)"))

    class Meta:
        model = Refund
        fields = ["store", "reason", "source", "external_id", "dispute", "order_number"]


class ProposalApiFilter(SyncFilterSet):
    store = django_filters.ModelChoiceFilter(field_name="dispute__store", queryset=_caller_stores,
                                             to_field_name="code", label=_("Store"), help_text=_("A store code."))
    dispute = django_filters.NumberFilter(field_name="dispute_id", label=_("Dispute id"),
                                         min_value=1, max_value=MAX_ID)

    class Meta:
        model = DisputeProposal
        fields = ["store", "dispute", "party", "status", "external_id"]


# The clock queue: the desk's orders plus the ERP's.
API_CLOCK_ORDERINGS = {**CLOCK_ORDERINGS, "updated": SYNC_ORDERING}


class ClockApiFilter(ClockFilter):
    """The desk's clock queue, plus ``updated_after`` and ``order=updated``.

    A sync pull (``order=updated`` or ``updated_after``) lists every state unless
    ``state`` is given: a clock that was met or lapsed is exactly the change the
    ERP pulls for, and the queue's "running only" default would hide it.
    """

    updated_after = updated_after_filter()
    order = django_filters.ChoiceFilter(
        choices=[*CLOCK_ORDER_CHOICES, ("updated", _("Last change"))], method="order_queue", empty_label=None,
        label=_("Order by"),
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data and (data.get("order") == "updated" or "updated_after" in data):
            data = data.copy()
            data["state"] = ""
        super().__init__(data, *args, **kwargs)

    def order_queue(self, queryset, name, value: str):
        return queryset.order_by(*API_CLOCK_ORDERINGS[value])


class StoreAlertFilter(django_filters.FilterSet):
    """Alerts of an API key's stores (an integration has no inbox of its own)."""

    updated_after = updated_after_filter()
    level = django_filters.ChoiceFilter(choices=AlertLevel.choices, label=_("Level"))
    store = django_filters.CharFilter(field_name="store__code", label=_("Store"))
    order = django_filters.ChoiceFilter(choices=[("updated", _("Last change"))], method="order_changes",
                                        empty_label=None, label=_("Order by"))

    class Meta:
        model = Alert
        fields = ["updated_after", "level", "store", "order"]

    def order_changes(self, queryset, name, value: str):
        return queryset.order_by(*SYNC_ORDERING)


# The alerts inbox: unread first (the desk's order), or by last change for a sync.
ALERT_ORDERINGS = {"inbox": ("-unread", "-alert__raised_at", "-id"), "updated": SYNC_ORDERING}


class AlertApiFilter(AlertReceiptFilter):
    """The inbox plus ``updated_after`` and ``order=updated``. A receipt's
    ``updated_at`` is its latest change: the alert's, or this user's read or
    acknowledgement (see ``selectors.alert_inbox_changes``)."""

    updated_after = updated_after_filter()
    order = django_filters.ChoiceFilter(
        choices=[("inbox", _("Unread first")), ("updated", _("Last change"))], method="order_inbox",
        empty_label=None, label=_("Order by"),
    )

    def order_inbox(self, queryset, name, value: str):
        return queryset.order_by(*ALERT_ORDERINGS[value])



class WebhookSubscriptionApiFilter(django_filters.FilterSet):
    updated_after = updated_after_filter()
    store = django_filters.CharFilter(field_name="store__code", label=_("Store"))

    class Meta:
        model = WebhookSubscription
        fields = ["updated_after", "store", "is_active"]


class WebhookDeliveryApiFilter(django_filters.FilterSet):
    updated_after = updated_after_filter()
    subscription = django_filters.NumberFilter(field_name="subscription_id", min_value=1, max_value=MAX_ID,
                                               label=_("Subscription"))

    class Meta:
        model = WebhookDelivery
        fields = ["updated_after", "subscription", "status"]
