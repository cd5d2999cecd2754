"""The template picker on the ticket page: suggestions first, a search box, and the
chosen template rendered into the reply box. Plain links and forms, no script needed.

``?tq=`` searches, ``?template=<id>`` renders that template for the ticket. Every part
costs a fixed number of queries, however large the library.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q

from tickets.choices import MessageKind

from .filters import TemplateFilter
from .models import ReplyTemplate, TemplateBody
from .rendering import buyer_language, template_render
from .suggestions import template_suggestions

SEARCH_LIMIT = 20


def usable_templates(user, ticket):
    """Active templates the user may send on ``ticket``: the library and the ticket's store's."""
    return (ReplyTemplate.objects.visible_to(user)
            .filter(Q(store__isnull=True) | Q(store_id=ticket.store_id), is_active=True)
            .prefetch_related(Prefetch("bodies", queryset=TemplateBody.objects.filter(is_current=True),
                                       to_attr="current_bodies")))


def _latest_buyer_text(thread) -> str | None:
    if thread is None:
        return None
    return next((m.body for m in reversed(thread) if m.kind == MessageKind.BUYER), "")


def picker_context(request, ticket, *, thread=None) -> dict:
    """What the ticket page needs to show the picker, and the reply box's first value.
    ``thread``: the ticket's messages in order, if the page has read them already."""
    query = request.GET.get("tq", "").strip()
    results = None
    if query:
        search = TemplateFilter({"q": query}, queryset=usable_templates(request.user, ticket))
        results = list(search.qs.order_by("code")[:SEARCH_LIMIT]) if search.is_valid() else []
    rendered, render_error = None, ""
    chosen = request.GET.get("template", "")
    if chosen.isdigit():
        template = usable_templates(request.user, ticket).filter(pk=int(chosen)).first()
        if template is not None:
            try:
                rendered = template_render(template=template, ticket=ticket, agent=request.user,
                                           bodies=template.current_bodies)
                rendered.template = template
            except ValidationError as exc:
                render_error = " ".join(exc.messages)
    return {
        "suggestions": template_suggestions(user=request.user, ticket=ticket, buyer_text=_latest_buyer_text(thread)),
        "template_query": query,
        "template_results": results,
        "rendered": rendered,
        "render_error": render_error,
        "buyer_language": buyer_language(ticket),
    }
