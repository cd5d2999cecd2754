"""What the marketplace does when a clock lapses, recorded in bulk by the sweep.

The desk never moves money: it records the refund the platform executes, the
dispute it decides and the ticket it flags, with audit entries, so the ERP and the
supervisors see them. Each function handles a whole batch of breached clocks of
one kind in a bounded number of statements, and only touches objects still in the
state the consequence applies to (a dispute resolved meanwhile is left alone).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from tickets.choices import (
    TICKET_TRANSITIONS,
    ClockKind,
    ClockState,
    DisputeOutcome,
    DisputeStatus,
    ProposalParty,
    ProposalStatus,
    RefundReason,
    RefundSource,
    ReturnStatus,
    TicketStatus,
)
from tickets.models import AuditEntry, Clock, Dispute, DisputeProposal, Order, Refund, Return, Ticket

from .audit import audit_insert_select, audit_rows
from .bulk_sql import Counter, ids_in, in_subquery, ts
from .webhooks import events_emit_sql

SWEEP_ACTOR = "system:sweep"


@dataclass
class Applied:
    counter: Counter
    count: int = 0

    @property
    def statements(self) -> int:
        return self.counter.statements

    @statements.setter
    def statements(self, value: int) -> None:
        self.counter.statements = value


def _audit(model, rows, *, action: str, field: str, reason: str) -> list[AuditEntry]:
    """The sweep's audit rows for (obj_id, store_id, from, to) tuples, written in one INSERT by apply()."""
    return audit_rows(model, rows, actor=SWEEP_ACTOR, action=action, field=field, reason=reason)


def _breach_time(kind: str, subject_field: str):
    """The due time of the breached clock of ``kind`` on the outer subject row."""
    return Subquery(Clock.objects.filter(**{subject_field: OuterRef("pk")}, kind=kind, state=ClockState.BREACHED)
                    .order_by("-due_at").values("due_at")[:1])


def _flag_tickets(ticket_sql: str, params: list, *, escalate: bool, reason: str, applied: Applied) -> None:
    """Raise the tickets selected by ``ticket_sql`` (a subquery of ticket ids) to red
    priority and, for a lost dispute, escalate them: audit rows first (they read the
    old values), then the updates; four statements at most, whatever the count."""
    moment = timezone.now()
    now = ts(moment)
    counter = applied.counter
    audit_insert_select(counter, model=Ticket, actor_label=SWEEP_ACTOR, now=moment, select_sql=f"""
        SELECT t.store_id, t.id AS object_id, 'priority' AS action, 'priority' AS field,
               t.priority AS from_value, 'red' AS to_value, %s AS reason
        FROM tickets_ticket t WHERE {in_subquery('t.id', ticket_sql)} AND t.priority <> 'red'""",
                        params=[reason, *params])
    counter.execute(f"""
        UPDATE tickets_ticket SET priority = 'red', updated_at = %s
        WHERE {in_subquery('id', ticket_sql)} AND priority <> 'red'
    """, [now, *params])
    if not escalate:
        return
    # A resolved ticket is reopened into escalated (the workflow's two steps, in one
    # write); a closed one is final and stays closed, the breach alert speaks for it.
    can_escalate = sorted(s for s, allowed in TICKET_TRANSITIONS.items()
                          if s != TicketStatus.ESCALATED and allowed & {TicketStatus.ESCALATED, TicketStatus.OPEN})
    marks = ", ".join(["%s"] * len(can_escalate))
    audit_insert_select(counter, model=Ticket, actor_label=SWEEP_ACTOR, now=moment, select_sql=f"""
        SELECT t.store_id, t.id AS object_id, 'status' AS action, 'status' AS field,
               t.status AS from_value, 'escalated' AS to_value, %s AS reason
        FROM tickets_ticket t WHERE {in_subquery('t.id', ticket_sql)} AND t.status IN ({marks})""",
                        params=[reason, *params, *can_escalate])
    counter.execute(f"""
        UPDATE tickets_ticket SET status = 'escalated', resolved_at = NULL, updated_at = %s
        WHERE {in_subquery('id', ticket_sql)} AND status IN ({marks})
    """, [now, *params, *can_escalate])


