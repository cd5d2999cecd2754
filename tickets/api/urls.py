from django.urls import path
from rest_framework.routers import DefaultRouter

from .sync import SyncDisputesView, SyncMessagesView, SyncOrdersView, SyncProposalsView, SyncReturnsView
from .views import (
    AlertViewSet,
    ClockViewSet,
    DisputeViewSet,
    OrderViewSet,
    ProposalViewSet,
    RefundViewSet,
    ReturnViewSet,
    ServiceFiguresView,
    StoreViewSet,
    TicketViewSet,
)
from .webhooks import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

router = DefaultRouter()
router.register("webhooks", WebhookSubscriptionViewSet, basename="api-webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("clocks", ClockViewSet, basename="api-clock")
router.register("alerts", AlertViewSet, basename="api-alert")
router.register("stores", StoreViewSet, basename="api-store")
router.register("orders", OrderViewSet, basename="api-order")
router.register("disputes", DisputeViewSet, basename="api-dispute")
router.register("proposals", ProposalViewSet, basename="api-proposal")
router.register("returns", ReturnViewSet, basename="api-return")
router.register("refunds", RefundViewSet, basename="api-refund")

urlpatterns = [
    path("service-figures/", ServiceFiguresView.as_view(), name="api-service-figures"),
    path("sync/orders/", SyncOrdersView.as_view(), name="api-sync-orders"),
    path("sync/disputes/", SyncDisputesView.as_view(), name="api-sync-disputes"),
    path("sync/returns/", SyncReturnsView.as_view(), name="api-sync-returns"),
    path("sync/messages/", SyncMessagesView.as_view(), name="api-sync-messages"),
    path("sync/proposals/", SyncProposalsView.as_view(), name="api-sync-proposals"),
    *router.urls,
]
