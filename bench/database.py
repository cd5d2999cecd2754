"""Make the database a bench script is pointed at ready: created when it does not
exist yet (PostgreSQL), then migrated, so a scratch name just works. The script's
Celery tasks go to an in-process broker."""

import psycopg2
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql


def database_ready() -> None:
    broker_in_memory()
    if connection.vendor == "postgresql":
        _create_if_missing(connection.settings_dict)
    call_command("migrate", verbosity=0)


def _create_if_missing(settings: dict) -> None:
    params = {"dbname": "postgres", "host": settings.get("HOST") or None, "port": settings.get("PORT") or None,
              "user": settings.get("USER") or None, "password": settings.get("PASSWORD") or None}
    server = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    server.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
                print(f"created database {settings['NAME']}")
    finally:
        server.close()


def broker_in_memory() -> None:
    """Publishing a task still costs what it costs, but nothing reaches the desk's own
    queue, where a worker would go and deliver alerts of the scratch database."""
    from aftersales.celery import app

    app.conf.broker_url = "memory://"
