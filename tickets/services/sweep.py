"""The deadline sweep: breach lapsed clocks, raise the alert ladder, apply the
marketplace's consequences. Run every minute by beat and by ``sweep_deadlines``.

How it stays correct and fast:
1. Work is claimed in batches with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so two
   sweepers never take the same clock; SQLite serialises writers instead.
2. Each batch is one transaction of a bounded number of statements, whatever its
   size: conditional UPDATEs (``WHERE state = 'running'``) and INSERT ... SELECT
   for alerts, receipts and audit rows. No statement per clock.
3. Alerts are unique per (clock, level) and inserted with ON CONFLICT DO NOTHING,
   so running twice, or concurrently, never raises one twice.
4. State-based: a clock is breached when ``due_at <= now``, whenever the sweep
   runs, and ``breached_at`` is backdated to ``due_at``. After downtime only the
   most severe step crossed is raised.
5. A batch that fails is retried clock by clock; a clock that still fails is held
   for a while and logged, and the sweep goes on with the rest.
"""

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from tickets.choices import AlertLevel, ClockKind, ClockState

from . import consequences
from .delivery import schedule_delivery

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
MAX_BATCHES = 1000
HOLD_AFTER_ERROR = dt.timedelta(minutes=15)
LEVEL_RANK = {AlertLevel.WARNING: 1, AlertLevel.ESCALATION: 2, AlertLevel.BREACH: 3}


@dataclass
class SweepResult:
    breached: int = 0
    warned: int = 0
    escalated: int = 0
    alerts: int = 0
    consequences: dict = field(default_factory=lambda: defaultdict(int))
    held: int = 0
    statements: int = 0

    def as_line(self) -> str:
        cons = ", ".join(f"{k} {v}" for k, v in sorted(self.consequences.items())) or "none"
        return (f"breached {self.breached}, warned {self.warned}, escalated {self.escalated}, "
                f"alerts raised {self.alerts}, consequences: {cons}, held after errors {self.held}")


# SQL helpers ---------------------------------------------------------------------------
def _ids_in(column: str, ids: list[int]) -> tuple[str, list]:
    """``column IN ids`` as one bound parameter, whatever the batch size."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _ts(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _execute(result: SweepResult, sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result.statements += 1
        return cursor.fetchall() if cursor.description else []


# The ticket a clock's subject belongs to, whatever the subject: its assignee gets the alerts.
_TICKET_JOINS = """
    LEFT JOIN tickets_message m ON m.id = c.message_id
    LEFT JOIN tickets_dispute d ON d.id = c.dispute_id
    LEFT JOIN tickets_return r ON r.id = c.return_request_id
    LEFT JOIN tickets_dispute rd ON rd.id = r.dispute_id
    LEFT JOIN tickets_ticket t ON t.id = COALESCE(c.ticket_id, m.ticket_id, d.ticket_id, rd.ticket_id)
