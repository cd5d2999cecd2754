"""Disputes, the proposals traded in them, and evidence files.

New disputes and evidence are created through their services (``dispute_open``,
``evidence_add``), which start or meet the platform clocks; ``CreateThroughServiceMixin``
is how an add page hands its form to a service.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.choices import DisputeOutcome, DisputeStatus
from tickets.models import Dispute, DisputeProposal, Evidence
from tickets.services.disputes import (
    OUTCOME_ONLY_WHEN_RESOLVED,
    OUTCOME_REQUIRED,
    dispute_open,
    dispute_set_status,
    proposal_create,
    proposal_set_status,
)
from tickets.services.evidence import MESSAGE_OF_ANOTHER_TICKET, evidence_add

from .base import (
    CreateThroughServiceMixin,
    ReadOnlyInline,
    ScopedModelAdmin,
    ServiceRefused,
    WorkflowAdminMixin,
    WorkflowForm,
    adopt,
    scoped_filter,
)

DISPUTE_RESOLVED = _("The dispute is resolved; no new proposal can be made.")
OPENED_AT_HELP = _("The platform's time: the dispute-response clock starts then.")
BY_BUYER_HELP = _("Files the buyer sent (synced from the platform) do not answer the dispute.")


class DisputeProposalInline(ReadOnlyInline):
    model = DisputeProposal
    fields = ("proposed_at", "party", "version", "solution", "amount", "status", "created_by")
    readonly_fields = fields


class DisputeAdminForm(WorkflowForm):
    # The outcome is written by dispute_set_status together with the resolution.
    service_fields = ("outcome",)

    def check_service_rules(self, values, cleaned):
        status = values.get("status", self.stored_state)
        outcome = values.get("outcome", self.instance.outcome)
        if status == DisputeStatus.RESOLVED and outcome not in DisputeOutcome.values:
            raise ValidationError({"outcome": OUTCOME_REQUIRED})
        if status != DisputeStatus.RESOLVED and outcome:
            raise ValidationError({"outcome": OUTCOME_ONLY_WHEN_RESOLVED})


class DisputeAddForm(forms.ModelForm):
    """A dispute the buyer opened on the platform, recorded by ``dispute_open``: open,
    in the order's currency, its response clock started at ``opened_at``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "opened_at" in self.fields:
            self.fields["opened_at"].help_text = OPENED_AT_HELP

    def clean(self):
        cleaned = super().clean()
        order = cleaned.get("order")
        if order is not None:
            # As dispute_open does, before the model's checks (amount, currency) run.
            self.instance.currency = order.currency
        return cleaned


