"""Starting and stopping clocks. The sweep that breaches them is in its own issue;
these are the events every caller (admin, UI, API, tasks, commands) goes through."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.choices import ClockState
from tickets.models import Clock

from .audit import audit_record
from .workflow import transition


def clock_start(*, kind: str, subject, started_at, due_at, actor, warn_at=None, escalate_at=None,
                amount_at_stake=None, currency: str = "", basis: dict | None = None) -> Clock:
    """Start a clock on ``subject`` (a dispute, return, message, ticket or order).

    Starting a kind that already runs on the subject returns the running clock
    unchanged: a re-synced event must never start a second clock.
    """
    field = {"return": "return_request"}.get(subject._meta.model_name, subject._meta.model_name)
    clock = Clock(kind=kind, store_id=subject.store_id, started_at=started_at, due_at=due_at, warn_at=warn_at,
                  escalate_at=escalate_at, amount_at_stake=amount_at_stake, currency=currency or "USD",
                  basis=basis or {}, **{field: subject})
    clock.full_clean(exclude=["subject_key"], validate_constraints=False)
    try:
        with transaction.atomic():
            clock.save()
            audit_record(subject=clock, actor=actor, action="clock_start", field="state",
                         to_value=ClockState.RUNNING, reason=f"{kind} due {due_at.isoformat()}")
    except IntegrityError:
        # Only the "one running clock per subject" rule can fail here (the rest was
        # validated above): another caller started it first, so theirs is the clock.
        running = Clock.objects.filter(kind=kind, subject_key=clock.subject_key, state=ClockState.RUNNING).first()
        if running is None:
            raise
        return running
    return clock


def clock_meet(*, clock: Clock, actor, reason: str = "", at=None) -> Clock:
    """The deadline was honoured (a reply, a decision, a tracking number...)."""
    return transition(clock, to=ClockState.MET, actor=actor, reason=reason, extra={"met_at": at or timezone.now()})


def clock_cancel(*, clock: Clock, actor, reason: str = "", at=None) -> Clock:
    """The clock no longer applies (the dispute was withdrawn, the ticket merged...)."""
    return transition(clock, to=ClockState.CANCELLED, actor=actor, reason=reason,
                      extra={"cancelled_at": at or timezone.now()})
