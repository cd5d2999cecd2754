"""Dispute proposals in from the ERP: ``POST /api/v1/sync/proposals/``.

A new offer goes through ``proposal_create``: a buyer's refund request starts the
refund-decision clock at the platform's ``proposed_at``. A decision the platform
reports (accepted, rejected, withdrawn) goes through ``proposal_set_status`` at
``decided_at``, which meets the clock (or, withdrawn, cancels it). An offer never
changes on the platforms (a changed amount comes under a new proposal id), so other
terms under a known id are refused. A proposal has no store column: it is found by
its dispute's store and its platform id.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.choices import DisputeStatus, ProposalParty, ProposalSolution, ProposalStatus
from tickets.models import Dispute, DisputeProposal

from ..disputes import BEFORE_OPENED, DISPUTE_RESOLVED, proposal_create, proposal_set_status
from ..field_errors import field_errors
from ..origin import platform_sync
from ..time_order import time_label
from .batch import CREATED, SYNCED, UNCHANGED, UPDATED, Item, parse_batch, refuse_broken_rules, report
from .fields import Choice, Money, Shape, Text, Timestamp


class ReportedStatus(models.TextChoices):
    """What the platform reports. "Superseded" is the desk's own bookkeeping: a newer
    version from the same party replaces the pending one when it is synced."""

    PENDING = ProposalStatus.PENDING.value, ProposalStatus.PENDING.label
    ACCEPTED = ProposalStatus.ACCEPTED.value, ProposalStatus.ACCEPTED.label
    REJECTED = ProposalStatus.REJECTED.value, ProposalStatus.REJECTED.label
    WITHDRAWN = ProposalStatus.WITHDRAWN.value, ProposalStatus.WITHDRAWN.label


PROPOSAL = Shape("SyncProposal", {
    "store": Text(40, required=True, help_text="The store's code."),
    "proposal_id": Text(64, required=True, help_text="The marketplace's proposal id."),
    "dispute_id": Text(64, help_text="The dispute it was made in; required for a new proposal."),
    "party": Choice(ProposalParty, help_text="Who made it; required for a new proposal."),
    "solution": Choice(ProposalSolution, help_text="Required for a new proposal."),
    "amount": Money(help_text="The amount offered or asked for; required for a new proposal."),
    "proposed_at": Timestamp(help_text=(
        "When it was made; required for a new proposal. A buyer's refund request starts the refund-decision "
        "clock then.")),
    "status": Choice(ReportedStatus, help_text=(
        "pending (the default), accepted, rejected or withdrawn. A decision on the buyer's request meets the "
        "refund-decision clock; the buyer withdrawing it cancels the clock.")),
    "decided_at": Timestamp(help_text=(
        "When it was accepted, rejected or withdrawn; updated_at, else the time of the sync, when left out.")),
    "note": Text(5000, help_text="Kept from the proposal's first sync."),
    "updated_at": Timestamp(help_text="The platform's last change to the proposal."),
})
NEW_REQUIRES = ("dispute_id", "party", "solution", "amount", "proposed_at")


def proposals_sync(raw_items: list, *, actor) -> dict:
    results, items = parse_batch(raw_items, shape=PROPOSAL, key="proposal_id", actor=actor)
    stored = {(p.dispute.store_id, p.external_id): p for p in DisputeProposal.objects.filter(
        dispute__store_id__in={i.store.pk for i in items},
        external_id__in={i.data["proposal_id"] for i in items}).select_related("dispute")}
    with platform_sync():
        for item in items:
            proposal = stored.get((item.store.pk, item.data["proposal_id"]))
            try:
                # Each item in its own savepoint: a refused one leaves nothing behind.
                with transaction.atomic():
                    if proposal is None:
                        _create(item, actor)
                    else:
                        _update(item, proposal, actor)
            except ValidationError as exc:
                item.fail(field_errors(exc))
            except IntegrityError:
                # A duplicate key: what a concurrent request stored meanwhile. Sending
                # the item again finds it.
                item.fail({"proposal_id": [_("It could not be stored; send it again.")]})
    return report(results)


@refuse_broken_rules
def _create(item: Item, actor) -> None:
    data = item.data
    missing = {name: [_("Required for a new proposal.")] for name in NEW_REQUIRES if name not in data}
    if missing:
        raise ValidationError(missing)
    # Locked as proposal_create locks it: a concurrent request storing the same
    # proposal has now either committed (and is found below) or not yet begun.
    dispute = Dispute.objects.select_for_update().filter(store=item.store, external_id=data["dispute_id"]).first()
    if dispute is None:
        raise ValidationError({"dispute_id": [_("No dispute %(id)s in store %(store)s; sync the dispute first.") % {
            "id": data["dispute_id"], "store": item.store.code}]})
    known = DisputeProposal.objects.filter(dispute__store=item.store, external_id=data["proposal_id"]).first()
    if known is not None:
        _update(item, known, actor)
        return
    if dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"dispute_id": [DISPUTE_RESOLVED]})
    if data["proposed_at"] < dispute.opened_at:
        raise ValidationError({"proposed_at": [BEFORE_OPENED % {"time": time_label(dispute.opened_at)}]})
    # proposal_create supersedes the party's pending offer with the new one: an older
    # offer arriving after a newer one would wrongly replace it.
    latest = (DisputeProposal.objects.filter(dispute=dispute, party=data["party"])
              .order_by("-proposed_at", "-version").first())
    if latest is not None and data["proposed_at"] < latest.proposed_at:
        raise ValidationError({"proposed_at": [_(
            "This party has a newer offer (version %(version)d, %(time)s); send a party's offers oldest "
            "first.") % {"version": latest.version, "time": time_label(latest.proposed_at)}]})
    status = data.get("status", ProposalStatus.PENDING)
    decided_at = _decision_time(data, data["proposed_at"], applies=status != ProposalStatus.PENDING)
    proposal = proposal_create(dispute=dispute, party=data["party"], solution=data["solution"],
                               amount=data["amount"], actor=actor, note=data.get("note", ""),
                               external_id=data["proposal_id"], proposed_at=data["proposed_at"])
    if status != ProposalStatus.PENDING:
        proposal_set_status(proposal=proposal, status=status, actor=actor, reason=SYNCED, at=decided_at)
    item.result.status, item.result.id = CREATED, proposal.pk


@refuse_broken_rules
def _update(item: Item, proposal: DisputeProposal, actor) -> None:
    item.result.id = proposal.pk
    proposal = DisputeProposal.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=proposal.pk)
    data = item.data
    terms = {"dispute_id": proposal.dispute.external_id, "party": proposal.party, "solution": proposal.solution,
             "amount": proposal.amount}
    changed = {name: [_("Stored as %(value)s: an offer never changes, a changed offer is a new proposal id.") % {
        "value": stored}] for name, stored in terms.items() if name in data and data[name] != stored}
    if "proposed_at" in data and data["proposed_at"] != proposal.proposed_at:
        # A buyer's request started its refund-decision clock then.
        changed["proposed_at"] = [_("Recorded as %(time)s; an offer's time never changes.") % {
            "time": time_label(proposal.proposed_at)}]
    if changed:
        raise ValidationError(changed)
    status = data.get("status", proposal.status)
    # Pending is the only open status, so a pending offer the desk holds as decided
    # (or superseded by a newer version) is the platform's older news, not a change.
    target = proposal.status if status == ProposalStatus.PENDING else status
    decided_at = _decision_time(data, proposal.proposed_at, applies=target != proposal.status)
    if target == proposal.status:
        item.result.status = UNCHANGED
        return
    proposal_set_status(proposal=proposal, status=target, actor=actor, reason=SYNCED, at=decided_at)
    item.result.status = UPDATED


def _decision_time(data: dict, proposed_at, *, applies: bool):
    """The platform time of the item's decision: ``decided_at``, else ``updated_at``,
    else now. It cannot come before the offer; ``decided_at`` is checked even when
    there is nothing to decide, since the item is wrong either way."""
    name = next((n for n in ("decided_at", "updated_at") if n in data), None)
    at = data[name] if name else timezone.now()
    if (applies or name == "decided_at") and at < proposed_at:
        raise ValidationError({name or "decided_at": [_("This time is before the proposal was made (%(time)s).") % {
            "time": time_label(proposed_at)}]})
    return at
