"""Keyset ("seek") pagination for every API list.

DRF's ``CursorPagination`` remembers the first ordering column plus an offset into
the rows that share its value. Under the ERP's sync order ``(updated_at, id)`` that
offset goes stale as soon as one of those rows is written between two pages: the
row moves to the end and every row behind it shifts one place forward, so one of
them is skipped. Here the cursor holds the values of *every* ordering column of the
row it stops at, and the next page is "strictly after that row" in the full order:

    updated_at > t OR (updated_at = t AND id > i)

Rows left unchanged are then listed exactly once, and a row changed while paging is
listed again at its new place (a new version, which the ERP needs), never skipped.
Each ordering must end in a unique column (``id``) so that "after" is well defined.
"""

import base64
import binascii
import datetime
import json
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

# What the ERP pulls by: oldest change first, ties broken by id.
SYNC_ORDERING = ("updated_at", "id")

INVALID_CURSOR = _("This cursor is not valid for this list and order; start again without it.")
NO_PAGE_NUMBERS = _("Lists are paged by cursor, not by number: follow the next link.")


def _encode_value(value):
    if isinstance(value, datetime.datetime):
        # Full precision with the offset: a cursor truncated to the second would
        # repeat or skip rows written within the same second.
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _in_range(value) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -(2 ** 63) <= value < 2 ** 63
    if isinstance(value, float):
        return False  # cursors carry decimals as strings, never floats
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return True  # not a number: a date or a code, checked by its column
        return number.is_finite() and abs(number) < Decimal("1e15")
    return False


def _read_path(instance, path: str):
    """``alert__raised_at`` → ``instance.alert.raised_at`` (select_related rows)."""
    value = instance
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _after(ordering: tuple[str, ...], values: list, *, reverse: bool) -> Q:
    """Rows strictly after (or, paging back, before) ``values`` in ``ordering``."""
    condition = Q()
    equal_so_far = Q()
    for term, value in zip(ordering, values, strict=True):
        descending = term.startswith("-")
        name = term.lstrip("-")
        lookup = "lt" if descending != reverse else "gt"
        condition |= equal_so_far & Q(**{f"{name}__{lookup}": value})
        equal_so_far &= Q(**{name: value})
    # The same bound on the leading column alone adds nothing logically, but lets the
    # database walk that column's index instead of reading the whole OR.
    first = ordering[0]
    lead = "lte" if first.startswith("-") != reverse else "gte"
    return Q(**{f"{first.lstrip('-')}__{lead}": values[0]}) & condition


def _flipped(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(term[1:] if term.startswith("-") else f"-{term}" for term in ordering)


class KeysetPagination(BasePagination):
    """``?cursor=...&page_size=N``: pages of a list in a total order, costing the same
    however deep they go (no OFFSET, no COUNT).

    The view names its orderings in ``keyset_orderings`` (``?order=<name>`` picks one,
    its FilterSet validates the name) and the default in ``keyset_default``; without
    them a list is in ``SYNC_ORDERING``.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 200

    def get_ordering(self, request, view) -> tuple[str, ...]:
        orderings = getattr(view, "keyset_orderings", None) or {"updated": SYNC_ORDERING}
        default = getattr(view, "keyset_default", None) or next(iter(orderings))
        # A "changed since" pull walks the changes in order, whatever the list's usual
        # order: only (updated_at, id) guarantees no row is skipped while writes go on.
        if "order" not in request.query_params and "updated_after" in request.query_params and "updated" in orderings:
            default = "updated"
        return orderings.get(request.query_params.get("order"), orderings[default])

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        # Refused rather than capped: a client that asked for more and silently got fewer
        # per page would size its batches (and timeouts) on a number it never gets.
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return size

    def decode_cursor(self, request, ordering) -> tuple[list | None, bool]:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            values, reverse, fields = data["v"], bool(data.get("r")), data["o"]
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        # A cursor made under another order would seek a meaningless position.
        if fields != list(ordering) or not isinstance(values, list) or len(values) != len(ordering):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        # No cursor of ours holds a NUL (codes are slugs), and PostgreSQL refuses one in a
        # query outright: a hand-made one would be a 500, not a row position.
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        # Nor a number beyond any column's range ("1e999999" overflows numeric, 2**70
        # bigint): the database would refuse it mid-query.
        if not all(_in_range(value) for value in values):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        return values, reverse

    def encode_cursor(self, row, *, reverse: bool) -> str:
        payload = {"v": [_encode_value(_read_path(row, term.lstrip("-"))) for term in self.ordering],
                   "o": list(self.ordering)}
        if reverse:
            payload["r"] = 1
        raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, raw)

    def paginate_queryset(self, queryset, request, view=None):
        """One query: the page plus one row, to know whether another page follows."""
        # A page number would be ignored, and a client counting pages would read the
        # first page forever: refuse it instead.
        if "page" in request.query_params:
            raise ValidationError({"page": [NO_PAGE_NUMBERS]})
        self.ordering = self.get_ordering(request, view)
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request)
        values, reverse = self.decode_cursor(request, self.ordering)

        order = _flipped(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*order)
        if values is not None:
            try:
                queryset = queryset.filter(_after(self.ordering, values, reverse=reverse))
            except (DjangoValidationError, ValueError, TypeError):
                # A hand-made cursor whose values do not fit the columns.
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        rows = list(queryset[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()

        # Forward: "next" while rows remain, "previous" once we have moved at all.
        # Backward: the mirror image.
        self.next_link = self.previous_link = None
        if rows:
            if more or reverse:
                self.next_link = self.encode_cursor(rows[-1], reverse=False)
            if values is not None and (more or not reverse):
                self.previous_link = self.encode_cursor(rows[0], reverse=True)
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.next_link, "previous": self.previous_link, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "example": "http://desk.example.com/api/v1/disputes/?cursor=eyJ2Ijpb"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param, "required": False, "in": "query",
                "description": str(_("Opaque position from a `next` or `previous` link. Pages are keyset "
                                     "pages: a row changed while you page is listed again later, never "
                                     "skipped.")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "required": False, "in": "query",
                "description": str(_("Rows per page (default %(default)d, at most %(max)d).")
                                   % {"default": self.page_size, "max": self.max_page_size}),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
