"""The template API under /api/v1/templates/: the same services as the desk and the admin.

Callers see the shared library plus their stores' templates; a template or ticket of
another store is a 404. Only those who see every store edit the shared library.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from tickets.api.pagination import KeysetPagination
from tickets.api.views import ListFiltersOnly
from tickets.selectors import stores_for_user, ticket_for_user

from ..effectiveness import template_effectiveness
from ..io import (
    ImportFailed,
    export_csv,
    export_json,
    export_queryset,
    parse_csv,
    parse_json,
    templates_import,
    validate_rows,
)
from ..models import ReplyTemplate, TemplateBody, TemplateUse
from ..rendering import template_render
from ..services import template_create, template_update
from ..suggestions import template_suggestions
from .filters import TEMPLATE_ORDERINGS, TemplateApiFilter
from .serializers import (
    EffectivenessSerializer,
    RenderInputSerializer,
    RenderResultSerializer,
    ReplyTemplateDetailSerializer,
    ReplyTemplateSerializer,
    SuggestionQuerySerializer,
    SuggestionSerializer,
    TemplateBodySerializer,
    TemplateWriteSerializer,
)

SHARED_LIBRARY_ADMINS_ONLY = gettext_lazy("Only administrators edit the shared library.")
NOT_YOUR_STORE = gettext_lazy("Unknown store.")
TEMPLATE_OF_ANOTHER_STORE = gettext_lazy("This template belongs to another store than the ticket.")


def _writable_store(user, store_id):
    """The store a new template goes to (None: the shared library), if the user may write there."""
    if isinstance(store_id, str) and store_id.isdigit():
        store_id = int(store_id)
    elif store_id == "":
        store_id = None
    if store_id is not None and (isinstance(store_id, bool) or not isinstance(store_id, int)):
        raise ValidationError({"store": [_("Give a store id, or nothing for the shared library.")]})
    if store_id is None:
        if not user.sees_all_stores:
            raise ValidationError({"store": [str(SHARED_LIBRARY_ADMINS_ONLY)]})
        return None
    store = stores_for_user(user).filter(pk=store_id).first()
    if store is None:
        raise ValidationError({"store": [str(NOT_YOUR_STORE)]})
    return store


class ReplyTemplateViewSet(ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Reply templates: list (``q``, ``scenario``, ``tag``, ``language``, ``updated_after``; by code,
    or ``order=updated`` by last change), read with the current texts, create, update (each changed
    text becomes a new version), render for a ticket, suggestions."""

    filterset_class = TemplateApiFilter
    pagination_class = KeysetPagination
    keyset_orderings = TEMPLATE_ORDERINGS
    keyset_default = "code"

    def get_queryset(self):
        # The list's order is the pagination's (``keyset_orderings``).
        return ReplyTemplate.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("bodies", queryset=TemplateBody.objects.filter(is_current=True), to_attr="current_bodies"))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return TemplateWriteSerializer
        if self.action == "retrieve":
            return ReplyTemplateDetailSerializer
        return ReplyTemplateSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        return Response(ReplyTemplateDetailSerializer(self.get_queryset().get(pk=pk)).data, status=status_code)

    @extend_schema(request=TemplateWriteSerializer, responses={201: ReplyTemplateDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = TemplateWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        store = _writable_store(request.user, data.get("store"))
        template = template_create(store=store, code=data["code"], title=data["title"], scenario=data["scenario"],
                                   marketplaces=data["marketplaces"], tags=data["tags"], is_active=data["is_active"],
                                   bodies=data.get("bodies") or {}, actor=request.user)
        return self._detail(template.pk, status.HTTP_201_CREATED)

    @extend_schema(request=TemplateWriteSerializer, responses=ReplyTemplateDetailSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        template = self.get_object()
        if template.store_id is None and not request.user.sees_all_stores:
            raise PermissionDenied(str(SHARED_LIBRARY_ADMINS_ONLY))
        form = TemplateWriteSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        data.pop("store", None)  # a template does not move between stores
        if data.pop("code", template.code) != template.code:
            raise ValidationError({"code": [_("The code of a template cannot change.")]})
        bodies = data.pop("bodies", None)
        if partial:
            # Defaults of absent fields must not overwrite what is stored.
            data = {k: v for k, v in data.items() if k in request.data}
        template_update(template=template, actor=request.user, bodies=bodies, **data)
        return self._detail(template.pk)

    @extend_schema(request=RenderInputSerializer, responses=RenderResultSerializer)
    @action(detail=True, methods=["post"])
    def render(self, request, pk=None):
        """Render the template for a ticket, in the buyer's language (English if it has none)."""
        template = self.get_object()
        form = RenderInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ticket = ticket_for_user(request.user, form.validated_data["ticket"])
        if template.store_id is not None and template.store_id != ticket.store_id:
            raise ValidationError({"ticket": [str(TEMPLATE_OF_ANOTHER_STORE)]})
        result = template_render(template=template, ticket=ticket, language=form.validated_data.get("language"),
                                 values=form.validated_data["values"], agent=request.user,
                                 bodies=template.current_bodies)
        return Response(RenderResultSerializer({
            "text": result.text, "language": result.language, "fell_back": result.fell_back,
            "unfilled": result.unfilled, "template_body": result.body.pk, "version": result.body.version,
        }).data)

    @extend_schema(parameters=[SuggestionQuerySerializer], responses=SuggestionSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def suggestions(self, request):
        """The templates that best fit a ticket, best first."""
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ticket = ticket_for_user(request.user, query.validated_data["ticket"])
        found = template_suggestions(user=request.user, ticket=ticket, limit=query.validated_data["limit"])
        return Response(SuggestionSerializer(found, many=True).data)

    @extend_schema(responses=EffectivenessSerializer(many=True), operation_id="templates_effectiveness_retrieve")
    @action(detail=True, methods=["get"], pagination_class=None)
    def effectiveness(self, request, pk=None):
        """Uses, median time to resolution and dispute outcomes of this template, per language."""
        template = self.get_object()
        uses = TemplateUse.objects.visible_to(request.user).filter(template=template)
        return Response(EffectivenessSerializer(template_effectiveness(uses), many=True).data)

    @extend_schema(responses=EffectivenessSerializer(many=True), operation_id="templates_effectiveness_list")
    @action(detail=False, methods=["get"], url_path="effectiveness", filterset_class=None, pagination_class=None)
    def effectiveness_all(self, request):
        """The same figures for every template the caller uses."""
        return Response(EffectivenessSerializer(template_effectiveness(TemplateUse.objects.visible_to(request.user)),
                                                many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("language", OpenApiTypes.STR,
                                     description=gettext_lazy("Only the texts of this language (BCP 47)."))],
        responses=TemplateBodySerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def versions(self, request, pk=None):
        """Every version of the template's texts, current and earlier: by language, newest first."""
        template = self.get_object()
        bodies = TemplateBody.objects.filter(template=template)
        language = (request.query_params.get("language") or "").strip()
        if language:
            bodies = bodies.filter(language__iexact=language)
        return Response(TemplateBodySerializer(bodies.order_by("language", "-version"), many=True).data)

    @extend_schema(parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["json", "csv"]),
                               OpenApiParameter("store", OpenApiTypes.INT)],
                   responses={(200, "application/json"): {"type": "array", "items": {"type": "object"}},
                              (200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="export", filterset_class=None, pagination_class=None)
    def export(self, request):
        """Templates in every language, in the library's JSON format or as CSV (``?as=csv``).
        ``?store=ID`` for a store's own templates; default the shared library."""
        store_id = request.query_params.get("store") or None
        queryset = ReplyTemplate.objects.visible_to(request.user)
        if store_id is None:
            queryset = queryset.filter(store__isnull=True)
        elif not str(store_id).isdigit():
            raise ValidationError({"store": [str(NOT_YOUR_STORE)]})
        else:
            queryset = queryset.filter(store_id=int(store_id))
        templates = export_queryset(queryset)
        if request.query_params.get("as") == "csv":
            response = HttpResponse(export_csv(templates), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="templates.csv"'
            return response
        return Response(export_json(templates))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="import", url_name="import", filterset_class=None,
            pagination_class=None)
    def import_(self, request):
        """Import ``{"store": id or null, "csv": "..."}`` or ``{"store": ..., "templates": [...]}``.
        All rows are checked first; any error answers 400 with ``rows`` (row, column, message)
        and imports nothing."""
        data = request.data if isinstance(request.data, dict) else {}
        store = _writable_store(request.user, data.get("store"))
        if isinstance(data.get("csv"), str):
            rows, errors = parse_csv(data["csv"])
        elif "templates" in data:
            rows, errors = parse_json(data["templates"])
        else:
            raise ValidationError({"csv": [_("Send the CSV text in \"csv\" or a list in \"templates\".")]})
        try:
            if errors:  # with the other rows' problems too: one answer lists them all
                raise ImportFailed(sorted(errors + validate_rows(rows), key=lambda e: e.row))
            report = templates_import(rows=rows, store=store, actor=request.user)
        except ImportFailed as exc:
            return Response({"rows": [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": report.created, "updated": report.updated, "unchanged": report.unchanged})
