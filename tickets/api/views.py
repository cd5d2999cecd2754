"""API views: scoped reads and workflow actions that call the same services as the UI."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.status import HTTP_201_CREATED
from rest_framework.views import APIView

from tickets.models import DisputeProposal
from tickets.selectors import (
    alert_inbox_changes,
    clock_queue,
    dispute_list,
    order_list,
    refund_list,
    return_list,
    service_figures,
    store_alerts,
    stores_for_user,
    ticket_for_user,
    ticket_list,
)
from tickets.services.alerts import alert_acknowledge, alert_mark_read
from tickets.services.disputes import proposal_decide
from tickets.services.messages import message_note, message_reply
from tickets.services.returns import return_receive
from tickets.services.stores import store_create
from tickets.services.tickets import ticket_escalate, ticket_set_status

from .filters import (
    ALERT_ORDERINGS,
    API_CLOCK_ORDERINGS,
    AlertApiFilter,
    ClockApiFilter,
    DisputeApiFilter,
    OrderApiFilter,
    ProposalApiFilter,
    RefundApiFilter,
    ReturnApiFilter,
    StoreAlertFilter,
    StoreApiFilter,
    TicketApiFilter,
)
from .pagination import SYNC_ORDERING, KeysetPagination
from .serializers import (
    AlertSerializer,
    ClockSerializer,
    DisputeSerializer,
    EscalateSerializer,
    MessageSerializer,
    NoteSerializer,
    OrderSerializer,
    ProposalDecisionSerializer,
    ProposalDetailSerializer,
    RefundSerializer,
    ReplySerializer,
    ReturnSerializer,
    ServiceFiguresQuerySerializer,
    ServiceFiguresSerializer,
    StatusChangeSerializer,
    StoreAlertSerializer,
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
    ``POST /tickets/{id}/status/`` changes status, ``reply/`` answers the buyer,
    ``note/`` leaves an internal note and ``escalate/`` hands it to a senior agent."""

    serializer_class = TicketSerializer
    filterset_class = TicketApiFilter

    def get_queryset(self):
        return ticket_list(self.request.user, with_messages=self.action == "retrieve")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        if self.action == "status":
            return StatusChangeSerializer
        return {"reply": ReplySerializer, "note": NoteSerializer, "escalate": EscalateSerializer}.get(
            self.action, TicketSerializer)

    @extend_schema(request=StatusChangeSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        ticket = ticket_for_user(request.user, pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ticket_set_status(ticket=ticket, status=form.validated_data["status"], actor=request.user,
                          reason=form.validated_data["reason"])
        ticket.refresh_from_db()  # the services wrote updated_at in the database
        return Response(TicketSerializer(ticket).data)

    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Send a reply to the buyer. Unfilled placeholders and compliance rules answer 400 on ``body``."""
        ticket = ticket_for_user(request.user, pk)
        form = ReplySerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        template_body = form.validated_data.get("template_body")
        message = message_reply(ticket=ticket, author=_author(request), actor=request.user,
                                body=form.validated_data["body"],
                                language=template_body.language if template_body else "", template_body=template_body)
        return Response(MessageSerializer(message).data, status=HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """Leave an internal note: the buyer never sees it and it meets no clock."""
        ticket = ticket_for_user(request.user, pk)
        form = NoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        message = message_note(ticket=ticket, author=_author(request), actor=request.user,
                               body=form.validated_data["body"])
        return Response(MessageSerializer(message).data, status=HTTP_201_CREATED)

    @extend_schema(request=EscalateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Hand the ticket to a senior agent, supervisor or admin of its store (``to``: a
        username). This meets its running sensitive-message escalation clock."""
        ticket = ticket_for_user(request.user, pk)
        form = EscalateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ticket_escalate(ticket=ticket, to=form.validated_data["to"], actor=request.user,
                        reason=form.validated_data["reason"])
        ticket.refresh_from_db()  # the services wrote updated_at in the database
        return Response(TicketSerializer(ticket).data)


def _author(request):
    # An API key is nobody's account: what it writes has no author.
    return request.user if isinstance(request.user, get_user_model()) else None


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


def _alert_shapes(many: bool):
    return PolymorphicProxySerializer(component_name="AlertListing", resource_type_field_name=None, many=many,
                                      serializers=[AlertSerializer, StoreAlertSerializer])


@extend_schema_view(
    list=extend_schema(responses=_alert_shapes(many=True), description=(
        "A person's inbox (AlertSerializer), or for an API key every alert of its stores (StoreAlert).")),
    retrieve=extend_schema(responses=_alert_shapes(many=False)),
)
class AlertViewSet(SyncViewSet):
    """The caller's alerts, unread first (``unread=1`` for unread only,
    ``order=updated`` by last change). An alert is named by its id;
    ``POST .../acknowledge/`` and ``.../read/`` act on the caller's receipt of it.
    An API key lists every alert of its stores (no read state), by last change."""

    serializer_class = AlertSerializer
    lookup_url_kwarg = "pk"

    def _is_key(self) -> bool:
        request = getattr(self, "request", None)
        return getattr(getattr(request, "user", None), "is_api_key", False)

    def _own_receipt(self):
        if self._is_key():
            raise PermissionDenied(_("An API key has no inbox: reading and acknowledging are a person's."))
        return self.get_object()

    # An API key is an integration: it pulls every alert of its stores, named by the
    # alert's id as in the webhooks, instead of one person's inbox.
    @property
    def lookup_field(self):
        return "pk" if self._is_key() else "alert_id"

    @property
    def filterset_class(self):
        return StoreAlertFilter if self._is_key() else AlertApiFilter

    @property
    def keyset_orderings(self):
        return {"updated": SYNC_ORDERING} if self._is_key() else ALERT_ORDERINGS

    @property
    def keyset_default(self):
        return "updated" if self._is_key() else "inbox"

    def get_serializer_class(self):
        return StoreAlertSerializer if self._is_key() else AlertSerializer

    def get_queryset(self):
        if self._is_key():
            return store_alerts(self.request.user)
        return alert_inbox_changes(self.request.user)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        receipt = self._own_receipt()
        alert_acknowledge(receipt=receipt, user=request.user)
        return Response(self.get_serializer(receipt).data)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        receipt = self._own_receipt()
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
    """Disputes with their outcome, refunded amounts, clocks (state and due times) and offers."""

    serializer_class = DisputeSerializer
    filterset_class = DisputeApiFilter

    def get_queryset(self):
        # One more query per page, whatever its size, for the offers of all its disputes.
        return dispute_list(self.request.user).prefetch_related(
            Prefetch("proposals", queryset=DisputeProposal.objects.order_by("proposed_at", "pk")))


class ProposalViewSet(SyncViewSet):
    """Offers in the caller's stores' disputes (``dispute`` filters one dispute's), named
    by the id the dispute lists. ``POST /proposals/{id}/decide/`` accepts or rejects one;
    another store's is a 404."""

    serializer_class = ProposalDetailSerializer
    filterset_class = ProposalApiFilter

    def get_queryset(self):
        return DisputeProposal.objects.visible_to(self.request.user).select_related("dispute__store")

    def get_serializer_class(self):
        return ProposalDecisionSerializer if self.action == "decide" else ProposalDetailSerializer

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Accept or reject the buyer's or the platform's pending offer (the seller's
        own is for them to decide). Deciding the buyer's refund request meets its
        refund-decision clock; accepting it also answers the dispute."""
        proposal = self.get_object()
        form = ProposalDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        proposal_decide(proposal=proposal, decision=form.validated_data["decision"], actor=request.user,
                        reason=form.validated_data["reason"])
        return Response(ProposalDetailSerializer(proposal).data)


class ReturnViewSet(SyncViewSet):
    """Returns with their state and its timestamps; ``POST /returns/{id}/received/``
    confirms the goods arrived."""

    serializer_class = ReturnSerializer
    filterset_class = ReturnApiFilter

    def get_queryset(self):
        return return_list(self.request.user)

    @extend_schema(request=None, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def received(self, request, pk=None):
        """The seller confirms receipt of the returned goods: this meets the receipt-confirmation
        clock. A return not shipped back yet, or already decided, is a 400 on ``status``."""
        ret = self.get_object()
        return_receive(ret=ret, actor=request.user)
        return Response(ReturnSerializer(return_list(request.user).get(pk=ret.pk)).data)


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
