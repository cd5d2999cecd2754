"""API serializers. They parse and shape data; services decide."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from templates_lib.compliance import MAX_TEXT
from tickets.choices import DisputeOutcome, ProposalStatus, TicketStatus
from tickets.models import (
    Alert,
    AlertReceipt,
    Buyer,
    Clock,
    Dispute,
    DisputeProposal,
    Message,
    Order,
    OrderItem,
    Refund,
    Return,
    Store,
    Ticket,
    User,
)
from tickets.services.clocks import alert_text, clock_explanation, clock_subject_label, lapse_consequence

from .strict import StrictFieldsMixin


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "language", "external_id", "is_automatic", "sent_at"]


class TicketSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_number = serializers.CharField(source="order.order_number", default=None, allow_null=True, read_only=True)
    assignee = serializers.CharField(source="assignee.get_username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "store", "order_number", "subject", "category", "priority", "status", "assignee",
                  "language", "last_buyer_message_at", "first_replied_at", "resolved_at", "created_at",
                  "updated_at"]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class StatusChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EscalateSerializer(StrictFieldsMixin, serializers.Serializer):
    """``to``: the username of a senior agent, supervisor or admin of the ticket's store."""

    to = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                      error_messages={"does_not_exist": _("No active user is named “{value}”.")})
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NoteSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class ReplySerializer(StrictFieldsMixin, serializers.Serializer):
    """A reply to the buyer; ``template_body`` is the exact template text version it was written from."""

    body = serializers.CharField(trim_whitespace=False, max_length=MAX_TEXT)
    template_body = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=_("Id of the template text (version) the reply was written from, to record its use."))

    def validate_body(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Write a reply."))
        return value

    def validate_template_body(self, value):
        if value is None:
            return None
        from templates_lib.models import TemplateBody

        request = self.context["request"]
        body = TemplateBody.objects.visible_to(request.user).select_related("template").filter(pk=value).first()
        if body is None:
            raise serializers.ValidationError(_("Unknown template text."))
        return body


class ClockSerializer(serializers.ModelSerializer):
    """A clock with what it costs if it lapses and why it is due when it is.
    ``ticket`` is the ticket behind its subject (none for an order's clocks);
    ``seller_loss`` is the amount at stake when the lapse costs the seller, in the
    desk currency (none for the buyer's own deadlines, whose lapse favours the
    seller, and none when the desk has no exchange rate for the clock's currency)."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subject = serializers.CharField(source="subject_key", read_only=True)
    subject_label = serializers.SerializerMethodField(help_text="The subject by its platform id, in words.")
    ticket = serializers.IntegerField(source="ticket_ref", read_only=True, default=None, allow_null=True)
    consequence = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    policy_version = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.get_username", default=None, allow_null=True, read_only=True)
    seller_loss = serializers.SerializerMethodField()
    seller_loss_currency = serializers.SerializerMethodField()

    class Meta:
        model = Clock
        fields = ["id", "store", "kind", "state", "subject", "subject_label", "ticket", "started_at", "due_at",
                  "warn_at", "escalate_at", "met_at", "breached_at", "cancelled_at", "amount_at_stake", "currency",
                  "seller_loss", "seller_loss_currency", "consequence", "explanation", "basis", "policy_version",
                  "owner", "updated_at"]
        read_only_fields = fields

    def get_consequence(self, clock) -> str:
        return lapse_consequence(clock)

    def get_subject_label(self, clock) -> str:
        return clock_subject_label(clock)

    def get_explanation(self, clock) -> str:
        return clock_explanation(clock)

    def get_seller_loss(self, clock) -> str | None:
        """What ``order=loss`` ranks by: the amount in ``seller_loss_currency`` (the desk
        currency), if its lapse costs the seller and the desk has its exchange rate."""
        loss = getattr(clock, "loss_key", None)
        return None if loss is None or loss < 0 else f"{loss:.2f}"

    def get_seller_loss_currency(self, clock) -> str | None:
        return settings.DESK_CURRENCY if self.get_seller_loss(clock) is not None else None

    def get_policy_version(self, clock) -> int | None:
        if clock.policy_id:
            return clock.policy.version
        return (clock.basis or {}).get("policy_version")


class AlertSerializer(serializers.ModelSerializer):
    """An alert as one user's inbox holds it: ``id`` is the alert's id (as in the
    webhook payload), ``read`` and ``acknowledged`` are this user's."""

    id = serializers.IntegerField(source="alert_id", read_only=True)
    clock = serializers.IntegerField(source="alert.clock_id", read_only=True)
    clock_kind = serializers.CharField(source="alert.clock.kind", read_only=True)
    level = serializers.CharField(source="alert.level", read_only=True)
    store = serializers.CharField(source="alert.store.code", read_only=True)
    text = serializers.SerializerMethodField(help_text="The alert in one line, in the request's language.")
    raised_at = serializers.DateTimeField(source="alert.raised_at", read_only=True)
    ticket = serializers.IntegerField(source="ticket_ref", read_only=True, default=None, allow_null=True)
    read = serializers.SerializerMethodField()
    acknowledged = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True, help_text="The alert's or this user's latest change.")

    class Meta:
        model = AlertReceipt
        fields = ["id", "clock", "clock_kind", "level", "store", "text", "raised_at", "ticket", "read", "read_at",
                  "acknowledged", "acknowledged_at", "updated_at"]
        read_only_fields = fields

    def get_text(self, receipt) -> str:
        return alert_text(receipt.alert)

    def get_read(self, receipt) -> bool:
        return receipt.read_at is not None

    def get_acknowledged(self, receipt) -> bool:
        return receipt.acknowledged_at is not None