@admin.register(Dispute)
class DisputeAdmin(CreateThroughServiceMixin, WorkflowAdminMixin, ScopedModelAdmin):
    form = DisputeAdminForm
    add_form = DisputeAddForm
    list_display = ("external_id", "order", "family", "reason", "status", "outcome", "requested", "opened_at",
                    "store")
    list_filter = (scoped_filter("store"), "status", "family", "reason", "outcome", "requested_solution")
    list_select_related = ("store", "order")
    search_fields = ("external_id", "order__order_number", "order__buyer__name")
    date_hierarchy = "opened_at"
    autocomplete_fields = ("store", "order", "ticket")
    readonly_fields = ("platform_review_at", "resolved_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("store", "external_id", "order", "ticket")}),
        (_("Claim"), {"fields": ("family", "reason", "requested_solution", "requested_amount", "currency",
                                 "buyer_comment")}),
        (_("Workflow"), {"fields": ("status", "outcome", "outcome_note", "change_reason")}),
        (_("Times"), {"fields": ("opened_at", "seller_responded_at", "platform_review_at", "resolved_at",
                                 "platform_updated_at", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("store", "external_id", "order", "ticket")}),
        (_("Claim"), {"fields": ("family", "reason", "requested_solution", "requested_amount", "buyer_comment")}),
        (_("Times"), {"fields": ("opened_at",)}),
    )
    inlines = (DisputeProposalInline,)

    @admin.display(description=_("requested"), ordering="requested_amount")
    def requested(self, obj):
        return f"{obj.requested_amount} {obj.currency}"

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status == DisputeStatus.RESOLVED:
            readonly.append("outcome")
        return readonly

    def create_through_service(self, request, data):
        return dispute_open(
            store=data["store"], order=data["order"], external_id=data["external_id"], family=data["family"],
            reason=data["reason"], requested_solution=data["requested_solution"],
            requested_amount=data["requested_amount"], opened_at=data["opened_at"], actor=request.user,
            ticket=data.get("ticket"), buyer_comment=data.get("buyer_comment", ""),
        )

    def apply_services(self, request, obj, values, reason):
        if "status" in values:
            dispute_set_status(dispute=obj, status=values["status"], outcome=values.get("outcome", ""),
                               actor=request.user, reason=reason)


class DisputeProposalAdminForm(WorkflowForm):
    def clean(self):
        cleaned = super().clean()
        dispute = cleaned.get("dispute")
        if not self.instance.pk and dispute is not None and dispute.status == DisputeStatus.RESOLVED:
            self.add_error("dispute", DISPUTE_RESOLVED)
        return cleaned


@admin.register(DisputeProposal)
class DisputeProposalAdmin(WorkflowAdminMixin, ScopedModelAdmin):
    """New offers go through ``proposal_create``: it supersedes the party's pending
    offer and numbers the version. An offer's terms never change afterwards."""

    form = DisputeProposalAdminForm
    list_display = ("id", "dispute", "party", "version", "solution", "amount", "status", "proposed_at")
    list_filter = ("status", "party", "solution", scoped_filter("dispute__store"))
    list_select_related = ("dispute",)
    search_fields = ("dispute__external_id", "dispute__order__order_number", "external_id", "note")
    date_hierarchy = "proposed_at"
    autocomplete_fields = ("dispute",)
    fields = ("dispute", "party", "solution", "amount", "version", "status", "change_reason", "note", "external_id",
              "created_by", "proposed_at")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "change_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("version", "status", "created_by")
        return ("dispute", "party", "solution", "amount", "version", "created_by", "proposed_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        try:
            proposal = proposal_create(
                dispute=data["dispute"], party=data["party"], solution=data["solution"], amount=data["amount"],
                actor=request.user, note=data.get("note", ""), external_id=data.get("external_id", ""),
                proposed_at=data.get("proposed_at"),
            )
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, proposal)

    def apply_services(self, request, obj, values, reason):
        proposal_set_status(proposal=obj, status=values["status"], actor=request.user, reason=reason)


class EvidenceAddForm(forms.ModelForm):
    """A file added through ``evidence_add``: the seller's evidence on a dispute answers
    it (meets its dispute-response clock); the buyer's own files answer nothing."""

    by_buyer = forms.BooleanField(label=_("sent by the buyer"), required=False, help_text=BY_BUYER_HELP)

    def clean(self):
        cleaned = super().clean()
        store, ticket, message = cleaned.get("store"), cleaned.get("ticket"), cleaned.get("message")
        if message is not None and store is not None:
            # As evidence_add does: a message's file belongs to the message's ticket.
            ticket = ticket or message.ticket
            if message.store_id != store.pk or message.ticket_id != ticket.pk:
                self.add_error("message", MESSAGE_OF_ANOTHER_TICKET)
            else:
                cleaned["ticket"] = ticket
        return cleaned


@admin.register(Evidence)
class EvidenceAdmin(CreateThroughServiceMixin, ScopedModelAdmin):
    add_form = EvidenceAddForm
    add_fieldsets = (
        (None, {"fields": ("store", "dispute", "ticket", "message")}),
        (_("File"), {"fields": ("kind", "file", "description", "by_buyer")}),
    )
    list_display = ("id", "kind", "__str__", "dispute", "ticket", "store", "uploaded_by", "uploaded_at",
                    "submitted_to_platform_at")
    list_filter = (scoped_filter("store"), "kind", ("submitted_to_platform_at", admin.EmptyFieldListFilter))
    list_select_related = ("store", "dispute", "ticket", "uploaded_by")
    search_fields = ("description", "dispute__external_id", "ticket__subject")
    date_hierarchy = "uploaded_at"
    autocomplete_fields = ("store", "dispute", "ticket", "message")
    readonly_fields = ("uploaded_by", "uploaded_at")

    def create_through_service(self, request, data):
        return evidence_add(
            store=data["store"], file=data["file"], kind=data["kind"], actor=request.user,
            dispute=data.get("dispute"), ticket=data.get("ticket"), message=data.get("message"),
            description=data.get("description", ""), by_buyer=data.get("by_buyer", False),
        )
