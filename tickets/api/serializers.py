"""API serializers. They parse and shape data; services decide."""

from rest_framework import serializers

from tickets.choices import TicketStatus
from tickets.models import Message, Ticket


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", default=None, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "language", "external_id", "is_automatic", "sent_at"]


class TicketSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_number = serializers.CharField(source="order.order_number", default=None, read_only=True)
    assignee = serializers.CharField(source="assignee.get_username", default=None, read_only=True)

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


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
