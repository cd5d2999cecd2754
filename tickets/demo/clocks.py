"""Demo clocks: their policy, the stage each is at now, and starting them and their alerts."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType

from tickets.choices import AlertLevel, ClockKind, ClockState
from tickets.models import Alert, AlertReceipt, AuditEntry, Clock, ClockPolicy
from tickets.services.clocks import (
    NoPolicy,
    clock_cancel,
    clock_meet,
    clock_schedule,
    clock_start,
    policy_in_force,
    policy_versions,
)
from tickets.services.workflow import transition

from .base import SEED_ACTOR, days, hours

# The demo clock lengths: AliExpress's defaults from docs (DOMAIN.md). The real policy
# table, per marketplace, comes in its own issue; until then every demo clock says
# in its ``basis`` that it was computed with these numbers.
DEMO_CLOCK_POLICY = "aliexpress-default"
DEMO_CLOCK_LENGTHS = {
    ClockKind.DISPUTE_RESPONSE: timedelta(hours=24),
    ClockKind.REFUND_DECISION: timedelta(days=5),
    ClockKind.RETURN_SHIPMENT: timedelta(days=10),
    ClockKind.RECEIPT_CONFIRMATION: timedelta(days=30),
    ClockKind.FIRST_RESPONSE: timedelta(hours=3),  # a message inside working hours
    ClockKind.SENSITIVE_ESCALATION: timedelta(hours=2),
    ClockKind.REFUND_WINDOW: timedelta(days=15),
    ClockKind.CHARGEBACK_WINDOW: timedelta(days=180),
}
DEMO_FIRST_RESPONSE_OUTSIDE_HOURS = timedelta(hours=6)  # outside working hours or on a day off
# How long before the due time the warning, and the escalation to supervisors, fire.
# No escalation for deadlines that are not the seller's to meet.
DEMO_CLOCK_ALERTS = {
    ClockKind.DISPUTE_RESPONSE: (timedelta(hours=6), timedelta(hours=2)),
    ClockKind.REFUND_DECISION: (timedelta(hours=24), timedelta(hours=6)),
    ClockKind.RETURN_SHIPMENT: (timedelta(hours=48), None),
    ClockKind.RECEIPT_CONFIRMATION: (timedelta(hours=72), timedelta(hours=24)),
    ClockKind.FIRST_RESPONSE: (timedelta(hours=1), timedelta(minutes=30)),
    ClockKind.SENSITIVE_ESCALATION: (timedelta(hours=1), timedelta(minutes=30)),
    ClockKind.REFUND_WINDOW: (timedelta(hours=48), None),
    ClockKind.CHARGEBACK_WINDOW: (timedelta(days=7), None),
}
# A lapse the seller pays for raises a breach alert; the others only lapse.
SELLER_DEADLINES = {ClockKind.DISPUTE_RESPONSE, ClockKind.REFUND_DECISION, ClockKind.RECEIPT_CONFIRMATION,
                    ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION}
START_EVENTS = {
    ClockKind.DISPUTE_RESPONSE: "dispute.opened_at",
    ClockKind.REFUND_DECISION: "dispute.opened_at",
    ClockKind.RETURN_SHIPMENT: "return.agreed_at",
    ClockKind.RECEIPT_CONFIRMATION: "return.tracking_submitted_at",
    ClockKind.FIRST_RESPONSE: "message.sent_at",
    ClockKind.SENSITIVE_ESCALATION: "message.sent_at",
    ClockKind.REFUND_WINDOW: "order.completed_at",
    ClockKind.CHARGEBACK_WINDOW: "order.paid_at",
}
# A clock past due without its event stays RUNNING this long in the demo (the sweep,
# built later, will breach it); older ones are already BREACHED at their due time.
LAPSED_GRACE = timedelta(days=1)
# What each clock is at now. "near" means due within three hours, its warning passed.
AHEAD, NEAR, LAPSED, BREACHED, MET = "ahead", "near", "lapsed", "breached", "met"
STAGES = (AHEAD, NEAR, LAPSED, BREACHED, MET)
STAGE_WEIGHTS = {AHEAD: 30, NEAR: 10, LAPSED: 10, BREACHED: 15, MET: 35}


def clock_fate(*, due_at: datetime, now: datetime, done_at: datetime | None = None,
               cancelled_at: datetime | None = None) -> tuple:
    """(state, when) of a clock given its subject's timeline: met if the event came in
    time, cancelled if the clock stopped applying first, still running while due in the
    future or lapsed less than LAPSED_GRACE ago without its event, else breached."""
    if cancelled_at is not None and cancelled_at <= now and cancelled_at < due_at and (
            done_at is None or cancelled_at < done_at):
        return ClockState.CANCELLED, cancelled_at
    if done_at is not None and done_at <= now and done_at <= due_at:
        return ClockState.MET, done_at
    if due_at > now or (done_at is None and now - due_at < LAPSED_GRACE):
        return ClockState.RUNNING, None
    return ClockState.BREACHED, due_at


class ClocksMixin:
    """The store's working hours, clock starts worked back from a stage, clocks and alerts."""

    def in_working_hours(self, when: datetime) -> bool:
        local = when.astimezone(self.tz)
        return (str(local.isoweekday()) in self.store.working_days and local.date() not in self.days_off
                and self.store.work_start <= local.time() < self.store.work_end)

    def first_response_length(self, when: datetime) -> timedelta:
        if self.in_working_hours(when):
            return DEMO_CLOCK_LENGTHS[ClockKind.FIRST_RESPONSE]
        return DEMO_FIRST_RESPONSE_OUTSIDE_HOURS

    def start_for_stage(self, kind: str, stage: str, *, length: timedelta | None = None,
                        met_share: tuple = (0.05, 0.9)) -> tuple:
        """When a clock of ``kind`` must have started to be at ``stage`` now; for MET,
        also when its event came (a share ``met_share`` of its length in)."""
        length = length or DEMO_CLOCK_LENGTHS[kind]
        warn = DEMO_CLOCK_ALERTS[kind][0]
        now = self.now
        if stage == MET:
            offset = length * self._u(*met_share)
            started = now - offset - timedelta(minutes=self._u(10, 20 * 24 * 60))
            return started, started + offset
        if stage == AHEAD:
            due = now + warn + (length - warn) * self._u(0.1, 0.9)
        elif stage == NEAR:  # warning already passed, due within three hours
            high = min(hours(3), warn * 0.95)
            low = min(hours(1), high / 2)
            due = now + low + (high - low) * self._u(0, 1)
        elif stage == LAPSED:
            due = now - timedelta(minutes=self._u(20, 600))
        else:
            due = now - days(self._u(1, 30))
        return due - length, None

    def buyer_message_start(self, stage: str) -> tuple:
        """A first message whose working-hours clock (3 or 6 hours) is at ``stage``.
        Tries both lengths; in the few hours after work ends neither may fit NEAR."""
        lengths = (DEMO_CLOCK_LENGTHS[ClockKind.FIRST_RESPONSE], DEMO_FIRST_RESPONSE_OUTSIDE_HOURS)
        for attempt in range(12):
            length = lengths[attempt % 2]
            started, met_at = self.start_for_stage(ClockKind.FIRST_RESPONSE, stage, length=length)
            if self.first_response_length(started) == length:
                return started, length, met_at
        # No fit: keep the last start with its true length (a MET reply stays in time).
        length = self.first_response_length(started)
        return started, length, met_at and min(met_at, started + length)

    def _clock(self, kind, subject, started, *, amount, owner, label, length=None, done_at=None, done_by=None,
               done_reason="", cancelled_at=None, basis=None) -> None:
        """Start a clock at its subject's own time, then bring it to where its
        subject's timeline says it is now."""
        length = length or DEMO_CLOCK_LENGTHS[kind]
        due = started + length
        warn_before, escalate_before = DEMO_CLOCK_ALERTS[kind]
        # Replaying the subject's events through the services (offers, decisions,
        # return tracking) already started and stopped its clocks, with the policy's
        # lengths and the seed's "now" for decisions that carry no time. The demo's
        # clock, consistent with the whole timeline, replaces theirs.
        field = {"return": "return_request"}.get(subject._meta.model_name, subject._meta.model_name)
        replaced = Clock.objects.filter(kind=kind, **{field: subject})
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Clock),
                                  object_id__in=replaced.values("pk")).delete()
        replaced.delete()
        if kind in (ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION):
            amount = None  # as from real events: a missed answer costs service score, not a sum
        policy, policy_basis = self._policy_basis(kind, started, due)
        clock = clock_start(
            kind=kind, subject=subject, started_at=started, due_at=due, warn_at=due - warn_before,
            escalate_at=due - escalate_before if escalate_before else None, actor=SEED_ACTOR,
            amount_at_stake=amount, currency=self.currency, policy=policy,
            basis={"policy": DEMO_CLOCK_POLICY, "length_hours": length.total_seconds() / 3600,
                   "start_event": START_EVENTS[kind], "timezone": self.store.timezone, "demo": True,
                   **(basis or {}), **policy_basis},
        )
        state, at = clock_fate(due_at=due, now=self.now, done_at=done_at, cancelled_at=cancelled_at)
        if state == ClockState.MET:
            clock_meet(clock=clock, actor=done_by or SEED_ACTOR, reason=done_reason, at=at)
        elif state == ClockState.BREACHED:
            transition(clock, to=ClockState.BREACHED, actor=SEED_ACTOR, extra={"breached_at": clock.due_at})
        elif state == ClockState.CANCELLED:
            clock_cancel(clock=clock, actor=SEED_ACTOR, reason="The dispute was decided by the platform.", at=at)
        self.clocks.append((clock, owner, label))

    def _policy_basis(self, kind, started: datetime, due: datetime) -> tuple:
        """The store's policy version for this clock and the basis it records, when
        the policy gives the demo's due time (the AliExpress store's clocks); else
        none, so that no explanation names a rule the due time does not follow."""
        try:
            policy = policy_in_force(policy_versions(marketplace=self.store.marketplace, kind=kind), started)
        except NoPolicy:
            return None, {}
        schedule = clock_schedule(policy=policy, store=self.store, started_at=started)
        if schedule["due_at"] != due:
            return None, {}
        basis = {"policy_id": policy.pk, "policy_version": policy.version, "marketplace": self.store.marketplace,
                 "length_hours": policy.length.total_seconds() / 3600, **schedule["calendar"]}
        return policy, basis

    def _write_alerts(self) -> None:
        """The alerts the clocks have raised so far, backdated to when each threshold
        was crossed, and each one in its owner's inbox (the store's agents when the
        clock has no owner; supervisors too from escalation on). Breaches older than a
        week are left out, as after downtime: no storm of stale alerts."""
        now, alerts, recipients = self.now, [], []
        # The buyer's own windows raise none, as their policies say (the sweep obeys the same flag).
        quiet = set(ClockPolicy.objects.filter(marketplace=self.store.marketplace, is_current=True,
                                               raises_alerts=False).values_list("kind", flat=True))
        for clock, owner, label in self.clocks:
            if clock.kind in quiet:
                continue
            levels = []
            if clock.state == ClockState.RUNNING or (
                    clock.state == ClockState.BREACHED and clock.kind in SELLER_DEADLINES
                    and now - clock.breached_at < days(7)):
                levels = [(AlertLevel.WARNING, clock.warn_at), (AlertLevel.ESCALATION, clock.escalate_at)]
            if clock.state == ClockState.BREACHED and levels:
                levels.append((AlertLevel.BREACH, clock.breached_at))
            due = f"{clock.due_at.astimezone(self.tz):%Y-%m-%d %H:%M} {self.store.timezone}"
            kind = ClockKind(clock.kind).label
            for level, raised in levels:
                if raised is None or raised > now:
                    continue
                text = {AlertLevel.WARNING: f"{kind} on {label} is due {due}.",
                        AlertLevel.ESCALATION: f"Escalated to supervisors: {kind} on {label} is due {due}.",
                        AlertLevel.BREACH: f"{kind} on {label} lapsed at {due}."}[level]
                alerts.append(Alert(store=self.store, clock=clock, level=level, raised_at=raised, text=text))
                users = [owner] if owner else list(self.agents)
                if level != AlertLevel.WARNING:
                    users += self.supervisors
                recipients.append(users)
        Alert.objects.bulk_create(alerts)
        receipts = []
        for alert, users in zip(alerts, recipients, strict=True):
            for user in dict.fromkeys(users):
                read_at = acknowledged_at = None
                if now - alert.raised_at > hours(1) and self.rng.random() < 0.6:
                    read_at = alert.raised_at + (now - alert.raised_at) * self._u(0.01, 0.3)
                    if self.rng.random() < 0.5:
                        acknowledged_at = read_at + (now - read_at) * self._u(0.01, 0.2)
                receipts.append(AlertReceipt(alert=alert, user=user, read_at=read_at,
                                             acknowledged_at=acknowledged_at))
        AlertReceipt.objects.bulk_create(receipts)