"""
_SUPERVISOR_ROLES = "('supervisor', 'admin')"


def _raise_alerts(result: SweepResult, ids: list[int], level: str, at_column: str, now: dt.datetime) -> list[int]:
    """Insert one ``level`` alert per clock (skipping any that exist) and its inbox
    receipts; returns the ids of the alerts actually created."""
    if not ids:
        return []
    where, params = _ids_in("c.id", ids)
    rows = _execute(result, f"""
        INSERT INTO tickets_alert (store_id, clock_id, level, raised_at, text, created_at, updated_at)
        SELECT c.store_id, c.id, %s, c.{at_column},
               %s || ': ' || c.kind || ' on ' || c.subject_key, %s, %s
        FROM tickets_clock c WHERE {where}
        ON CONFLICT (clock_id, level) DO NOTHING
        RETURNING id
    """, [level, level.capitalize(), _ts(now), _ts(now), *params])
    alert_ids = [row[0] for row in rows]
    if not alert_ids:
        return []
    a_where, a_params = _ids_in("a.id", alert_ids)
    # The assignee hears of warnings and breaches; supervisors of escalations, breaches,
    # and any alert on a clock nobody is assigned to.
    _execute(result, f"""
        INSERT INTO tickets_alertreceipt (alert_id, user_id)
        SELECT a.id, t.assignee_id FROM tickets_alert a JOIN tickets_clock c ON c.id = a.clock_id {_TICKET_JOINS}
        WHERE {a_where} AND t.assignee_id IS NOT NULL AND a.level <> 'escalation'
        ON CONFLICT (alert_id, user_id) DO NOTHING
    """, a_params)
    _execute(result, f"""
        INSERT INTO tickets_alertreceipt (alert_id, user_id)
        SELECT a.id, us.user_id FROM tickets_alert a JOIN tickets_clock c ON c.id = a.clock_id {_TICKET_JOINS}
        JOIN tickets_user_stores us ON us.store_id = a.store_id
        JOIN tickets_user u ON u.id = us.user_id AND u.is_active AND u.role IN {_SUPERVISOR_ROLES}
        WHERE {a_where} AND (a.level <> 'warning' OR t.assignee_id IS NULL)
        ON CONFLICT (alert_id, user_id) DO NOTHING
    """, a_params)
    result.alerts += len(alert_ids)
    return alert_ids


def _audit_clocks(result: SweepResult, ids: list[int], to_value: str, reason: str, now: dt.datetime) -> None:
    where, params = _ids_in("c.id", ids)
    _execute(result, f"""
        INSERT INTO tickets_auditentry (store_id, actor_id, actor_label, content_type_id, object_id, action, field,
                                        from_value, to_value, reason, created_at)
        SELECT c.store_id, NULL, %s, %s, c.id, 'status', 'state', 'running', %s, %s, %s
        FROM tickets_clock c WHERE {where}
    """, [consequences.SWEEP_ACTOR, ContentType.objects.get_for_model(_clock_model()).pk, to_value, reason,
          _ts(now), *params])


def _clock_model():
    from tickets.models import Clock

    return Clock


# The passes ------------------------------------------------------------------------------
def _claim(result: SweepResult, condition: str, order_by: str, now: dt.datetime, limit: int,
           only: list[int] | None = None) -> list[int]:
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    extra, params = ("", [])
    if only is not None:
        extra, params = _ids_in("id", only)
        extra = " AND " + extra
    rows = _execute(result, f"""
        SELECT id FROM tickets_clock
        WHERE state = 'running' AND {condition} <= %s AND (held_until IS NULL OR held_until <= %s){extra}
        ORDER BY {condition} LIMIT %s{lock}
    """, [_ts(now), _ts(now), *params, limit])
    return [row[0] for row in rows]


def _breach_batch(result: SweepResult, now: dt.datetime, limit: int, only: list[int] | None = None) -> int:
    ids = _claim(result, "due_at", "due_at", now, limit, only)
    if not ids:
        return 0
    where, params = _ids_in("c.id", ids)
    # Conditional on still running: a clock met a moment ago stays met.
    rows = _execute(result, f"""
        UPDATE tickets_clock SET state = 'breached', breached_at = due_at, alerted_level = 3,
               next_alert_at = NULL, updated_at = %s,
               owner_id = (SELECT t.assignee_id FROM tickets_clock c {_TICKET_JOINS}
                           WHERE c.id = tickets_clock.id)
        WHERE state = 'running' AND id IN (SELECT c.id FROM tickets_clock c WHERE {where})
        RETURNING id, kind
    """, [_ts(now), *params])
    breached = [row[0] for row in rows]
    if not breached:
        return len(ids)
    _audit_clocks(result, breached, ClockState.BREACHED, "Lapsed: the due time passed.", now)
    alert_ids = _raise_alerts(result, breached, AlertLevel.BREACH, "due_at", now)
    by_kind = defaultdict(list)
    for pk, kind in rows:
        by_kind[kind].append(pk)
    for kind, kind_ids in by_kind.items():
        applied = consequences.apply(kind=kind, clock_ids=kind_ids, now=now)
        result.statements += applied.statements
        if applied.count:
            result.consequences[ClockKind(kind).label] += applied.count
    result.breached += len(breached)
    schedule_delivery(alert_ids)
    return len(ids)


def _alert_batch(result: SweepResult, now: dt.datetime, limit: int, only: list[int] | None = None) -> int:
    """Warnings and escalations of running clocks whose next alert step has come."""
    ids = _claim(result, "next_alert_at", "next_alert_at", now, limit, only)
    if not ids:
        return 0
    where, params = _ids_in("id", ids)
    # Downtime rule: a clock past its escalation point gets the escalation only.
    escalate = [r[0] for r in _execute(result, f"""
        UPDATE tickets_clock SET alerted_level = 2, next_alert_at = NULL, updated_at = %s
        WHERE {where} AND state = 'running' AND escalate_at IS NOT NULL AND escalate_at <= %s
              AND alerted_level < 2
        RETURNING id
    """, [_ts(now), *params, _ts(now)])]
    warn = [r[0] for r in _execute(result, f"""
        UPDATE tickets_clock SET alerted_level = 1, updated_at = %s,
               next_alert_at = CASE WHEN escalate_at > %s THEN escalate_at ELSE NULL END
        WHERE {where} AND state = 'running' AND warn_at <= %s AND alerted_level < 1
              AND (escalate_at IS NULL OR escalate_at > %s)
        RETURNING id
    """, [_ts(now), _ts(now), *params, _ts(now), _ts(now)])]
    # Anything claimed but already alerted at its level simply stops asking.
    _execute(result, f"""
        UPDATE tickets_clock SET next_alert_at = NULL
        WHERE {where} AND state = 'running' AND next_alert_at <= %s
    """, [*params, _ts(now)])
    alert_ids = _raise_alerts(result, escalate, AlertLevel.ESCALATION, "escalate_at", now)
    alert_ids += _raise_alerts(result, warn, AlertLevel.WARNING, "warn_at", now)
    result.escalated += len(escalate)
    result.warned += len(warn)
    schedule_delivery(alert_ids)
    return len(ids)


def _run_pass(result: SweepResult, batch_fn, now: dt.datetime, batch_size: int) -> None:
    for _ in range(MAX_BATCHES):
        try:
            with transaction.atomic():
                claimed = batch_fn(result, now, batch_size)
        except Exception:
            log.exception("sweep batch failed; retrying its clocks one by one")
            claimed = _run_one_by_one(result, batch_fn, now, batch_size)
        if claimed < batch_size:
            return


def _run_one_by_one(result: SweepResult, batch_fn, now: dt.datetime, batch_size: int) -> int:
    """The poison-pill guard: isolate the clock that breaks a batch and hold it."""
    condition = "due_at" if batch_fn is _breach_batch else "next_alert_at"
    with transaction.atomic():
        ids = _claim(result, condition, condition, now, batch_size)
    for pk in ids:
        try:
            with transaction.atomic():
                batch_fn(result, now, 1, only=[pk])
        except Exception:
            log.exception("clock %s could not be swept; holding it for %s", pk, HOLD_AFTER_ERROR)
            _clock_model().objects.filter(pk=pk).update(held_until=now + HOLD_AFTER_ERROR)
            result.held += 1
    return len(ids)


def sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """One full sweep: breaches first (so a lapsed clock gets its breach, not a
    late warning), then the warnings and escalations of clocks still running."""
    now = now or timezone.now()
    result = SweepResult()
    _run_pass(result, _breach_batch, now, batch_size)
    _run_pass(result, _alert_batch, now, batch_size)
    return result