def _dispute_tickets(disputes: list[Dispute]) -> tuple[str, list]:
    where, params = ids_in("d.id", [d.pk for d in disputes])
    return f"SELECT d.ticket_id FROM tickets_dispute d WHERE {where} AND d.ticket_id IS NOT NULL", params


def _record_refunds(disputes: list[Dispute], amount_of, *, reason: str, note: str, returns_by_dispute=None,
                    audit: list, applied: Applied) -> dict[int, Decimal]:
    """Record one refund per dispute, each capped at what its order still has
    refundable; several disputes of one order share that cap."""
    orders = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in={d.order_id for d in disputes})}
    applied.statements += 1
    refunds, refunded = [], {}
    before = {pk: o.refunded_amount for pk, o in orders.items()}
    for dispute in disputes:
        order = orders[dispute.order_id]
        amount = min(amount_of(dispute), order.total - order.refunded_amount)
        if amount <= 0:
            continue
        order.refunded_amount += amount
        refunded[dispute.pk] = amount
        ret = (returns_by_dispute or {}).get(dispute.pk)
        refunds.append(Refund(store_id=dispute.store_id, order_id=order.pk, dispute_id=dispute.pk,
                              return_request_id=ret.pk if ret else None, amount=amount, currency=order.currency,
                              reason=reason, source=RefundSource.CLOCK_LAPSE, note=note,
                              refunded_at=dispute.lapsed_at))
    if refunds:
        Refund.objects.bulk_create(refunds)
        events_emit_sql(applied.counter, object_type="refund", ids=[r.pk for r in refunds], now=timezone.now())
        changed = [o for pk, o in orders.items() if o.refunded_amount != before[pk]]
        # Add each order's new refunds in one statement, whatever the number of orders.
        where, params = ids_in("r.id", [r.pk for r in refunds])
        o_where, o_params = ids_in("id", [o.pk for o in changed])
        applied.counter.execute(f"""
            UPDATE tickets_order SET updated_at = %s, desk_changed_at = %s, refunded_amount = refunded_amount + (
                SELECT COALESCE(SUM(r.amount), 0) FROM tickets_refund r
                WHERE r.order_id = tickets_order.id AND {where})
            WHERE {o_where}
        """, [ts(timezone.now()), ts(timezone.now()), *params, *o_params])
        applied.statements += 1
        audit += _audit(Order, [(o.pk, o.store_id, before[o.pk], o.refunded_amount) for o in changed],
                        action="refund", field="refunded_amount", reason=note)
    return refunded


def _resolve_disputes(disputes: list[Dispute], *, outcome: str, note: str, kind: str, audit: list,
                      applied: Applied, via: str = "dispute") -> None:
    if not disputes:
        return
    Dispute.objects.filter(pk__in=[d.pk for d in disputes]).exclude(status=DisputeStatus.RESOLVED).update(
        status=DisputeStatus.RESOLVED, outcome=outcome, outcome_note=note,
        # The marketplace ruled at the breach time, so a platform update made after it
        # (the ERP's confirmation or correction) is newer, even if it reaches the desk
        # before the sweep that recorded the lapse.
        resolved_at=_breach_time(kind, via), updated_at=timezone.now(), desk_changed_at=_breach_time(kind, via))
    applied.statements += 1
    audit += _audit(Dispute, [(d.pk, d.store_id, d.status, DisputeStatus.RESOLVED) for d in disputes],
                    action="status", field="status", reason=note)  # the outcome is on the dispute
    events_emit_sql(applied.counter, object_type="dispute", ids=[d.pk for d in disputes], now=timezone.now())
    # The other clocks of a decided dispute no longer apply, from the moment it was
    # decided: after downtime that moment is in the past, and a clock due between it
    # and now must not lapse on a dispute the marketplace had already ruled on.
    where, params = ids_in("dispute_id", [d.pk for d in disputes])
    decided = "(SELECT d.resolved_at FROM tickets_dispute d WHERE d.id = tickets_clock.dispute_id)"
    rows = applied.counter.execute(f"""
        UPDATE tickets_clock SET state = 'cancelled', cancelled_at = {decided}, next_alert_at = NULL,
               updated_at = %s
        WHERE {where} AND state = 'running' AND due_at >= {decided} AND started_at <= {decided}
        RETURNING id, store_id
    """, [ts(timezone.now()), *params])
    audit += _audit(Clock, [(pk, store_id, ClockState.RUNNING, ClockState.CANCELLED) for pk, store_id in rows],
                    action="status", field="state", reason=note)


