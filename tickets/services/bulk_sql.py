"""Small helpers for the set-based statements of the sweep, portable between
PostgreSQL (production, CI) and SQLite (the embedded default)."""

import datetime as dt
import json

from django.db import connection


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
