"""Rendering a template against a ticket, in the buyer's language.

The language is the one asked for, else the ticket's, the buyer's or the store's
default. A template without a text in that language (or its base language: "pt"
for "pt-br") falls back to English, and the result says so, so the agent knows the
buyer will read English.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .models import TemplateBody
from .placeholders import fill, ticket_context

FALLBACK_LANGUAGE = "en"
# Chinese tags as marketplaces send them, read as the script the library is written in.
_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-tw": "zh-hant", "zh-hk": "zh-hant"}

NO_TEXT = gettext_lazy("This template has no text in %(language)s nor in English.")


@dataclass
class RenderResult:
    text: str
    language: str
    fell_back: bool
    unfilled: list[str] = field(default_factory=list)
    body: TemplateBody | None = None
    wanted_language: str = ""


def language_candidates(language: str) -> list[str]:
    """The tags to try for ``language``, most specific first: "pt-br" → pt-br, pt."""
    tag = (language or "").strip().lower()
    tag = _ALIASES.get(tag, tag)
    found = []
    while tag:
        found.append(tag)
        tag = tag.rpartition("-")[0]
    return found


def buyer_language(ticket) -> str:
    """The language to answer in: the ticket's, the buyer's, or the store's default."""
    if ticket.language:
        return ticket.language
    if ticket.buyer_id and ticket.buyer.language:
        return ticket.buyer.language
    return ticket.store.default_language or FALLBACK_LANGUAGE


def pick_body(bodies, language: str) -> tuple[TemplateBody | None, bool]:
    """The current body for ``language`` among ``bodies`` (prefetched is fine), and
    whether it is the English fallback."""
    current = {b.language.lower(): b for b in bodies if b.is_current}
    for tag in language_candidates(language):
        if tag in current:
            return current[tag], False
    return current.get(FALLBACK_LANGUAGE), True


def template_render(*, template, ticket, language: str | None = None, values: dict | None = None,
                    agent=None, bodies=None) -> RenderResult:
    """Render ``template`` for ``ticket``: placeholders the ticket can fill are filled
    (``values`` win over the ticket), the others are listed in ``unfilled``.

    ``bodies`` lets a caller that already holds the template's current texts skip
    the query.
    """
    wanted = language or buyer_language(ticket)
    if bodies is None:
        bodies = list(template.bodies.filter(is_current=True))
    body, fell_back = pick_body(bodies, wanted)
    if body is None:
        raise ValidationError({"language": str(NO_TEXT) % {"language": wanted}})
    # Amounts and dates follow the buyer's locale even when the text fell back to English.
    ctx = ticket_context(ticket, language=wanted, agent=agent, scenario=template.scenario,
                         text_language=body.language)
    text, unfilled = fill(body.body, ctx, values)
    return RenderResult(text=text, language=body.language, fell_back=fell_back, unfilled=unfilled, body=body,
                        wanted_language=wanted)