def _open_disputes(clock_ids: list[int], kind: str, applied: Applied) -> list[Dispute]:
    disputes = list(Dispute.objects.filter(clocks__pk__in=clock_ids).exclude(status=DisputeStatus.RESOLVED)
                    .annotate(lapsed_at=_breach_time(kind, "dispute")).distinct())
    applied.statements += 1
    return disputes


def dispute_response_lapsed(clock_ids: list[int], applied: Applied, audit: list) -> None:
    """Lost by default: buyer wins, the requested amount is refunded, ticket escalated."""
    disputes = _open_disputes(clock_ids, ClockKind.DISPUTE_RESPONSE, applied)
    note = gettext_noop("No seller response within the dispute-response time.")
    _record_refunds(disputes, lambda d: d.requested_amount, reason=RefundReason.DISPUTE_LOST, note=note,
                    audit=audit, applied=applied)
    _resolve_disputes(disputes, outcome=DisputeOutcome.BUYER_WON, note=note, kind=ClockKind.DISPUTE_RESPONSE,
                      audit=audit, applied=applied)
    if disputes:
        ticket_sql, params = _dispute_tickets(disputes)
        _flag_tickets(ticket_sql, params, escalate=True, reason=note, applied=applied)
    applied.count += len(disputes)


def refund_decision_lapsed(clock_ids: list[int], applied: Applied, audit: list) -> None:
    """The platform refunds what the buyer asked for: their pending offer, else the request."""
    disputes = _open_disputes(clock_ids, ClockKind.REFUND_DECISION, applied)
    offers = {p.dispute_id: p for p in DisputeProposal.objects.filter(
        dispute__in=[d.pk for d in disputes], party=ProposalParty.BUYER, status=ProposalStatus.PENDING)}
    applied.statements += 1
    note = gettext_noop("Refund request not decided in time.")
    _record_refunds(disputes, lambda d: offers[d.pk].amount if d.pk in offers else d.requested_amount,
                    reason=RefundReason.REFUND_REQUEST, note=note, audit=audit, applied=applied)
    if offers:
        DisputeProposal.objects.filter(pk__in=[p.pk for p in offers.values()], status=ProposalStatus.PENDING
                                       ).update(status=ProposalStatus.ACCEPTED)
        applied.statements += 1
        store_of = {d.pk: d.store_id for d in disputes}
        audit += _audit(DisputeProposal, [(p.pk, store_of[p.dispute_id], ProposalStatus.PENDING,
                                           ProposalStatus.ACCEPTED) for p in offers.values()],
                        action="status", field="status", reason=note)
    _resolve_disputes(disputes, outcome=DisputeOutcome.BUYER_WON, note=note, kind=ClockKind.REFUND_DECISION,
                      audit=audit, applied=applied)
    applied.count += len(disputes)


def _lapsed_returns(clock_ids: list[int], kind: str, status: str, applied: Applied) -> list[Return]:
    returns = list(Return.objects.filter(clocks__pk__in=clock_ids, status=status)
                   .annotate(lapsed_at=_breach_time(kind, "return_request")).select_related("dispute").distinct())
    applied.statements += 1
    return returns


def return_shipment_lapsed(clock_ids: list[int], applied: Applied, audit: list) -> None:
    """The buyer never shipped: the return closes and the money stays with the seller."""
    returns = _lapsed_returns(clock_ids, ClockKind.RETURN_SHIPMENT, ReturnStatus.AWAITING_SHIPMENT, applied)
    if not returns:
        return
    note = gettext_noop("Buyer did not ship the return in time; funds released to the seller.")
    Return.objects.filter(pk__in=[r.pk for r in returns], status=ReturnStatus.AWAITING_SHIPMENT).update(
        status=ReturnStatus.LAPSED, closed_at=_breach_time(ClockKind.RETURN_SHIPMENT, "return_request"),
        updated_at=timezone.now(), desk_changed_at=_breach_time(ClockKind.RETURN_SHIPMENT, "return_request"))
    applied.statements += 1
    audit += _audit(Return, [(r.pk, r.store_id, r.status, ReturnStatus.LAPSED) for r in returns],
                    action="status", field="status", reason=note)
    events_emit_sql(applied.counter, object_type="return", ids=[r.pk for r in returns], now=timezone.now())
    open_disputes = [r.dispute for r in returns if r.dispute.status != DisputeStatus.RESOLVED]
    _resolve_disputes(open_disputes, outcome=DisputeOutcome.SELLER_WON, note=note,
                      kind=ClockKind.RETURN_SHIPMENT, audit=audit, applied=applied, via="return_request__dispute")
    applied.count += len(returns)


