"""Small helpers for the set-based statements of the sweep, portable between
PostgreSQL (production, CI) and SQLite (the embedded default)."""

import datetime as dt
import io
import json

from django.db import connection
from django.utils import timezone


def ids_in(column: str, ids: list[int]) -> tuple[str, list]:
    """``column IN ids`` as a single bound parameter, whatever the number of ids."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def in_subquery(column: str, subquery: str) -> str:
    """``column IN (subquery)``. On PostgreSQL the ids are gathered into an array
    first, so the planner fetches the rows by primary key instead of hashing the
    whole table against the subquery."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def ts(value: dt.datetime):
    """A datetime as the backend stores it (SQLite keeps UTC text without offset)."""
    return connection.ops.adapt_datetimefield_value(value)


def skip_locked() -> str:
    """Row locks for claiming work; SQLite has none and serialises writers instead."""
    return " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""


class Counter:
    """Counts the statements a piece of work ran (the sweep reports it)."""

    def __init__(self):
        self.statements = 0

    def execute(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.statements += 1
            return cursor.fetchall() if cursor.description else []


def insert_rows(model, rows: list[dict]) -> None:
    """Insert ``rows`` (column attname -> value) into ``model``'s table and write each
    new primary key into its row as ``"id"``.

    This is ``bulk_create`` without model instances, for a sync of a thousand orders
    that brings seven thousand rows (orders, lines, buyers, clocks and audit entries):
    there, building and preparing instances costs more than the database does.
    Columns a row leaves out take the field's default; auto timestamps are now.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go
    in with one COPY; a row breaking a constraint fails them all (IntegrityError).
    Elsewhere this is ``bulk_create``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs)
        for row, obj in zip(rows, objs, strict=True):
            row["id"] = obj.pk
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given, now, fixed = rows[0].keys(), timezone.now(), {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = now
        elif f.attname not in given:
            fixed[f.attname] = f.get_default()
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    # The raw psycopg2 cursor: wrap_database_errors turns its errors into Django's
    # (IntegrityError and the rest), which callers catch.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        if table not in _SEQUENCES:
            raw.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _SEQUENCES[table] = raw.fetchone()[0]
        raw.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_SEQUENCES[table], len(rows)])
        ids = [pk for (pk,) in raw.fetchall()]
        # Columns the rows leave out hold the same value in every row: format it once.
        columns_out = [(f.attname, None, _copy_format(f)(fixed[f.attname])) if f.attname in fixed
                       else (f.attname, _copy_format(f), None) for f in fields]
        lines = []
        for pk, row in zip(ids, rows, strict=True):
            row["id"] = pk
            lines.append("\t".join([str(pk), *[fmt(row[name]) if fmt else text for name, fmt, text in columns_out]]))
        raw.copy_expert(f'COPY "{table}" ("id", {columns}) FROM STDIN', io.StringIO("\n".join(lines) + "\n"))


_SEQUENCES = {}  # table -> its id sequence (a catalog lookup, once per process)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_format(field):
    """How one column's values are written in COPY's text format (chosen once per
    column: a thousand rows of a dozen columns are formatted per table)."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return lambda v: "\\N" if v is None else v.isoformat()
    if kind == "JSONField":
        return lambda v: "\\N" if v is None else _copy_text(json.dumps(v))
    if kind == "BooleanField":
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if kind in ("CharField", "TextField", "SlugField", "EmailField"):
        return _copy_text
    return lambda v: "\\N" if v is None else str(v)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    # Most values need no escape, and testing is cheaper than translating.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value
