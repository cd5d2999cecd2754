"""The placeholder registry: every ``[Bracket Name]`` a template may use, in one place.

Sellers already write templates with bracketed blanks ("Your order [Order Number]
..."), so the library keeps that form, in English, in every language. Each entry says
how it is filled from a ticket; those with no filler (``[Solution]``) are always left
to the agent. A template that uses a name not in the registry is refused at save.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from babel.units import format_unit
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A placeholder starts with a capital letter or "X" and has at most four words, so a
# footnote mark like "[1]" or a quoted "[sic]" in a text is left alone.
PLACEHOLDER = re.compile(r"\[([A-Z][A-Za-z]*(?: [A-Za-z]+){0,3})\]")

DEFAULT_RETURN_DAYS = 10
RETURN_WINDOW_SCENARIOS = ("return_policy", "return_request")
OFFER_SCENARIOS = ("partial_refund_offer",)


@dataclass(frozen=True)
class TicketContext:
    """What a ticket offers to fill placeholders, read once (see ``ticket_context``)."""

    ticket: object
    locale: Locale
    agent: object = None
    return_days: int | None = None
    # The scenario decides what some names mean: "[X days]" is the return window only
    # in the return scenarios, "[Amount]" is the offer, not the total, in a
    # partial-refund offer. Elsewhere the agent fills them.
    scenario: str = ""
    # The language the text is written in (it differs from ``locale`` after a fallback).
    text_locale: Locale | None = None


@dataclass(frozen=True)
class Placeholder:
    label: str
    fill: Callable[[TicketContext], str] | None  # None: always left to the agent


def _order(ctx):
    return ctx.ticket.order


def _items(ctx) -> list:
    order = _order(ctx)
    return list(order.items.all()) if order is not None else []


def _order_date(ctx) -> str:
    order = _order(ctx)
    placed = order and (order.placed_at or order.paid_at)
    if not placed:
        return ""
    # The date the store's own records show, not the UTC one.
    return format_date(placed.astimezone(ctx.ticket.store.tzinfo).date(), format="long", locale=ctx.locale)


def _amount(ctx) -> str:
    order = _order(ctx)
    if order is None or ctx.scenario in OFFER_SCENARIOS:
        return ""
    return format_currency(order.total, order.currency, locale=ctx.locale)


# Babel has no day unit for these; the plain forms are right for every number.
_DAYS_FALLBACK = {"zh": "{n}天", "ja": "{n}日", "pt": "{n} dias"}


def _days(ctx) -> str:
    if ctx.scenario not in RETURN_WINDOW_SCENARIOS or not ctx.return_days:
        return ""
    locale = ctx.text_locale or ctx.locale
    text = format_unit(ctx.return_days, "duration-day", locale=locale, length="long")
    if "duration" in text:
        pattern = _DAYS_FALLBACK.get(locale.language, "{n} days")
        text = ("1 dia" if locale.language == "pt" and ctx.return_days == 1 else pattern.format(n=ctx.return_days))
    return text


def _agent_name(ctx) -> str:
    agent = ctx.agent
    # An API key is an integration, not a person to sign a reply with.
    if agent is None or getattr(agent, "is_api_key", False) or not hasattr(agent, "get_full_name"):
        return ""
    return agent.get_full_name() or agent.get_username()


def _buyer_name(ctx) -> str:
    buyer = ctx.ticket.buyer or (_order(ctx) and _order(ctx).buyer)
    return (buyer.name or "") if buyer else ""


REGISTRY: dict[str, Placeholder] = {
    "Order Number": Placeholder(gettext_lazy("The marketplace's order number"),
                                lambda ctx: _order(ctx).order_number if _order(ctx) else ""),
    "Order Date": Placeholder(gettext_lazy("The day the order was placed, in the buyer's language"), _order_date),
    "Item Name": Placeholder(gettext_lazy("The titles of every item of the order"),
                             lambda ctx: ", ".join(item.title for item in _items(ctx))),
    "Product Name": Placeholder(gettext_lazy("The title of the order's first item"),
                                lambda ctx: next((item.title for item in _items(ctx)), "")),
    "Amount": Placeholder(gettext_lazy("The order's total in its currency, written the buyer's way"), _amount),
    "X days": Placeholder(gettext_lazy("A number of days; in return templates the buyer's return window from the "
                                       "marketplace's policy, elsewhere written by the agent"), _days),
    "Solution": Placeholder(gettext_lazy("The concrete solution: always written by the agent"), None),
    "Tracking Number": Placeholder(gettext_lazy("The parcel's tracking number"),
                                   lambda ctx: _order(ctx).tracking_number if _order(ctx) else ""),
    "Carrier": Placeholder(gettext_lazy("The carrier or logistics channel"),
                           lambda ctx: _order(ctx).carrier if _order(ctx) else ""),
    "Buyer Name": Placeholder(gettext_lazy("The buyer's name"), _buyer_name),
    "Store Name": Placeholder(gettext_lazy("The store's name"), lambda ctx: ctx.ticket.store.name),
    "Agent Name": Placeholder(gettext_lazy("The name of the agent who sends the reply"), _agent_name),
    "Date": Placeholder(gettext_lazy("A date the agent commits to: always written by the agent"), None),
}


def placeholders_in(text: str) -> list[str]:
    """The bracketed names in ``text``, in order of first appearance, each once."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def _loose(name: str) -> str:
    return " ".join(name.split()).casefold()


