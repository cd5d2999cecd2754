"""What the library checks on every reply to a buyer, and how a send is recorded.

``tickets.services.messages.message_reply`` calls both, so the desk, the admin and
the API refuse the same replies and record the same uses.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .compliance import compliance_check, length_errors
from .models import TemplateBody, TemplateUse
from .placeholders import registered_in

UNFILLED = gettext_lazy("Fill in %(names)s before sending.")
FOREIGN_TEMPLATE = gettext_lazy("This template belongs to another store.")


def reply_validate(text: str, *, field: str = "body") -> None:
    """Refuse a reply that still has a placeholder to fill or breaks a compliance rule."""
    errors = length_errors(text)
    if errors:
        raise ValidationError({field: errors})
    unfilled = registered_in(text)
    if unfilled:
        errors.append(str(UNFILLED) % {"names": ", ".join(f"[{n}]" for n in unfilled)})
    errors += [str(v) for v in compliance_check(text)]
    if errors:
        raise ValidationError({field: errors})


def template_body_validate(body: TemplateBody, ticket, *, field: str = "template_body") -> None:
    """A reply may only record a template of the shared library or of the ticket's store."""
    store_id = body.template.store_id
    if store_id is not None and store_id != ticket.store_id:
        raise ValidationError({field: str(FOREIGN_TEMPLATE)})


def template_use_record(*, message, body: TemplateBody, agent) -> TemplateUse:
    """Record that ``message`` was written from ``body`` (this exact version)."""
    return TemplateUse.objects.create(store_id=message.store_id, message=message, ticket_id=message.ticket_id,
                                      template_id=body.template_id, body=body, language=body.language,
                                      agent=agent, sent_at=message.sent_at)
