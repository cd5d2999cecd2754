"""Measure the deadline sweep on PostgreSQL against its SQL floor and a naive loop.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench \\
        .venv/bin/python bench/sweep.py [--clocks 1000000]

The database is emptied and refilled: point DATABASE_URL at a scratch database (it
is created and migrated if missing). Fills N running clocks, 10% lapsed and 5%
inside their warning window, most of them first-response clocks on buyer messages
and 3% dispute-response clocks on disputes, then times, in one run:
  (a) one full sweep: breaches, warnings, consequences, alerts, receipts, audit;
  (b) the SQL floor on an identical copy of the clocks: one UPDATE ... RETURNING of
      the lapsed clocks feeding one INSERT of their alert rows, nothing else;
  (c) a naive per-clock Python loop (ORM and per-object services) over 10,000;
  (d) a sweep with nothing due.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.database import database_ready  # noqa: E402
from tickets.choices import AlertLevel, ClockState  # noqa: E402
from tickets.models import Alert, AlertReceipt, Clock, Ticket, User  # noqa: E402
from tickets.services import sweep as sweep_module  # noqa: E402
from tickets.services.audit import audit_record  # noqa: E402
from tickets.services.delivery import schedule_delivery  # noqa: E402
from tickets.services.webhooks import event_emit  # noqa: E402
from tickets.services.workflow import transition  # noqa: E402

NAIVE_CLOCKS = 10_000


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def fill(n: int, now: dt.datetime) -> None:
    """Set-based fill with generate_series: stores, staff, tickets, messages, disputes, clocks."""
    run("""TRUNCATE tickets_alertreceipt, tickets_deliveryattempt, tickets_alertdelivery, tickets_alert,
           tickets_clock, tickets_auditentry, tickets_refund, tickets_disputeproposal, tickets_return,
           tickets_evidence, tickets_dispute, tickets_message, tickets_ticket, tickets_orderitem, tickets_order,
           tickets_buyer, tickets_user_stores, tickets_storeholiday, tickets_store CASCADE""")
    run("DELETE FROM tickets_user WHERE username LIKE 'bench-%%'")
    run("""INSERT INTO tickets_store (code, name, marketplace, timezone, default_language, work_start, work_end,
           working_days, holiday_country, is_active, created_at, updated_at)
           VALUES ('bench', 'Bench store', 'aliexpress', 'Asia/Shanghai', 'en', '09:00', '22:00', '123456', '',
                   true, %s, %s)""", [now, now])
    store = scalar("SELECT id FROM tickets_store WHERE code = 'bench'")
    for i, role in enumerate(["supervisor", "agent", "agent", "agent"]):
        run("""INSERT INTO tickets_user (password, is_superuser, username, first_name, last_name, email, is_staff,
               is_active, date_joined, role) VALUES ('!', false, %s, '', '', %s, false, true, %s, %s)""",
            [f"bench-{i}", f"bench-{i}@example.com", now, role])
    run("""INSERT INTO tickets_user_stores (user_id, store_id)
           SELECT id, %s FROM tickets_user WHERE username LIKE 'bench-%%'""", [store])
    agents = _ids("SELECT id FROM tickets_user WHERE role = 'agent' AND username LIKE 'bench-%%'")
    disputes = n * 3 // 100
    messages = n - disputes
    tickets = max(1, messages // 10)
    run("""INSERT INTO tickets_buyer (store_id, platform_buyer_id, name, country, language, email, created_at,
           updated_at) SELECT %s, 'b' || g, 'Buyer ' || g, 'FR', 'fr', '', %s, %s FROM generate_series(1, %s) g""",
        [store, now, now, disputes])
    run("""INSERT INTO tickets_order (store_id, buyer_id, order_number, status, currency, total, refunded_amount,
           carrier, tracking_number, created_at, updated_at)
           SELECT %s, b.id, 'O' || b.id, 'shipped', 'USD', 40.00, 0, 'Cainiao', 'LP' || b.id, %s, %s
           FROM tickets_buyer b WHERE b.store_id = %s""", [store, now, now, store])
    run("""INSERT INTO tickets_ticket (store_id, subject, category, priority, status, assignee_id, language,
           created_at, updated_at) SELECT %s, 'Ticket ' || g, 'logistics', 'blue', 'open',
           (ARRAY[%s, %s, %s])[1 + g %% 3], 'fr', %s, %s FROM generate_series(1, %s) g""",
        [store, *agents, now, now, tickets])
    first_ticket = scalar("SELECT min(id) FROM tickets_ticket")
    run("""INSERT INTO tickets_message (store_id, ticket_id, kind, body, language, external_id, is_automatic,
           topics, sent_at, created_at)
           SELECT %s, %s + (g %% %s), 'buyer', 'Where is my parcel?', 'fr', '', false, '[]', %s, %s
           FROM generate_series(1, %s) g""", [store, first_ticket, tickets, now, now, messages])
    run("""INSERT INTO tickets_dispute (store_id, order_id, ticket_id, external_id, family, reason, buyer_comment,
           requested_solution, currency, requested_amount, status, outcome, outcome_note, opened_at, created_at,
           updated_at) SELECT %s, o.id, %s + (o.id %% %s), 'D' || o.id, 'not_received', 'lost', '', 'full_refund',
           'USD', 40.00, 'open', '', '', %s, %s, %s FROM tickets_order o WHERE o.store_id = %s""",
        [store, first_ticket, tickets, now - dt.timedelta(days=1), now, now, store])
    # Clock times: the first 10% lapsed (due within the last day), the next 5% inside
    # their warning window, the rest comfortably ahead. Interleaved over both kinds.
    times = """
        CASE WHEN r < 0.10 THEN %(now)s - (r * interval '10 days')
             WHEN r < 0.15 THEN %(now)s + interval '30 minutes'
             ELSE %(now)s + interval '2 days' + (r * interval '1 day') END"""
    run(f"""INSERT INTO tickets_clock (store_id, kind, state, subject_key, message_id, ticket_id, started_at, due_at,
           warn_at, escalate_at, next_alert_at, alerted_level, currency, amount_at_stake, basis, updated_at)
           SELECT %(store)s, 'first_response', 'running', 'message:' || m.id, m.id, m.ticket_id,
                  {times} - interval '3 hours',
                  {times}, {times} - interval '1 hour', {times} - interval '10 minutes',
                  {times} - interval '1 hour', 0, 'USD', NULL, '{{}}', %(now)s
           FROM (SELECT id, ticket_id, random() AS r FROM tickets_message) m""", {"store": store, "now": now})
    run(f"""INSERT INTO tickets_clock (store_id, kind, state, subject_key, dispute_id, ticket_id, started_at, due_at,
           warn_at, escalate_at, next_alert_at, alerted_level, currency, amount_at_stake, basis, updated_at)
           SELECT %(store)s, 'dispute_response', 'running', 'dispute:' || d.id, d.id, d.ticket_id,
                  {times} - interval '24 hours',
                  {times}, {times} - interval '4 hours', {times} - interval '2 hours',
                  {times} - interval '4 hours', 0, 'USD', 40.00, '{{}}', %(now)s
           FROM (SELECT id, ticket_id, random() AS r FROM tickets_dispute) d""", {"store": store, "now": now})
    run("ANALYZE")


def _ids(sql: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def sql_floor(now: dt.datetime) -> tuple[float, int, int]:
    """(b): the same lapsed clocks, breached and alerted by two fused statements."""
    # Same columns, constraints and indexes as the real tables, so the floor pays
    # the same index maintenance as the sweep does.
    run("DROP TABLE IF EXISTS bench_clock, bench_alert")
    run("CREATE TABLE bench_clock (LIKE tickets_clock INCLUDING ALL)")
    run("INSERT INTO bench_clock SELECT * FROM tickets_clock")
    run("CREATE TABLE bench_alert (LIKE tickets_alert INCLUDING ALL)")
    run("ANALYZE bench_clock")
    start = time.perf_counter()
    with transaction.atomic():
        run("""WITH lapsed AS (
                 UPDATE bench_clock SET state = 'breached', breached_at = due_at
                 WHERE state = 'running' AND due_at <= %s RETURNING id, store_id, due_at)
               INSERT INTO bench_alert (store_id, clock_id, level, raised_at, text, created_at, updated_at)
               SELECT store_id, id, 'breach', due_at, 'Breach', %s, %s FROM lapsed
               ON CONFLICT DO NOTHING""", [now, now, now])
    elapsed = time.perf_counter() - start
    alerts = scalar("SELECT count(*) FROM bench_alert")
    run("DROP TABLE bench_clock, bench_alert")
    return elapsed, 1, alerts


def naive_loop(now: dt.datetime) -> tuple[float, int, int]:
    """(c): the textbook loop doing the sweep's work one clock at a time, each in its own
    transaction, through the ORM and the per-object services: breach with the owner
    snapshot (audited), alert, inbox receipts, red ticket (audited), the webhook event
    and the delivery task. First-response clocks only, as 97% of (a)'s lapses are."""
    run("""UPDATE tickets_clock SET state = 'running', breached_at = NULL, alerted_level = 0, owner_id = NULL,
           consequence_applied_at = NULL
           WHERE id IN (SELECT id FROM tickets_clock WHERE state = 'breached' AND kind = 'first_response'
                        ORDER BY id LIMIT %s)""", [NAIVE_CLOCKS])
    for table in ("tickets_alertreceipt", "tickets_alertdelivery"):
        run(f"""DELETE FROM {table} WHERE alert_id IN (SELECT a.id FROM tickets_alert a JOIN tickets_clock c
               ON c.id = a.clock_id WHERE c.state = 'running' AND c.due_at <= %s)""", [now])
    run("""DELETE FROM tickets_alert WHERE clock_id IN (SELECT id FROM tickets_clock WHERE state = 'running'
           AND due_at <= %s)""", [now])
    run("UPDATE tickets_ticket SET priority = 'blue'")
    supervisors = list(User.objects.filter(role="supervisor", username__startswith="bench-"))
    counter = StatementCounter()
    start = time.perf_counter()
    done = 0
    with connection.execute_wrapper(counter):
        for clock in Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now).select_related(
                "ticket")[:NAIVE_CLOCKS]:
            ticket = clock.ticket
            with transaction.atomic():
                transition(clock, to=ClockState.BREACHED, actor="bench", reason="lapsed",
                           extra={"breached_at": clock.due_at, "alerted_level": 3, "next_alert_at": None,
                                  "consequence_applied_at": now, "owner_id": ticket.assignee_id if ticket else None})
                alert = Alert.objects.create(store_id=clock.store_id, clock=clock, level=AlertLevel.BREACH,
                                             raised_at=clock.due_at, text="Breach")
                recipients = [ticket.assignee_id] if ticket and ticket.assignee_id else []
                recipients += [s.pk for s in supervisors]
                for user_id in recipients:
                    AlertReceipt.objects.create(alert=alert, user_id=user_id)
                if ticket and ticket.priority != "red":
                    Ticket.objects.filter(pk=ticket.pk).update(priority="red")
                    audit_record(subject=ticket, actor="bench", action="priority", field="priority",
                                 from_value=ticket.priority, to_value="red", reason="lapsed")
                event_emit(name="clock.breached", obj=alert)
                schedule_delivery([alert.pk])
            done += 1
    return time.perf_counter() - start, counter.count, done