_LOOSE_NAMES = {_loose(name): name for name in REGISTRY}
# Anything bracketed, or a registered name opened but never closed ("[Solution").
_BRACKETED = re.compile(r"\[([^\[\]\n]{1,60})\]|\[([A-Za-z][A-Za-z ]{0,40})(?![A-Za-z \]])")


def misspelled_in(text: str) -> list[tuple[str, str]]:
    """Placeholders written almost right: another case or spacing ("[order number]"),
    or left unclosed ("[Solution"). Pairs of (as written, the registered name): the
    exact form is what gets filled, so these would reach the buyer as they are."""
    found = []
    for match in _BRACKETED.finditer(text or ""):
        written = match.group(1) if match.group(1) is not None else match.group(2)
        meant = _LOOSE_NAMES.get(_loose(written))
        if meant is not None and match.group(0) != f"[{meant}]":
            found.append((match.group(0), meant))
    return list(dict.fromkeys(found))


def registered_in(text: str) -> list[str]:
    """The registry's placeholders still present in ``text``, however spelled (a
    reply with any of them is unfinished)."""
    names = [name for name in placeholders_in(text) if name in REGISTRY]
    return list(dict.fromkeys(names + [meant for _written, meant in misspelled_in(text)]))


def placeholders_validate(text: str, *, field: str = "body") -> None:
    """Refuse a template text with a placeholder the registry does not know, naming it."""
    unknown = [name for name in placeholders_in(text) if name not in REGISTRY]
    if unknown:
        raise ValidationError({field: _("Unknown placeholder: %(names)s. Known: %(known)s.") % {
            "names": ", ".join(f"[{n}]" for n in unknown),
            "known": ", ".join(f"[{n}]" for n in REGISTRY),
        }})


def babel_locale(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag ("zh-hans" → zh_Hans), English if Babel has none."""
    try:
        return Locale.parse(language or "en", sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse((language or "en").split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale("en")


def ticket_context(ticket, *, language: str, agent=None, scenario: str = "",
                   text_language: str = "") -> TicketContext:
    """Everything the fillers need, read with a fixed number of queries."""
    from tickets.choices import ClockKind
    from tickets.services.clocks import NoPolicy, policy_current

    try:
        length = policy_current(marketplace=ticket.store.marketplace, kind=ClockKind.RETURN_SHIPMENT).length
        return_days = max(1, length // timedelta(days=1))
    except NoPolicy:
        return_days = DEFAULT_RETURN_DAYS
    return TicketContext(ticket=ticket, locale=babel_locale(language), agent=agent, return_days=return_days,
                         scenario=scenario, text_locale=babel_locale(text_language) if text_language else None)


def fill(text: str, ctx: TicketContext | None, values: dict | None = None) -> tuple[str, list[str]]:
    """Replace each registered placeholder the context (or ``values``, which win) can
    fill; return the text and the placeholders left for the agent, in order."""
    values = {k.strip("[] "): str(v) for k, v in (values or {}).items() if v not in (None, "")}
    cache: dict[str, str] = {}

    def value_of(name: str) -> str:
        if name not in cache:
            entry = REGISTRY.get(name)
            if name in values:
                cache[name] = values[name]
            elif entry is None or entry.fill is None or ctx is None:
                cache[name] = ""
            else:
                cache[name] = entry.fill(ctx) or ""
        return cache[name]

    def replace(match):
        name = match.group(1)
        if name not in REGISTRY:
            return match.group(0)
        return value_of(name) or match.group(0)

    rendered = PLACEHOLDER.sub(replace, text)
    return rendered, registered_in(rendered)
