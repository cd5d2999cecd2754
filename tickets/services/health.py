"""Liveness of the background processes that enforce the clocks."""

from django.db import connection
from django.utils import timezone

from tickets.models import Heartbeat

# Beat ticks every minute; three missed ticks means clocks are not being swept.
STALE_AFTER_SECONDS = 180


def heartbeat_record(*, name: str, now=None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": now or timezone.now()})


def health_report(*, now=None) -> dict:
    """The database answers, and when beat (through a worker) last ran a job."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beats = {hb.name: hb.last_seen for hb in Heartbeat.objects.all()}
    beat_seen = beats.get("beat")
    age = (now - beat_seen).total_seconds() if beat_seen else None
    return {
        "database": "ok",
        "beat_last_seen": beat_seen.isoformat() if beat_seen else None,
        "beat_age_seconds": round(age) if age is not None else None,
        "beat_ok": age is not None and age <= STALE_AFTER_SECONDS,
    }
