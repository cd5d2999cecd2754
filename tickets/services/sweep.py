"""The deadline sweep: breach lapsed clocks, raise the alert ladder, apply the
marketplace's consequences. Run every minute by beat and by ``sweep_deadlines``.

How it stays correct and fast:
1. Work is claimed in batches by one UPDATE whose subquery takes the rows with
   ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so two sweepers never take the same
   clock; SQLite serialises writers instead. The UPDATE repeats the guard
   (``state = 'running'``), so a clock met a moment earlier stays met.
2. Each batch is one transaction of a bounded number of statements, whatever its
   size: INSERT ... SELECT for alerts, inbox receipts and audit rows, and set-based
   consequences. No statement per clock.
3. Alerts are unique per (clock, level) and inserted with ON CONFLICT DO NOTHING,
   so running twice, or concurrently, never raises one twice.
4. State-based: a clock is breached when ``due_at <= now``, whenever the sweep runs,
   and ``breached_at`` is backdated to ``due_at``. After downtime only the most
   severe step crossed is raised: a breached clock gets its breach alert only.
5. A batch that fails is retried clock by clock; a clock that still fails is held
   for a while and logged, and the sweep goes on with the rest.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from tickets.choices import ClockKind, ClockState
from tickets.models import AuditEntry, Clock, Ticket

from . import consequences
from .audit import audit_insert_select, audit_rows
from .bulk_sql import Counter, ids_in, in_subquery, skip_locked, ts
from .delivery import schedule_delivery
from .webhooks import events_emit_sql

log = logging.getLogger(__name__)

BATCH_SIZE = 20_000
MAX_BATCHES = 1000
HOLD_AFTER_ERROR = dt.timedelta(minutes=15)
SUPERVISOR_ROLES = "('supervisor', 'admin')"
# The ticket that answers for a clock: the one stored when it started, else the one its
# subject is linked to now (a dispute may be tied to a ticket after its clock started).
# COALESCE stops at the first value, so the lookups run only for clocks without one.
TICKET_NOW = """COALESCE(tickets_clock.ticket_id,
    (SELECT d.ticket_id FROM tickets_dispute d WHERE d.id = tickets_clock.dispute_id),
    (SELECT d.ticket_id FROM tickets_return r JOIN tickets_dispute d ON d.id = r.dispute_id
     WHERE r.id = tickets_clock.return_request_id),
    (SELECT m.ticket_id FROM tickets_message m WHERE m.id = tickets_clock.message_id))"""


@dataclass
class SweepResult(Counter):
    breached: int = 0
    warned: int = 0
    escalated: int = 0
    alerts: int = 0
    consequences: dict = field(default_factory=lambda: defaultdict(int))
    held: int = 0
    statements: int = 0

    def merge(self, other: "SweepResult") -> None:
        """Add a committed batch's counts (a rolled-back batch is never merged)."""
        for name in ("breached", "warned", "escalated", "alerts", "held", "statements"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.consequences.items():
            self.consequences[kind] += count

    def as_line(self) -> str:
        cons = ", ".join(f"{k} {v}" for k, v in sorted(self.consequences.items())) or "none"
        return (f"breached {self.breached}, warned {self.warned}, escalated {self.escalated}, "
                f"alerts raised {self.alerts}, consequences: {cons}, held after errors {self.held}")


def _raise_alerts(result: SweepResult, clock_ids: list[int], now: dt.datetime) -> list[int]:
    """Insert the alert of each clock's current ladder step (its ``alerted_level``:
    1 warning, 2 escalation, 3 breach), skipping any that exist, then the inbox
    receipts; returns the ids of the alerts actually created."""
    if not clock_ids:
        return []
    where, params = ids_in("c.id", clock_ids)
    rows = result.execute(f"""
        INSERT INTO tickets_alert (store_id, clock_id, level, raised_at, text, created_at, updated_at)
        SELECT c.store_id, c.id,
               CASE c.alerted_level WHEN 3 THEN 'breach' WHEN 2 THEN 'escalation' ELSE 'warning' END,
               CASE c.alerted_level WHEN 3 THEN c.due_at WHEN 2 THEN c.escalate_at ELSE c.warn_at END,
               CASE c.alerted_level WHEN 3 THEN 'Breach' WHEN 2 THEN 'Escalation' ELSE 'Warning' END
                   || ': ' || c.kind || ' on ' || c.subject_key,
               %s, %s
        FROM tickets_clock c LEFT JOIN tickets_clockpolicy p ON p.id = c.policy_id
        WHERE {where} AND (p.id IS NULL OR p.raises_alerts)
        ON CONFLICT (clock_id, level) DO NOTHING
        RETURNING id
    """, [ts(now), ts(now), *params])
    alert_ids = [row[0] for row in rows]
    if not alert_ids:
        return []
    a_where, a_params = ids_in("a.id", alert_ids)
    # The assignee hears of every step; the store's supervisors are added from the
    # escalation on, and from the first step when nobody is assigned. A store without
    # supervisors has the desk's admins instead, so no alert goes unheard. The new
    # alerts are materialised first, so the plan starts from them and never scans a
    # store's whole alert history.
    result.execute(f"""
        WITH new AS MATERIALIZED (
            SELECT a.id, a.store_id, a.level, t.assignee_id FROM tickets_alert a
            JOIN tickets_clock c ON c.id = a.clock_id LEFT JOIN tickets_ticket t ON t.id = c.ticket_id
            WHERE {a_where}),
        supervisors AS MATERIALIZED (
            SELECT us.store_id, us.user_id FROM tickets_user_stores us
            JOIN tickets_user u ON u.id = us.user_id AND u.is_active AND u.role IN {SUPERVISOR_ROLES}),
        admins AS MATERIALIZED (
            SELECT id AS user_id FROM tickets_user WHERE is_active AND (role = 'admin' OR is_superuser)),
        for_supervisors AS (
            SELECT id, store_id FROM new WHERE level <> 'warning' OR assignee_id IS NULL)
        INSERT INTO tickets_alertreceipt (alert_id, user_id)
        SELECT id, assignee_id FROM new WHERE assignee_id IS NOT NULL
        UNION
        SELECT f.id, supervisors.user_id FROM for_supervisors f JOIN supervisors ON supervisors.store_id = f.store_id
        UNION
        SELECT f.id, admins.user_id FROM for_supervisors f CROSS JOIN admins
        WHERE NOT EXISTS (SELECT 1 FROM supervisors WHERE supervisors.store_id = f.store_id)
        ON CONFLICT (alert_id, user_id) DO NOTHING
    """, a_params)
    result.alerts += len(alert_ids)
    return alert_ids


def _audit_clocks(result: SweepResult, clock_ids: list[int], now: dt.datetime) -> None:
    where, params = ids_in("c.id", clock_ids)
    audit_insert_select(result, model=Clock, actor_label=consequences.SWEEP_ACTOR, now=now, select_sql=f"""
        SELECT c.store_id, c.id AS object_id, 'status' AS action, 'state' AS field,
               'running' AS from_value, 'breached' AS to_value, 'Lapsed: the due time passed.' AS reason
        FROM tickets_clock c WHERE {where}""", params=params)


def _claim_filter(only: list[int] | None) -> tuple[str, list]:
    if only is None:
        return "", []
    where, params = ids_in("id", only)
    return f" AND {where}", params


def _ticket_type_id() -> int:
    return ContentType.objects.get_for_model(Ticket).pk


def _breach_batch(result: SweepResult, now: dt.datetime, limit: int, only: list[int] | None = None) -> int:
    extra, extra_params = _claim_filter(only)
    # Claim and breach in one statement. The owner is whoever held the ticket at the
    # due time (the service figures count the lapse against them): its assignee, unless
    # it was handed over since; then the one the first later hand-over took it from.
    rows = result.execute(f"""
        UPDATE tickets_clock SET state = 'breached', breached_at = due_at, alerted_level = 3,
               next_alert_at = NULL, updated_at = %s, consequence_applied_at = %s,
               ticket_id = {TICKET_NOW},
               owner_id = (
                   SELECT CASE WHEN t.assigned_at IS NULL OR t.assigned_at <= tickets_clock.due_at
                               THEN t.assignee_id
                               ELSE (SELECT u.id FROM tickets_auditentry a
                                     LEFT JOIN tickets_user u ON u.username = a.from_value
                                     WHERE a.content_type_id = %s AND a.object_id = t.id AND a.action = 'assign'
                                       AND a.created_at > tickets_clock.due_at
                                     ORDER BY a.created_at, a.id LIMIT 1) END
                   FROM tickets_ticket t WHERE t.id = {TICKET_NOW})
        WHERE state = 'running' AND {in_subquery("id", f"""
            SELECT id FROM tickets_clock
            WHERE state = 'running' AND due_at <= %s AND (held_until IS NULL OR held_until <= %s){extra}
            ORDER BY due_at LIMIT %s{skip_locked()}""")}
        RETURNING id, kind, dispute_id, due_at
    """, [ts(now), ts(now), _ticket_type_id(), ts(now), ts(now), *extra_params, limit])
    if not rows:
        return 0
    decided = _decided_first(result, rows, now)
    rows = [row for row in rows if row[0] not in decided]
    breached = [pk for pk, *_ in rows]
    _audit_clocks(result, breached, now)
    alert_ids = _raise_alerts(result, breached, now)
    by_kind = defaultdict(list)
    for pk, kind, *_ in rows:
        by_kind[kind].append(pk)
    for kind, kind_ids in by_kind.items():
        count = consequences.apply(kind=kind, clock_ids=kind_ids, now=now, counter=result)
        if count:
            result.consequences[ClockKind(kind).label] += count
    result.breached += len(breached)
    schedule_delivery(alert_ids)
    events_emit_sql(result, object_type="alert", ids=alert_ids, now=now)
    return len(rows)


def _decided_first(result: SweepResult, rows: list[tuple], now: dt.datetime) -> set[int]:
    """After downtime a batch can hold two lapsed clocks of one dispute. The first to
    lapse decided it (lost by default, refund executed), so a later one no longer
    applied: it is cancelled at the first one's due time, not breached. Returns the
    ids so cancelled."""
    first = {}
    for _pk, _kind, dispute_id, due_at in rows:
        if dispute_id is not None and (dispute_id not in first or due_at < first[dispute_id]):
            first[dispute_id] = due_at
    later = [pk for pk, _kind, dispute_id, due_at in rows if dispute_id is not None and due_at > first[dispute_id]]
    if not later:
        return set()
    where, params = ids_in("id", later)
    batch_where, batch_params = ids_in("o.id", [pk for pk, *_ in rows])
    cancelled = result.execute(f"""
        UPDATE tickets_clock SET state = 'cancelled', breached_at = NULL, owner_id = NULL,
               consequence_applied_at = NULL, updated_at = %s,
               cancelled_at = (SELECT MIN(o.due_at) FROM tickets_clock o
                               WHERE {batch_where} AND o.dispute_id = tickets_clock.dispute_id)
        WHERE {where}
        RETURNING id, store_id
    """, [ts(now), *batch_params, *params])
    AuditEntry.objects.bulk_create(audit_rows(
        Clock, [(pk, store_id, ClockState.RUNNING, ClockState.CANCELLED) for pk, store_id in cancelled],
        actor=consequences.SWEEP_ACTOR, action="status", field="state",
        reason="An earlier lapse had already decided the dispute."))
    result.statements += 1
    return {pk for pk, _ in cancelled}


def _alert_batch(result: SweepResult, now: dt.datetime, limit: int, only: list[int] | None = None) -> int:
    """Warnings and escalations of running clocks whose next alert step has come.

    ``next_alert_at`` always holds the time of the next step not yet raised, so a
    claimed clock always moves up: to the escalation if its time has come (even
    when the warning was never sent, after downtime), else to the warning.
    """
    extra, extra_params = _claim_filter(only)
    rows = result.execute(f"""
        UPDATE tickets_clock SET updated_at = %s, ticket_id = {TICKET_NOW},
               alerted_level = CASE WHEN escalate_at <= %s THEN 2 ELSE 1 END,
               next_alert_at = CASE WHEN escalate_at > %s THEN escalate_at ELSE NULL END
        WHERE state = 'running' AND {in_subquery("id", f"""
            SELECT id FROM tickets_clock
            WHERE state = 'running' AND next_alert_at <= %s AND (held_until IS NULL OR held_until <= %s){extra}
            ORDER BY next_alert_at LIMIT %s{skip_locked()}""")}
        RETURNING id, alerted_level
    """, [ts(now), ts(now), ts(now), ts(now), ts(now), *extra_params, limit])
    if not rows:
        return 0
    alert_ids = _raise_alerts(result, [pk for pk, _ in rows], now)
    result.escalated += sum(1 for _, level in rows if level == 2)
    result.warned += sum(1 for _, level in rows if level == 1)
    schedule_delivery(alert_ids)
    events_emit_sql(result, object_type="alert", ids=alert_ids, now=now)
    return len(rows)


def _run_pass(result: SweepResult, batch_fn, now: dt.datetime, batch_size: int) -> None:
    for _ in range(MAX_BATCHES):
        batch = SweepResult()
        try:
            with transaction.atomic():
                claimed = batch_fn(batch, now, batch_size)
        except Exception:
            log.exception("sweep batch failed; retrying its clocks one by one")
            claimed = _run_one_by_one(result, batch_fn, now, batch_size)
        else:
            result.merge(batch)
        if claimed < batch_size:
            return


def _run_one_by_one(result: SweepResult, batch_fn, now: dt.datetime, batch_size: int) -> int:
    """The poison-pill guard: isolate the clock that breaks a batch and hold it."""
    column = "due_at" if batch_fn is _breach_batch else "next_alert_at"
    ids = list(Clock.objects.filter(state=ClockState.RUNNING, **{f"{column}__lte": now})
               .exclude(held_until__gt=now).order_by(column).values_list("pk", flat=True)[:batch_size])
    for pk in ids:
        single = SweepResult()
        try:
            with transaction.atomic():
                batch_fn(single, now, 1, only=[pk])
            result.merge(single)
        except Exception:
            log.exception("clock %s could not be swept; holding it for %s", pk, HOLD_AFTER_ERROR)
            Clock.objects.filter(pk=pk).update(held_until=now + HOLD_AFTER_ERROR)
            result.held += 1
    return len(ids)


def sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """One full sweep: breaches first (so a lapsed clock gets its breach, not a
    late warning), then the warnings and escalations of clocks still running."""
    now = now or timezone.now()
    result = SweepResult()
    _run_pass(result, _breach_batch, now, batch_size)
    _run_pass(result, _alert_batch, now, batch_size)
    if result.breached or result.warned or result.escalated:
        _settle(result, now)
    return result


def _settle(result: SweepResult, now: dt.datetime) -> None:
    """Look once more for due work, now that every batch has committed. The rows this
    sweep moved left index entries behind in the partial indexes of running clocks;
    this read steps over them while they are dead to every transaction, and PostgreSQL
    marks them so, which spares the next sweeps (once a minute, usually with nothing
    due) from visiting each one until vacuum removes them."""
    for column in ("due_at", "next_alert_at"):
        # Ordered like the claims, so it is their index scan (a bitmap scan marks nothing).
        result.execute(f"SELECT id FROM tickets_clock WHERE state = 'running' AND {column} <= %s "
                       f"ORDER BY {column} LIMIT 1", [ts(now)])
