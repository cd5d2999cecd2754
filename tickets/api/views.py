"""API views: scoped reads and workflow actions that call the same services as the UI."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.selectors import (
    alert_inbox_changes,
    clock_queue,
    dispute_list,
    order_list,
    refund_list,
    return_list,
    service_figures,
    stores_for_user,
    ticket_for_user,
    ticket_list,
)
from tickets.services.alerts import alert_acknowledge, alert_mark_read
from tickets.services.stores import store_create
from tickets.services.tickets import ticket_set_status

from .filters import (
    ALERT_ORDERINGS,
    API_CLOCK_ORDERINGS,
    AlertApiFilter,
    ClockApiFilter,
    DisputeApiFilter,
    OrderApiFilter,
    RefundApiFilter,
    ReturnApiFilter,
    StoreApiFilter,
    TicketApiFilter,
)
from .pagination import KeysetPagination
from .serializers import (
    AlertSerializer,
    ClockSerializer,
    DisputeSerializer,
    OrderSerializer,
    RefundSerializer,
    ReturnSerializer,
    ServiceFiguresQuerySerializer,
    ServiceFiguresSerializer,
    StatusChangeSerializer,
    StoreCreateSerializer,
    StoreSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)


class ListFiltersOnly:
    """Apply the FilterSet to lists only: an object fetched by id is found whatever
    its state or age, and neither the queue's "running only" default nor a leftover
    ``updated_after`` hides it."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class SyncViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet):
    """A resource the ERP pulls: listed by ``(updated_at, id)`` behind a keyset
    cursor, ``updated_after`` on every list, read by id; another store's row is a 404."""

    pagination_class = KeysetPagination


class TicketViewSet(SyncViewSet):
    """Tickets of the caller's stores, with their thread when read by id.
    ``POST /tickets/{id}/status/`` changes status."""

    serializer_class = TicketSerializer
    filterset_class = TicketApiFilter

    def get_queryset(self):
        return ticket_list(self.request.user, with_messages=self.action == "retrieve")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        if self.action == "status":
            return StatusChangeSerializer
        return TicketSerializer

    @extend_schema(request=StatusChangeSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        ticket = ticket_for_user(request.user, pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ticket_set_status(ticket=ticket, status=form.validated_data["status"], actor=request.user,
                          reason=form.validated_data["reason"])
        return Response(TicketSerializer(ticket).data)


class ClockViewSet(SyncViewSet):
    """Clocks of the caller's stores: running ones by due time unless filtered
    (``kind``, ``store`` code, ``state``, empty ``state`` for all), ``order=loss``
    to rank by the money at stake, ``order=updated`` (or ``updated_after``) to sync
    every state change."""

    serializer_class = ClockSerializer
    filterset_class = ClockApiFilter
    keyset_orderings = API_CLOCK_ORDERINGS
    keyset_default = "due"

    def get_queryset(self):
        return clock_queue(self.request.user)


class AlertViewSet(SyncViewSet):
    """The caller's alerts, unread first (``unread=1`` for unread only,
    ``order=updated`` by last change). An alert is named by its id;
    ``POST .../acknowledge/`` and ``.../read/`` act on the caller's receipt of it.
    An API key has no inbox: its list is empty."""

    serializer_class = AlertSerializer
    filterset_class = AlertApiFilter
    keyset_orderings = ALERT_ORDERINGS
    keyset_default = "inbox"
    lookup_field = "alert_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return alert_inbox_changes(self.request.user)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        receipt = self.get_object()
        alert_acknowledge(receipt=receipt, user=request.user)
        return Response(self.get_serializer(receipt).data)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        receipt = self.get_object()
        alert_mark_read(receipt=receipt, user=request.user)
        return Response(self.get_serializer(receipt).data)


class CanManageStores(permissions.BasePermission):
    message = _("Only an admin API key or a superuser can create stores.")

    def has_permission(self, request, view):
        user = request.user
        return bool(getattr(user, "is_admin_key", False) or getattr(user, "is_superuser", False))


class StoreViewSet(mixins.CreateModelMixin, SyncViewSet):
    """The caller's stores. An admin key (or a superuser) creates one with
    ``POST /stores/`` and is given access to it."""

    serializer_class = StoreSerializer
    filterset_class = StoreApiFilter

    def get_queryset(self):
        return stores_for_user(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), CanManageStores()]
        return super().get_permissions()

    @extend_schema(request=StoreCreateSerializer, responses={201: StoreSerializer})
    def create(self, request, *args, **kwargs):
        form = StoreCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        store = store_create(**form.validated_data, actor=request.user)
        return Response(StoreSerializer(store).data, status=201)


class OrderViewSet(SyncViewSet):
    """Orders of the caller's stores, with their buyer and line items."""

    serializer_class = OrderSerializer
    filterset_class = OrderApiFilter

    def get_queryset(self):
        return order_list(self.request.user)


class DisputeViewSet(SyncViewSet):
    """Disputes with their outcome, refunded amounts and clocks (state and due times)."""

    serializer_class = DisputeSerializer
    filterset_class = DisputeApiFilter

    def get_queryset(self):
        return dispute_list(self.request.user)


class ReturnViewSet(SyncViewSet):
    """Returns with their state and its timestamps."""

    serializer_class = ReturnSerializer
    filterset_class = ReturnApiFilter

    def get_queryset(self):
        return return_list(self.request.user)


class RefundViewSet(SyncViewSet):
    """Refunds with amount, currency, reason and source, for the ERP to book."""

    serializer_class = RefundSerializer
    filterset_class = RefundApiFilter

    def get_queryset(self):
        return refund_list(self.request.user)


class ServiceFiguresView(APIView):
    """``GET /api/v1/service-figures/?days=7``: service-clock lapses and met clocks per
    store and owner over the last ``days`` (1 to 90), for the caller's stores."""

    @extend_schema(parameters=[ServiceFiguresQuerySerializer], responses=ServiceFiguresSerializer)
    def get(self, request):
        form = ServiceFiguresQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        since = timezone.now() - timedelta(days=form.validated_data["days"])
        return Response({"since": since.isoformat(), "rows": service_figures(request.user, since=since)})
