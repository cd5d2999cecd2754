"""API views: scoped reads and workflow actions that call the same services as the UI."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.filters import CLOCK_ORDERINGS, AlertReceiptFilter, ClockFilter
from tickets.models import Message, Ticket
from tickets.selectors import alert_inbox, clock_queue, service_figures, ticket_for_user
from tickets.services.alerts import alert_acknowledge, alert_mark_read
from tickets.services.tickets import ticket_set_status

from .serializers import (
    AlertSerializer,
    ClockSerializer,
    ServiceFiguresQuerySerializer,
    ServiceFiguresSerializer,
    StatusChangeSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets of the caller's stores. ``POST /tickets/{id}/status/`` changes status."""

    serializer_class = TicketSerializer

    def get_queryset(self):
        queryset = Ticket.objects.visible_to(self.request.user).select_related("store", "order", "assignee")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("messages", queryset=Message.objects.select_related("author"))
            )
        return queryset.order_by("-updated_at", "-pk")

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


class ClockCursorPagination(CursorPagination):
    """Keyset pagination over the queue's order (``?order=loss`` or due time): a
    page costs the same however deep it is, and a clock started meanwhile can
    neither be skipped nor shown twice."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view):
        return CLOCK_ORDERINGS.get(request.query_params.get("order"), CLOCK_ORDERINGS["due"])


class ListFiltersOnly:
    """Apply the FilterSet to lists only: a clock or alert fetched by id is found
    whatever its state, and the queue's "running only" default does not hide it."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class ClockViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet):
    """Clocks of the caller's stores: running ones by due time unless filtered
    (``kind``, ``store`` code, ``state``, empty ``state`` for all), ``order=loss``
    to rank by the money at stake."""

    serializer_class = ClockSerializer
    filterset_class = ClockFilter
    pagination_class = ClockCursorPagination

    def get_queryset(self):
        return clock_queue(self.request.user)


class AlertViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet):
    """The caller's alerts, unread first (``unread=1`` for unread only). An alert
    is named by its id; ``POST .../acknowledge/`` and ``.../read/`` act on the
    caller's receipt of it."""

    serializer_class = AlertSerializer
    filterset_class = AlertReceiptFilter
    lookup_field = "alert_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return alert_inbox(self.request.user)

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


class ServiceFiguresView(APIView):
    """``GET /api/v1/service-figures/?days=7``: service-clock lapses and met clocks per
    store and owner over the last ``days`` (1 to 90), for the caller's stores."""

    @extend_schema(parameters=[ServiceFiguresQuerySerializer], responses=ServiceFiguresSerializer)
    def get(self, request):
        form = ServiceFiguresQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        since = timezone.now() - timedelta(days=form.validated_data["days"])
        return Response({"since": since.isoformat(), "rows": service_figures(request.user, since=since)})
