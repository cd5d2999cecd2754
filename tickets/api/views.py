"""API views: scoped reads and workflow actions that call the same services as the UI."""

from django.db.models import Prefetch
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tickets.models import Message, Ticket
from tickets.selectors import ticket_for_user
from tickets.services.tickets import ticket_set_status

from .serializers import StatusChangeSerializer, TicketDetailSerializer, TicketSerializer


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

    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        ticket = ticket_for_user(request.user, pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ticket_set_status(ticket=ticket, status=form.validated_data["status"], actor=request.user,
                          reason=form.validated_data["reason"])
        return Response(TicketSerializer(ticket).data)
