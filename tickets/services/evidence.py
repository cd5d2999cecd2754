"""Evidence services: photos, receipts, tracking screenshots and chat exports."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from tickets.models import Evidence

from .audit import actor_fields, audit_record
from .disputes import dispute_seller_responded

MESSAGE_OF_ANOTHER_TICKET = gettext_lazy("The message belongs to another ticket or store.")


def evidence_add(*, store, file, kind: str, actor, dispute=None, ticket=None, message=None, description: str = "",
                 by_buyer: bool = False) -> Evidence:
    """Attach an evidence file to a dispute, a ticket or a message of a ticket.

    Evidence the seller adds to a dispute answers it: the first answer stamps the
    dispute's ``seller_responded_at`` and meets its dispute-response clock. Files
    the buyer attached (``by_buyer``, e.g. photos synced from the platform) answer
    nothing.
    """
    if message is not None:
        ticket = ticket or message.ticket
        if message.store_id != store.pk or message.ticket_id != ticket.pk:
            raise ValidationError({"message": MESSAGE_OF_ANOTHER_TICKET})
    evidence = Evidence(store=store, dispute=dispute, ticket=ticket, message=message, kind=kind, file=file,
                        description=description, uploaded_by=actor_fields(actor)["actor"])
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
        audit_record(subject=evidence, actor=actor, action="evidence", field="kind", to_value=kind,
                     reason=description or evidence.file.name)
        if dispute is not None and not by_buyer:
            dispute_seller_responded(dispute=dispute, at=evidence.uploaded_at, actor=actor,
                                     how=f"Seller added evidence: {evidence.get_kind_display()}.")
    return evidence
