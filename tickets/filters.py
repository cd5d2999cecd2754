"""FilterSets shared by the HTML pages and the API, so both filter the same way.

The querysets handed to them are already scoped to the user's stores (selectors);
the store choices are scoped too, so naming another store's code is an invalid
choice (a 400 in the API), never a way in.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.choices import ClockKind, ClockState
from tickets.models import AlertReceipt, Clock, Store
from tickets.models.tickets import OPEN_TICKET_STATUSES

# Clocks whose lapse costs the seller (DOMAIN.md): a lost dispute, a refund the
# platform executes, a lower service score. The others are the buyer's deadlines,
# and their lapse favours the seller (a return that lapses releases the money to
# the seller, a closed refund or chargeback window ends the buyer's claim), so
# their amount is no loss and they rank with the clocks of unknown amount.
SELLER_LOSS_KINDS = (ClockKind.DISPUTE_RESPONSE, ClockKind.REFUND_DECISION, ClockKind.RECEIPT_CONFIRMATION,
                     ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION)

# Queue orders. Each ends in unique, unchanging columns so that the API's cursor
# (keyset) pagination has a total order. ``loss_key`` (see ``selectors.clock_queue``)
# is the seller's loss, -1 when none or unknown (amounts are never negative):
# "most money first, unknown last" on every database, and a plain value the
# cursor can compare with, which a nullable column is not.
CLOCK_ORDERINGS = {
    "due": ("due_at", "id"),
    "loss": ("-loss_key", "due_at", "id"),
}
CLOCK_ORDER_CHOICES = [("due", _("Due time")), ("loss", _("Money at stake"))]


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or left out; anything else is an error on the field, not "left out"."""

    # A plain select hands the raw value over (BooleanWidget would turn "maybe" into "left out").
    widget = forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1", "yes"):
            return True
        if str(value).lower() in ("false", "0", "no"):
            return False
        raise ValidationError(_("Enter true or false (or 1 or 0)."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number: "1e400" or "2.5" is one clear error, not two range messages."""

    field_class = forms.IntegerField


def _user_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user)


class ClockFilter(django_filters.FilterSet):
    """The clocks queue: by kind, store, state, ordered by due time or by loss.

    Without a ``state`` parameter only running clocks are listed (the queue's
    purpose); ``state=`` (empty, "any state") lists every state.
    """

    kind = django_filters.ChoiceFilter(choices=ClockKind.choices, empty_label=_("Any kind"), label=_("Kind"))
    store = django_filters.ModelChoiceFilter(queryset=_user_stores, to_field_name="code", empty_label=_("Any store"),
                                             label=_("Store"))
    state = django_filters.ChoiceFilter(choices=ClockState.choices, empty_label=_("Any state"), label=_("State"))
    open = StrictBooleanFilter(method="on_open_tickets", label=_("Ticket still open"))
    seller = StrictBooleanFilter(method="sellers_deadlines", label=_("The seller's deadlines only"))
    due_within = WholeNumberFilter(method="due_within_hours", label=_("Due within (hours)"),
                                   min_value=1, max_value=24 * 365)
    order = django_filters.ChoiceFilter(choices=CLOCK_ORDER_CHOICES, method="order_queue", empty_label=None,
                                        label=_("Order by"))

    class Meta:
        model = Clock
        fields = ["kind", "store", "state"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = ClockState.RUNNING
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("order") and self.form.cleaned_data.get("state") == ClockState.BREACHED:
            # What lapsed last is what a supervisor looks at first.
            queryset = queryset.order_by("-due_at", "-id")
        return queryset

    def on_open_tickets(self, queryset, name, value):
        if value is None:
            return queryset
        still_open = Q(ticket__status__in=OPEN_TICKET_STATUSES)
        return queryset.filter(still_open) if value else queryset.exclude(still_open)

    def sellers_deadlines(self, queryset, name, value):
        # The clocks whose lapse costs the seller: the buyer's own windows are not the desk's work.
        return queryset.filter(kind__in=SELLER_LOSS_KINDS) if value else queryset

    def due_within_hours(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(due_at__gt=now, due_at__lte=now + dt.timedelta(hours=float(value)))

    def order_queue(self, queryset, name, value: str):
        return queryset.order_by(*CLOCK_ORDERINGS[value])


class AlertReceiptFilter(django_filters.FilterSet):
    """The alerts inbox: ``unread=1`` for unread alerts only."""

    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread only"))

    class Meta:
        model = AlertReceipt
        fields = ["unread"]
