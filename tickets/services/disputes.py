"""Dispute services: status and outcome, and the proposals traded in a dispute."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import DisputeOutcome, DisputeStatus, ProposalStatus
from tickets.models import Dispute, DisputeProposal

from .audit import audit_record
from .workflow import check_transition, transition

OUTCOME_REQUIRED = gettext_lazy("Choose the outcome of the dispute to resolve it.")
OUTCOME_ONLY_WHEN_RESOLVED = gettext_lazy("An outcome can only be set when the dispute is resolved.")


def dispute_set_status(*, dispute: Dispute, status: str, actor, reason: str = "", outcome: str = "",
                       at=None) -> Dispute:
    """Move a dispute along its workflow. Resolving needs an outcome, and only
    resolving may set one; ``at`` is the platform's time of the event."""
    check_transition(dispute, status)
    when = at or timezone.now()
    extra = {}
    if status == DisputeStatus.RESOLVED:
        if outcome not in DisputeOutcome.values:
            raise ValidationError({"outcome": OUTCOME_REQUIRED})
        extra.update(outcome=outcome, resolved_at=when)
    elif outcome:
        raise ValidationError({"outcome": OUTCOME_ONLY_WHEN_RESOLVED})
    if status == DisputeStatus.PLATFORM_REVIEW:
        extra["platform_review_at"] = when
    reason_text = reason if status != DisputeStatus.RESOLVED else f"{reason} ({outcome})".strip()
    return transition(dispute, to=status, actor=actor, reason=reason_text, extra=extra)


def proposal_set_status(*, proposal: DisputeProposal, status: str, actor, reason: str = "") -> DisputeProposal:
    return transition(proposal, to=status, actor=actor, reason=reason)


def proposal_create(*, dispute: Dispute, party: str, solution: str, amount, actor, note: str = "",
                    external_id: str = "", proposed_at=None) -> DisputeProposal:
    """Record a new offer. The party's pending offer, if any, becomes superseded and
    the new one takes the next version number."""
    if dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"dispute": _("The dispute is resolved; no new proposal can be made.")})
    with transaction.atomic():
        # Lock the dispute so two offers from one party cannot take the same version.
        Dispute.objects.select_for_update().filter(pk=dispute.pk).first()
        for pending in DisputeProposal.objects.filter(dispute=dispute, party=party, status=ProposalStatus.PENDING):
            proposal_set_status(proposal=pending, status=ProposalStatus.SUPERSEDED, actor=actor,
                                reason=_("Replaced by a newer offer."))
        last = DisputeProposal.objects.filter(dispute=dispute, party=party).aggregate(v=Max("version"))["v"] or 0
        proposal = DisputeProposal(
            dispute=dispute, party=party, solution=solution, amount=amount, version=last + 1, note=note,
            external_id=external_id, created_by=None if isinstance(actor, str) else actor,
            proposed_at=proposed_at or timezone.now(),
        )
        proposal.full_clean()
        proposal.save()
        audit_record(subject=proposal, actor=actor, action="proposal", field="status", to_value=proposal.status,
                     reason=f"{party} v{proposal.version}: {solution} {amount}")
    return proposal
