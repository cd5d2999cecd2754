"""Sync in: ``POST /api/v1/sync/{orders,disputes,returns,messages,proposals}/``.

The views only check the envelope (a JSON list of at most 1,000 items); every
item is parsed, validated and applied by the sync services, which answer per item.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.services.sync import disputes, messages, orders, proposals, returns
from tickets.services.sync.batch import MAX_ITEMS, STATUSES

from .errors import PayloadTooLarge
from .parsers import JSONParser
from .schema import SYNC_TAG


class SyncResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request, from 0.")
    store = serializers.CharField(required=False, help_text="The item's store code, as sent.")
    order_number = serializers.CharField(required=False, help_text="Orders: the item's order number, as sent.")
    dispute_id = serializers.CharField(required=False, help_text="Disputes: the item's dispute id, as sent.")
    return_id = serializers.CharField(required=False, help_text="Returns: the item's return id, as sent.")
    message_id = serializers.CharField(required=False, help_text="Messages: the item's message id, as sent.")
    proposal_id = serializers.CharField(required=False, help_text="Proposals: the item's proposal id, as sent.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=(
        "created, updated, unchanged, stale (older than what is stored: not applied) or error."))
    id = serializers.IntegerField(required=False, allow_null=True, help_text="The desk's id of the object.")
    errors = serializers.DictField(required=False, help_text="Messages by field, when status is error.")


class SyncSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    stale = serializers.IntegerField()
    error = serializers.IntegerField()


class SyncReportSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)
    summary = SyncSummarySerializer()


class SyncView(APIView):
    """Bulk upsert of up to 1,000 items, each identified by ``store`` and its
    marketplace id. Each item succeeds or fails on its own."""

    sync = None  # the service: (raw_items, actor=...) -> report
    shape = None
    parser_classes = [JSONParser]

    def post(self, request):
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": [_("Send a JSON list of items.")]})
        if len(items) > MAX_ITEMS:
            raise PayloadTooLarge(_("At most %(max)d items per request; this one has %(n)d.") % {
                "max": MAX_ITEMS, "n": len(items)})
        return Response(type(self).sync(items, actor=request.user))


def _sync_view(name: str, service, shape, what: str):
    doc = extend_schema(
        operation_id=f"sync_{name}", tags=[SYNC_TAG],
        summary=f"Create or update up to {MAX_ITEMS} {what}",
        request=shape.as_serializer()(many=True),
        responses={200: SyncReportSerializer, 400: OpenApiResponse(description="Not a list of items."),
                   413: OpenApiResponse(description=f"More than {MAX_ITEMS} items.")},
    )
    # A function of its own per view: the schema annotation is stored on the function.
    def post(self, request):
        return SyncView.post(self, request)

    return type(f"Sync{name.title()}View", (SyncView,), {
        "sync": staticmethod(service), "shape": shape, "post": doc(post), "__doc__": SyncView.__doc__})


SyncOrdersView = _sync_view("orders", orders.orders_sync, orders.ORDER, "orders")
SyncDisputesView = _sync_view("disputes", disputes.disputes_sync, disputes.DISPUTE, "disputes")
SyncReturnsView = _sync_view("returns", returns.returns_sync, returns.RETURN, "returns")
SyncMessagesView = _sync_view("messages", messages.messages_sync, messages.MESSAGE, "buyer messages")
SyncProposalsView = _sync_view("proposals", proposals.proposals_sync, proposals.PROPOSAL, "dispute proposals")