class StoreAlertSerializer(serializers.ModelSerializer):
    """An alert of the caller's stores, for an API key: an integration pulls every
    alert of its stores rather than a person's inbox, so there is no read state."""

    clock_kind = serializers.CharField(source="clock.kind", read_only=True)
    store = serializers.CharField(source="store.code", read_only=True)
    text = serializers.SerializerMethodField(help_text="The alert in one line, in the request's language.")
    ticket = serializers.IntegerField(source="ticket_ref", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Alert
        fields = ["id", "clock", "clock_kind", "level", "store", "text", "raised_at", "ticket", "updated_at"]
        read_only_fields = fields

    def get_text(self, alert) -> str:
        return alert_text(alert)


# Resources the ERP syncs ---------------------------------------------------------------------------
class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "code", "name", "marketplace", "timezone", "default_language", "work_start", "work_end",
                  "working_days", "holiday_country", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class StoreCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /stores/``. Only parsed here: ``store_create`` validates the values
    (blank, IANA zone, marketplace, unique code) and answers every field at once,
    so blanks pass through to it rather than being refused on their own first."""

    code = serializers.CharField(max_length=40, allow_blank=True)
    name = serializers.CharField(max_length=120, allow_blank=True)
    marketplace = serializers.CharField(max_length=20, allow_blank=True)
    timezone = serializers.CharField(max_length=64, allow_blank=True)
    # The working calendar first-response clocks count in; the model's defaults when left out.
    default_language = serializers.CharField(max_length=20, required=False)
    work_start = serializers.TimeField(required=False, help_text="Default 09:00, in the store's zone.")
    work_end = serializers.TimeField(required=False, help_text="Default 22:00.")
    working_days = serializers.CharField(max_length=7, required=False,
                                         help_text="ISO weekday digits, 1 = Monday; default 12345.")
    holiday_country = serializers.CharField(max_length=2, required=False, allow_blank=True,
                                            help_text="ISO code whose public holidays are days off, e.g. CN.")


class BuyerSerializer(serializers.ModelSerializer):
    # A plain string: an unknown address is "", which is not an email to a schema.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Buyer
        fields = ["id", "platform_buyer_id", "name", "country", "language", "email"]
        read_only_fields = fields


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "sku", "title", "quantity", "unit_price"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    buyer = BuyerSerializer(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "store", "order_number", "status", "buyer", "items", "currency", "total", "refunded_amount",
                  "carrier", "tracking_number", "placed_at", "paid_at", "shipped_at", "delivered_at",
                  "completed_at", "platform_updated_at", "created_at", "updated_at"]
        read_only_fields = fields


class DisputeClockSerializer(serializers.ModelSerializer):
    """A clock as a dispute lists it: what runs, until when, and how it ended."""

    class Meta:
        model = Clock
        fields = ["id", "kind", "state", "started_at", "due_at", "warn_at", "escalate_at", "met_at", "breached_at",
                  "cancelled_at", "updated_at"]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    """An offer in a dispute: ``version`` counts the party's offers, ``external_id`` is
    the platform's id (empty for an offer made on the desk)."""

    class Meta:
        model = DisputeProposal
        fields = ["id", "external_id", "party", "solution", "amount", "version", "status", "proposed_at",
                  "updated_at"]
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    """An offer listed on its own: with the dispute it was made in."""

    store = serializers.CharField(source="dispute.store.code", read_only=True)
    dispute = serializers.IntegerField(source="dispute_id", read_only=True)
    dispute_external_id = serializers.CharField(source="dispute.external_id", read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = ["id", "store", "dispute", "dispute_external_id", *ProposalSerializer.Meta.fields[1:]]
        read_only_fields = fields


class ProposalDecisionSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /proposals/{id}/decide/``: the seller's answer to the buyer's or the platform's offer."""

    decision = serializers.ChoiceField(choices=[ProposalStatus.ACCEPTED.value, ProposalStatus.REJECTED.value])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DisputeSerializer(serializers.ModelSerializer):
    """A dispute with its outcome and money: ``refunded_amount`` is what was refunded
    against this dispute, ``order_refunded_amount`` all that was refunded on its order.
    ``proposals`` are the offers traded in it, oldest first."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_number = serializers.CharField(source="order.order_number", read_only=True)
    refunded_amount = serializers.DecimalField(source="refunded_on_dispute", max_digits=12, decimal_places=2,
                                               read_only=True)
    order_refunded_amount = serializers.DecimalField(source="order.refunded_amount", max_digits=12,
                                                     decimal_places=2, read_only=True)
    clocks = DisputeClockSerializer(many=True, read_only=True)
    proposals = ProposalSerializer(many=True, read_only=True)
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices, allow_blank=True, read_only=True,
                                      help_text="Empty until the dispute is resolved.")

    class Meta:
        model = Dispute
        fields = ["id", "store", "external_id", "order", "order_number", "ticket", "family", "reason",
                  "requested_solution", "currency", "requested_amount", "status", "outcome", "outcome_note",
                  "opened_at", "seller_responded_at", "platform_review_at", "resolved_at", "refunded_amount",
                  "order_refunded_amount", "clocks", "proposals", "platform_updated_at", "created_at",
                  "updated_at"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_number = serializers.CharField(source="order.order_number", read_only=True)

    class Meta:
        model = Return
        fields = ["id", "store", "external_id", "order", "order_number", "dispute", "status", "agreed_at",
                  "carrier", "tracking_number", "tracking_submitted_at", "received_at", "refunded_at",
                  "closed_at", "platform_updated_at", "created_at", "updated_at"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_number = serializers.CharField(source="order.order_number", read_only=True)

    class Meta:
        model = Refund
        fields = ["id", "store", "order", "order_number", "dispute", "return_request", "amount", "currency",
                  "reason", "source", "external_id", "note", "refunded_at", "withdrawn_at", "created_at",
                  "updated_at"]
        read_only_fields = fields


class ServiceFiguresQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90, default=7)


class ServiceFiguresRowSerializer(serializers.Serializer):
    """One store and owner: service clocks met and lapsed in the window."""

    store = serializers.CharField(help_text="The store's code.")
    owner = serializers.CharField(help_text="Who held the ticket (empty when nobody did).", allow_blank=True)
    met = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    lapse_rate = serializers.FloatField(help_text="lapsed / (met + lapsed), 0 to 1.")


class ServiceFiguresSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/service-figures/``."""

    since = serializers.DateTimeField(help_text="Start of the window (now minus ``days``).")
    rows = ServiceFiguresRowSerializer(many=True)
