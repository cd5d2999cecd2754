"""Webhook subscriptions and their deliveries, for the ERP: ``/api/v1/webhooks/`` and
``/api/v1/webhook-deliveries/``.

Scoped like every other endpoint: a key sees and manages the subscriptions of its
stores only (another store's subscription is a 404, another store's code a 400 on
``store``). The signing secret is returned once, in the answer to the create, and
never again.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tickets.models import Store, WebhookAttempt, WebhookDelivery, WebhookSubscription
from tickets.models.webhooks import WebhookEventName
from tickets.services.webhooks import (
    webhook_delivery_retry,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)

from .filters import WebhookDeliveryApiFilter, WebhookSubscriptionApiFilter
from .pagination import KeysetPagination
from .strict import StrictFieldsMixin

EVENTS_HELP = _("The events to receive, at least one.")


class CanManageWebhooks(permissions.IsAuthenticated):
    """Anyone of the store may read; an API key or a supervisor may change, since a
    subscription sends the store's data to a URL of its choosing."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        user = request.user
        return (request.method in permissions.SAFE_METHODS or getattr(user, "is_api_key", False)
                or user.is_supervisor or user.sees_all_stores)


class StoreCodeField(serializers.SlugRelatedField):
    """A store code among the caller's stores; any other code is "does not exist"."""

    def get_queryset(self):
        return Store.objects.visible_to(self.context["request"].user)


class WebhookSubscriptionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    store = StoreCodeField(slug_field="code")
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventName.choices),
                                   allow_empty=False, help_text=EVENTS_HELP)
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=128,
                                   help_text=_("Signing secret; generated when left out. Write-only."))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "store", "url", "events", "is_active", "description", "secret", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class WebhookSubscriptionUpdateSerializer(WebhookSubscriptionSerializer):
    """A subscription stays with its store."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The answer that carries the secret, the only time it is shown."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    signing_secret = serializers.CharField(source="secret", read_only=True)

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "signing_secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "finished_at", "ok", "status_code", "error", "response_excerpt"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.IntegerField(source="event.pk", read_only=True)
    event = serializers.CharField(source="event.name", read_only=True)
    object_type = serializers.CharField(source="event.object_type", read_only=True)
    object_id = serializers.IntegerField(source="event.object_id", read_only=True)
    occurred_at = serializers.DateTimeField(source="event.occurred_at", read_only=True)
    actor = serializers.CharField(source="event.actor_label", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event_id", "event", "object_type", "object_id", "occurred_at", "actor",
                  "status", "attempts", "next_attempt_at", "last_status_code", "last_error", "sent_at", "created_at",
                  "attempt_log"]
        read_only_fields = fields


@extend_schema_view(
    create=extend_schema(request=WebhookSubscriptionSerializer, responses={201: WebhookSubscriptionCreatedSerializer}),
    update=extend_schema(request=WebhookSubscriptionUpdateSerializer, responses=WebhookSubscriptionSerializer),
    partial_update=extend_schema(request=WebhookSubscriptionUpdateSerializer,
                                 responses=WebhookSubscriptionSerializer),
)
class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """Subscriptions of the caller's stores. ``signing_secret`` appears once, in the
    answer to a create. An update may set a new ``secret`` (the caller then knows
    it); a blank one keeps the current secret."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [CanManageWebhooks]
    filterset_class = WebhookSubscriptionApiFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        return WebhookSubscription.objects.visible_to(self.request.user).select_related("store").order_by("pk")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return WebhookSubscriptionUpdateSerializer
        return WebhookSubscriptionSerializer

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription = webhook_subscription_create(actor=request.user, **form.validated_data)
        return Response(WebhookSubscriptionCreatedSerializer(subscription, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        subscription = self.get_object()
        form = self.get_serializer(subscription, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        webhook_subscription_update(subscription=subscription, actor=request.user, **form.validated_data)
        return Response(WebhookSubscriptionSerializer(subscription, context=self.get_serializer_context()).data)

    def perform_destroy(self, instance):
        webhook_subscription_delete(subscription=instance, actor=self.request.user)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deliveries to the caller's subscriptions by last change, each with every attempt
    (``?subscription=ID``, ``?status=failed``). ``POST .../retry/`` makes a failed or
    given-up delivery due now."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [CanManageWebhooks]
    filterset_class = WebhookDeliveryApiFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        return (WebhookDelivery.objects.visible_to(self.request.user).select_related("event")
                .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
                .order_by("-created_at", "-pk"))

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = self.get_object()
        webhook_delivery_retry(delivery=delivery)
        return Response(self.get_serializer(self.get_queryset().get(pk=delivery.pk)).data)