def timed_sweep(now: dt.datetime):
    counter = StatementCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = sweep_module.sweep(now=now)
    return time.perf_counter() - start, counter.count, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/sweep.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    database_ready()
    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    fill(args.clocks, now)
    lapsed = scalar("SELECT count(*) FROM tickets_clock WHERE due_at <= %s", [now])
    warning = scalar("SELECT count(*) FROM tickets_clock WHERE due_at > %s AND warn_at <= %s", [now, now])
    print(f"filled {args.clocks:,} running clocks in {time.perf_counter() - t0:.1f} s: "
          f"{lapsed:,} lapsed, {warning:,} inside their warning window")

    b_time, b_statements, b_rows = sql_floor(now)
    a_time, a_statements, a_result = timed_sweep(now)
    d_cold, _, _ = timed_sweep(now)
    # Autovacuum clears the index entries of the rows (a) just moved; measure the
    # steady state a once-a-minute sweep meets, after that vacuum.
    run("VACUUM ANALYZE tickets_clock")
    d_time, d_statements, _ = timed_sweep(now)
    c_time, c_statements, c_rows = naive_loop(now)

    print()
    print(f"{'run':<44} {'clocks':>9} {'wall s':>9} {'clocks/s':>11} {'SQL stmts':>10}")
    rows = [
        ("(a) full sweep", a_result.breached + a_result.warned + a_result.escalated, a_time, a_statements),
        ("(b) SQL floor: UPDATE..RETURNING -> INSERT", b_rows, b_time, b_statements),
        ("(c) naive per-clock loop", c_rows, c_time, c_statements),
        ("(d) sweep with nothing due", 0, d_time, d_statements),
    ]
    for name, clocks, wall, statements in rows:
        rate = f"{clocks / wall:,.0f}" if clocks else "-"
        print(f"{name:<44} {clocks:>9,} {wall:>9.3f} {rate:>11} {statements:>10,}")
    print()
    print(f"(a) detail: {a_result.as_line()}")
    handled = max(1, a_result.breached + a_result.warned + a_result.escalated)
    per_a = a_time / handled
    per_b = b_time / max(1, b_rows)
    per_c = c_time / max(1, c_rows)
    print(f"(a)/(b) per clock handled: {per_a / per_b:.2f}x   (target: within 5x); "
          f"charging all of (a) to its lapsed clocks only: {(a_time / max(1, a_result.breached)) / per_b:.2f}x")
    print(f"(c)/(a) per clock: {per_c / per_a:.0f}x   (target: at least 100x); "
          f"(c)/(b), the most any sweep doing (b)'s work could reach here: {per_c / per_b:.0f}x")
    print(f"(d) nothing due: {d_time * 1000:.1f} ms after vacuum, {d_cold * 1000:.1f} ms right after (a)"
          "   (target: under 20 ms)")


if __name__ == "__main__":
    main()
