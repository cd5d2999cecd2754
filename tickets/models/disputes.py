"""Disputes opened by buyers on the marketplace, and the proposals traded in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.choices import (
    REASONS_BY_FAMILY,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RequestedSolution,
)

from .base import TimeStampedModel, currency_check, currency_field, money_field, scoped_manager
from .orders import Order
from .stores import Store
from .tickets import Ticket


def _reason_matches_family() -> Q:
    condition = Q()
    for family, reasons in REASONS_BY_FAMILY.items():
        condition |= Q(family=family, reason__in=sorted(str(r) for r in reasons))
    return condition


class Dispute(TimeStampedModel):
    """A buyer's dispute. ``opened_at`` is the platform's time, which starts the
    24-hour response clock; ``outcome`` is set exactly when the dispute is resolved."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("store"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("order"))
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes",
                               verbose_name=_("ticket"))
    external_id = models.CharField(_("platform dispute id"), max_length=64)
    family = models.CharField(_("family"), max_length=20, choices=DisputeFamily.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=DisputeReason.choices)
    buyer_comment = models.TextField(_("buyer's comment"), blank=True)
    requested_solution = models.CharField(_("requested solution"), max_length=20, choices=RequestedSolution.choices)
    currency = currency_field()
    requested_amount = money_field(_("requested amount"))
    status = models.CharField(_("status"), max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=30, choices=DisputeOutcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened at (platform)"))
    seller_responded_at = models.DateTimeField(_("seller first responded"), null=True, blank=True)
    platform_review_at = models.DateTimeField(_("sent to platform review"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    platform_updated_at = models.DateTimeField(_("platform updated at"), null=True, blank=True)
    # When the desk itself last changed the row (a refund, a status, a lapse consequence):
    # an ERP update older than this is stale and is not applied over it.
    desk_changed_at = models.DateTimeField(_("changed on the desk"), null=True, blank=True,
                                           editable=False)

    objects = scoped_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [models.Index(fields=["store", "status"], name="dispute_store_status_idx"),
                   models.Index(fields=["updated_at", "id"], name="dispute_sync_idx")]
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="dispute_external_id_unique_per_store"),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="dispute_amount_non_negative"),
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
            models.CheckConstraint(condition=Q(family__in=DisputeFamily.values), name="dispute_family_valid"),
            models.CheckConstraint(condition=_reason_matches_family(), name="dispute_reason_matches_family"),
            models.CheckConstraint(
                condition=Q(requested_solution__in=RequestedSolution.values), name="dispute_solution_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=DisputeStatus.RESOLVED) & Q(outcome__in=DisputeOutcome.values))
                | (~Q(status=DisputeStatus.RESOLVED) & Q(outcome="")),
                name="dispute_outcome_iff_resolved",
            ),
            currency_check("dispute_currency_iso"),
        ]

    def __str__(self):
        return f"{self.external_id} ({self.get_family_display()})"

    def clean(self):
        errors = {}
        if self.family and self.reason and self.reason not in REASONS_BY_FAMILY.get(self.family, ()):
            errors["reason"] = _("%(reason)s is not a reason of the %(family)s family.") % {
                "reason": self.get_reason_display(), "family": self.get_family_display()}
        if self.order_id and self.store_id:
            if self.order.store_id != self.store_id:
                errors["order"] = _("The order belongs to another store.")
            elif self.requested_amount is not None and self.requested_amount > self.order.total:
                errors["requested_amount"] = _("The requested amount is above the %(total)s %(currency)s paid.") % {
                    "total": self.order.total, "currency": self.order.currency}
            elif self.currency and self.currency != self.order.currency:
                errors["currency"] = _("The dispute must be in the order's currency (%(currency)s).") % {
                    "currency": self.order.currency}
        if errors:
            raise ValidationError(errors)


class DisputeProposal(models.Model):
    """An offer in a dispute from the buyer, the seller or the platform. A new offer
    from the same party is a new version and supersedes the pending one."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="proposals",
                                verbose_name=_("dispute"))
    party = models.CharField(pgettext_lazy("proposal party", "from"), max_length=10, choices=ProposalParty.choices)
    solution = models.CharField(_("solution"), max_length=20, choices=ProposalSolution.choices)
    amount = money_field(_("amount"))
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING)
    note = models.TextField(_("note"), blank=True)
    external_id = models.CharField(_("platform proposal id"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager("dispute__store")

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("dispute proposal")
        verbose_name_plural = _("dispute proposals")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "party", "version"], name="proposal_version_unique"),
            models.UniqueConstraint(fields=["dispute", "party"], condition=Q(status=ProposalStatus.PENDING),
                                    name="proposal_one_pending_per_party",
                                    violation_error_message=_("This party already has a pending proposal.")),
            # The platform's id names one offer, so a re-sync finds it instead of adding
            # a second; offers made on the desk have none.
            models.UniqueConstraint(fields=["dispute", "external_id"], condition=~Q(external_id=""),
                                    name="proposal_external_id_unique",
                                    violation_error_message=_("This dispute already has a proposal with this "
                                                              "platform id.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="proposal_amount_non_negative"),
            models.CheckConstraint(condition=Q(version__gte=1), name="proposal_version_positive"),
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"),
            models.CheckConstraint(condition=Q(party__in=ProposalParty.values), name="proposal_party_valid"),
        ]

    def __str__(self):
        return f"{self.get_party_display()} v{self.version}: {self.get_solution_display()} {self.amount}"

    def clean(self):
        if self.dispute_id and self.amount is not None and self.amount > self.dispute.order.total:
            raise ValidationError({"amount": _("The amount is above the %(total)s %(currency)s paid.") % {
                "total": self.dispute.order.total, "currency": self.dispute.order.currency}})