def receipt_confirmation_lapsed(clock_ids: list[int], applied: Applied, audit: list) -> None:
    """The seller never confirmed receipt: the return counts as received and refunded."""
    returns = _lapsed_returns(clock_ids, ClockKind.RECEIPT_CONFIRMATION, ReturnStatus.IN_TRANSIT, applied)
    if not returns:
        return
    note = gettext_noop("Receipt not confirmed in time; treated as received and refunded.")
    lapsed = _breach_time(ClockKind.RECEIPT_CONFIRMATION, "return_request")
    Return.objects.filter(pk__in=[r.pk for r in returns], status=ReturnStatus.IN_TRANSIT).update(
        status=ReturnStatus.REFUNDED, received_at=lapsed, refunded_at=lapsed, updated_at=timezone.now(),
        desk_changed_at=lapsed)
    applied.statements += 1
    audit += _audit(Return, [(r.pk, r.store_id, r.status, ReturnStatus.REFUNDED) for r in returns],
                    action="status", field="status", reason=note)
    events_emit_sql(applied.counter, object_type="return", ids=[r.pk for r in returns], now=timezone.now())
    agreed = {p.dispute_id: p.amount for p in DisputeProposal.objects.filter(
        dispute__in=[r.dispute_id for r in returns], status=ProposalStatus.ACCEPTED)}
    applied.statements += 1
    disputes = []
    for ret in returns:
        ret.dispute.lapsed_at = ret.lapsed_at
        disputes.append(ret.dispute)
    _record_refunds(disputes, lambda d: agreed.get(d.pk, d.requested_amount), reason=RefundReason.RETURN_RECEIVED,
                    note=note, returns_by_dispute={r.dispute_id: r for r in returns}, audit=audit, applied=applied)
    _resolve_disputes([d for d in disputes if d.status != DisputeStatus.RESOLVED],
                      outcome=DisputeOutcome.AGREED_RETURN, note=note, kind=ClockKind.RECEIPT_CONFIRMATION,
                      audit=audit, applied=applied, via="return_request__dispute")
    applied.count += len(returns)


def service_clock_lapsed(clock_ids: list[int], applied: Applied, audit: list) -> None:
    """First response or escalation missed: the ticket turns red (the lapse itself,
    with its owner, is what the service figures count)."""
    # The breach has just stored each clock's ticket (its own, else its subject's).
    where, params = ids_in("c.id", clock_ids)
    ticket_sql = f"SELECT c.ticket_id FROM tickets_clock c WHERE {where} AND c.ticket_id IS NOT NULL"
    _flag_tickets(ticket_sql, params, escalate=False, reason=gettext_noop("Service clock lapsed."), applied=applied)
    applied.count += len(clock_ids)


HANDLERS = {
    ClockKind.DISPUTE_RESPONSE: dispute_response_lapsed,
    ClockKind.REFUND_DECISION: refund_decision_lapsed,
    ClockKind.RETURN_SHIPMENT: return_shipment_lapsed,
    ClockKind.RECEIPT_CONFIRMATION: receipt_confirmation_lapsed,
    ClockKind.FIRST_RESPONSE: service_clock_lapsed,
    ClockKind.SENSITIVE_ESCALATION: service_clock_lapsed,
}


def apply(*, kind: str, clock_ids: list[int], now, counter: Counter) -> int:
    """Apply the lapse consequence of ``kind`` to a batch of just-breached clocks;
    returns how many objects it changed."""
    handler = HANDLERS.get(kind)
    if handler is None:
        return 0  # a buyer's window closing costs the seller nothing
    applied = Applied(counter=counter)
    audit: list[AuditEntry] = []
    handler(clock_ids, applied, audit)
    if audit:
        AuditEntry.objects.bulk_create(audit)
        applied.statements += 1
    return applied.count
