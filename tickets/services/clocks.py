"""Starting, meeting and cancelling clocks, and explaining them.

Every event that starts or stops a clock calls one of these functions, whoever
reports it (admin, agent pages, API, tasks, commands). Lengths never live in code:
they come from the marketplace's current ``ClockPolicy``.
"""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from tickets.choices import ClockKind, ClockState, Marketplace
from tickets.models import AuditEntry, Clock, ClockPolicy, Ticket, User

from .audit import audit_dicts, audit_record, audit_rows
from .bulk_sql import insert_rows
from .calendar import calendar_for_store, first_response_due, has_make_up_days, public_holidays_between
from .workflow import transition


class NoPolicy(LookupError):
    """No current policy for this marketplace and clock kind."""


def policy_current(*, marketplace: str, kind: str) -> ClockPolicy:
    policy = ClockPolicy.objects.filter(marketplace=marketplace, kind=kind, is_current=True).first()
    if policy is None:
        raise NoPolicy(f"no current {kind} policy for {marketplace}")
    return policy


def day_end(moment: dt.datetime, zone: str) -> dt.datetime:
    """23:59:59 of ``moment``'s day in ``zone`` (in UTC): where a marketplace's
    deadlines fall at the end of a day, not at the minute the event happened."""
    tz = zoneinfo.ZoneInfo(zone)
    local = moment.astimezone(tz)
    return dt.datetime.combine(local.date(), dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.UTC)


def policy_versions(*, marketplace: str, kind: str) -> list[ClockPolicy]:
    """Every version of a marketplace's policy for ``kind``, oldest first; empty when
    the marketplace has no such clock now (no current version)."""
    versions = list(ClockPolicy.objects.filter(marketplace=marketplace, kind=kind).order_by("version"))
    return versions if any(v.is_current for v in versions) else []


def policy_in_force(versions: list[ClockPolicy], at: dt.datetime) -> ClockPolicy:
    """The version that governed a clock whose start event happened at ``at``: the
    last one revised by then. A revision applies to clocks started after it, even when
    their event reaches the desk later; an event older than every version falls under
    the first."""
    if not versions:
        raise NoPolicy("no current policy")
    in_force = [v for v in versions if v.created_at <= at]
    return in_force[-1] if in_force else versions[0]


def clock_schedule(*, policy: ClockPolicy, store, started_at: dt.datetime) -> dict:
    """Due, warning and escalation times of a clock started now under ``policy``.

    Marketplace clocks are elapsed time; working-hours clocks count the store's
    calendar. Warning points never fall before the start.
    """
    # Elapsed lengths are added in UTC: 24 hours across a DST change are still 24 hours.
    started_at = started_at.astimezone(dt.UTC)
    explanation = {}
    if policy.uses_working_hours:
        due_at, explanation = first_response_due(
            calendar_for_store(store), started_at, inside=policy.length,
            outside=policy.outside_length or policy.length, cap=policy.cap or policy.length * 8,
        )
    else:
        due_at = started_at + policy.length
        if policy.day_end_zone:
            due_at = day_end(due_at, policy.day_end_zone)
            explanation = {"day_end_zone": policy.day_end_zone}
    warn_at = escalate_at = None
    if policy.raises_alerts and policy.warn_before:
        warn_at = max(started_at, due_at - policy.warn_before)
        escalate_at = max(warn_at, due_at - policy.effective_escalate_before)
    return {"due_at": due_at, "warn_at": warn_at, "escalate_at": escalate_at, "calendar": explanation}


def clock_start(*, kind: str, subject, started_at, due_at, actor, warn_at=None, escalate_at=None,
                amount_at_stake=None, currency: str = "", basis: dict | None = None, policy=None) -> Clock:
    """Start a clock with explicit times on ``subject`` (a dispute, return, message,
    ticket or order).

    Starting a kind that already runs on the subject returns the running clock
    unchanged: a re-synced event must never start a second clock.
    """
    field = {"return": "return_request"}.get(subject._meta.model_name, subject._meta.model_name)
    alerts = [t for t in (warn_at, escalate_at) if t is not None]
    clock = Clock(kind=kind, store_id=subject.store_id, started_at=started_at, due_at=due_at, warn_at=warn_at,
                  escalate_at=escalate_at, next_alert_at=min(alerts) if alerts else None,
                  amount_at_stake=amount_at_stake, currency=currency or "USD", basis=basis or {}, policy=policy,
                  **{field: subject})
    if field != "ticket":
        # The ticket whose assignee answers for the clock; it does not change the
        # subject (subject_key prefers dispute, return and message over ticket).
        clock.ticket_id = _ticket_of(subject)
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


def _ticket_of(subject) -> int | None:
    name = subject._meta.model_name
    if name in ("message", "dispute"):
        return subject.ticket_id
    if name == "return":
        return subject.dispute.ticket_id
    return None


def _basis(policy, store, started_at: dt.datetime, start_event: str, schedule: dict) -> dict:
    """Why a clock is due when it is: kept on the clock, so it can explain itself."""
    return {
        "policy_id": policy.pk,
        "policy_version": policy.version,
        "marketplace": store.marketplace,
        "length_hours": policy.length.total_seconds() / 3600,
        "start_event": start_event,
        "started_at": started_at.isoformat(),
        "timezone": store.timezone,
        **schedule["calendar"],
    }


def clock_start_for(*, kind: str, subject, started_at: dt.datetime, actor, start_event: str,
                    amount_at_stake: Decimal | None = None, currency: str = "") -> Clock | None:
    """Start ``kind`` on ``subject`` at the platform time of ``start_event``, with
    lengths from the store's marketplace policy. Without a policy (a marketplace
    that has no such clock) nothing starts."""
    store = subject.store
    try:
        policy = policy_in_force(policy_versions(marketplace=store.marketplace, kind=kind), started_at)
    except NoPolicy:
        return None
    schedule = clock_schedule(policy=policy, store=store, started_at=started_at)
    basis = _basis(policy, store, started_at, start_event, schedule)
    return clock_start(kind=kind, subject=subject, started_at=started_at, due_at=schedule["due_at"],
                       warn_at=schedule["warn_at"], escalate_at=schedule["escalate_at"], actor=actor,
                       amount_at_stake=amount_at_stake, currency=currency, basis=basis, policy=policy)


def clocks_start_many(*, kind: str, starts: list[dict], actor, start_event: str) -> list[dict]:
    """``clock_start_for`` for many new subjects at once. Each start names its subject
    by column (``{"order_id": 7}``) and gives ``store``, ``started_at``, ``amount``,
    ``currency`` and ``ticket_id``. One insert for the clocks and one for their
    audit entries, for a sync of a thousand orders; returns the clock rows.

    Meant for subjects created in the same transaction, which cannot have a running
    clock yet; a concurrent start of the same clock fails the insert (IntegrityError)
    and the caller falls back to the one-by-one path.
    """
    policies, rows = {}, []
    for start in starts:
        store = start["store"]
        if store.marketplace not in policies:
            policies[store.marketplace] = policy_versions(marketplace=store.marketplace, kind=kind)
        if not policies[store.marketplace] or start["started_at"] is None:
            continue
        policy = policy_in_force(policies[store.marketplace], start["started_at"])
        schedule = clock_schedule(policy=policy, store=store, started_at=start["started_at"])
        alerts = [t for t in (schedule["warn_at"], schedule["escalate_at"]) if t is not None]
        (subject_field, subject_pk), = start["subject"].items()
        rows.append({
            "kind": kind, "state": ClockState.RUNNING, "store_id": store.pk, subject_field: subject_pk,
            "subject_key": f"{subject_field.removesuffix('_id')}:{subject_pk}", "ticket_id": start["ticket_id"],
            "started_at": start["started_at"], "due_at": schedule["due_at"], "warn_at": schedule["warn_at"],
            "escalate_at": schedule["escalate_at"], "next_alert_at": min(alerts) if alerts else None,
            "amount_at_stake": start["amount"], "currency": start["currency"] or "USD", "policy_id": policy.pk,
            "basis": _basis(policy, store, start["started_at"], start_event, schedule),
        })
    insert_rows(Clock, rows)
    insert_rows(AuditEntry, audit_dicts(
        Clock, [(row["id"], row["store_id"], "", ClockState.RUNNING) for row in rows], actor=actor,
        action="clock_start", field="state", reason=f"{kind} ({start_event})"))
    return rows


def _stop_running(clocks, *, to: str, time_field: str, at: dt.datetime, actor, reason: str) -> int:
    """Move the running clocks of ``clocks`` to ``to`` in one conditional UPDATE,
    with one audit row each. Clocks already due before ``at`` are left to the sweep:
    the deadline had passed, so the marketplace already applied the lapse. Clocks
    started after ``at`` are left running: an event older than a clock (a reply
    synced late) cannot stop it."""
    with transaction.atomic():
        ids = list(clocks.filter(state=ClockState.RUNNING, due_at__gte=at, started_at__lte=at)
                   .select_for_update(of=("self",)).values_list("pk", "store_id"))
        if not ids:
            return 0
        extra = {"owner": _credited_to(actor)} if to == ClockState.MET else {}
        changed = Clock.objects.filter(pk__in=[pk for pk, _ in ids], state=ClockState.RUNNING).update(
            state=to, next_alert_at=None, updated_at=timezone.now(), **{time_field: at}, **extra)
        AuditEntry.objects.bulk_create(audit_rows(
            Clock, [(pk, store_id, ClockState.RUNNING, to) for pk, store_id in ids],
            actor=actor, action="status", field="state", reason=reason))
    return changed


def _credited_to(actor):
    """Who a met clock counts for in the service figures: the person who met it, and
    when the platform or the ERP reports it, whoever holds the clock's ticket."""
    if isinstance(actor, User):
        return Value(actor.pk)
    return Subquery(Ticket.objects.filter(pk=OuterRef("ticket_id")).values("assignee_id")[:1])


def clocks_meet(*, clocks, actor, reason: str, at: dt.datetime | None = None) -> int:
    """The deadline was honoured (a reply, a decision, a tracking number...)."""
    return _stop_running(clocks, to=ClockState.MET, time_field="met_at", at=at or timezone.now(), actor=actor,
                         reason=reason)


def clocks_cancel(*, clocks, actor, reason: str, at: dt.datetime | None = None) -> int:
    """The clocks no longer apply (the dispute was withdrawn or resolved...)."""
    return _stop_running(clocks, to=ClockState.CANCELLED, time_field="cancelled_at", at=at or timezone.now(),
                         actor=actor, reason=reason)


def clock_meet(*, clock: Clock, actor, reason: str = "", at=None) -> Clock:
    """Meet one clock by hand (admin); refused once it is no longer running."""
    return transition(clock, to=ClockState.MET, actor=actor, reason=reason, extra={"met_at": at or timezone.now(),
                                                                                   "next_alert_at": None})


def clock_cancel(*, clock: Clock, actor, reason: str = "", at=None) -> Clock:
    return transition(clock, to=ClockState.CANCELLED, actor=actor, reason=reason,
                      extra={"cancelled_at": at or timezone.now(), "next_alert_at": None})


# Explaining a clock -------------------------------------------------------------------
def _money(clock: Clock) -> str:
    if clock.amount_at_stake is None:
        return ""
    return f"{clock.currency} {clock.amount_at_stake:,.2f}"


# Related rows a page or an API list loads with its clocks, so that each clock names
# its subject without a query of its own.
SUBJECT_RELATIONS = ("dispute", "return_request", "order", "message")


def clock_subject_label(clock: Clock) -> str:
    """The object the clock runs on, as people know it: the platform's dispute or
    return id, the order number, the message's time. Uses only rows loaded with the
    clock (``SUBJECT_RELATIONS``); otherwise the stored key."""
    zone = _clock_zone(clock)
    if clock.dispute_id and Clock.dispute.is_cached(clock):
        return _("dispute %(id)s") % {"id": clock.dispute.external_id}
    if clock.return_request_id and Clock.return_request.is_cached(clock):
        return _("return %(id)s") % {"id": clock.return_request.external_id}
    if clock.message_id and Clock.message.is_cached(clock):
        return _("buyer message of %(at)s") % {"at": _at(clock.message.sent_at, zone)}
    if clock.order_id and Clock.order.is_cached(clock):
        return _("order %(number)s") % {"number": clock.order.order_number}
    if clock.ticket_id and not (clock.dispute_id or clock.return_request_id or clock.message_id or clock.order_id):
        return _("ticket #%(id)s") % {"id": clock.ticket_id}
    return clock.subject_key


def alert_text(alert) -> str:
    """An alert in one line, in the reader's language: the stored ``text`` is a
    fixed English record."""
    clock = alert.clock
    return _("%(level)s: %(clock)s on %(subject)s, due %(due)s.") % {
        "level": alert.get_level_display(), "clock": clock.get_kind_display(), "subject": clock_subject_label(clock),
        "due": _at(clock.due_at, _clock_zone(clock))}


def lapse_consequence(clock: Clock) -> str:
    """What the marketplace does if this clock lapses, with the money at stake.
    Each kind has a whole sentence for a known amount and one for an unknown amount."""
    money = _money(clock)
    with_money = {
        ClockKind.DISPUTE_RESPONSE: _("Dispute lost by default: the buyer's refund of %(money)s executes."),
        ClockKind.REFUND_DECISION: _("The platform refunds the %(money)s the buyer asked for."),
        ClockKind.RETURN_SHIPMENT: _("The return lapses and the %(money)s is released to the seller."),
        ClockKind.RECEIPT_CONFIRMATION: _("The return counts as received and the buyer is refunded %(money)s."),
    }
    if money and clock.kind in with_money:
        return with_money[clock.kind] % {"money": money}
    texts = {
        ClockKind.DISPUTE_RESPONSE: _("Dispute lost by default: the buyer's refund executes."),
        ClockKind.REFUND_DECISION: _("The platform refunds the amount the buyer asked for."),
        ClockKind.RETURN_SHIPMENT: _("The return lapses and the amount is released to the seller."),
        ClockKind.RECEIPT_CONFIRMATION: _("The return counts as received and the buyer is refunded."),
        ClockKind.FIRST_RESPONSE: _("Yellow warning and a lower service score; the ticket turns red."),
        ClockKind.SENSITIVE_ESCALATION: _("The seller loses protection in a later dispute; the ticket turns red."),
        ClockKind.REFUND_WINDOW: _("The buyer can no longer ask for a refund in this order."),
        ClockKind.CHARGEBACK_WINDOW: _("The buyer's card issuer stops accepting chargebacks."),
    }
    return texts[clock.kind]


# The events that start clocks, as ``clock_start_for`` callers record them in
# ``basis["start_event"]``: "<model>.<field holding the platform time>".
START_EVENT_LABELS = {
    "dispute.opened_at": pgettext_lazy("clock start event", "Dispute opened"),
    "proposal.proposed_at": pgettext_lazy("clock start event", "Buyer's refund proposal made"),
    "return.agreed_at": pgettext_lazy("clock start event", "Return agreed"),
    "return.tracking_submitted_at": pgettext_lazy("clock start event", "Return tracking number submitted"),
    "message.sent_at": pgettext_lazy("clock start event", "Buyer message received"),
    "order.paid_at": pgettext_lazy("clock start event", "Order paid"),
    "order.completed_at": pgettext_lazy("clock start event", "Order completed"),
}
# ``WorkingCalendar.describe()`` as stored in ``basis["calendar"]``: a record in a
# fixed form, read back here to say it in the reader's language.
_STORED_CALENDAR = re.compile(
    r"^(?P<zone>[^,]+), days (?P<days>[1-7]*), (?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)"
    r"(?:, holidays (?P<country>[A-Za-z]+))?(?: \+(?P<off>\d+) store days off)?$"
)


def _at(moment: dt.datetime, zone: str) -> str:
    """``moment`` as "YYYY-MM-DD HH:MM (Zone)" in ``zone``."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz, zone = dt.UTC, "UTC"
    local = moment.astimezone(tz)
    # Clocks count to the second; most platform times fall on a whole minute.
    return pgettext("a time and its time zone", "%(time)s (%(zone)s)") % {
        "time": f"{local:%Y-%m-%d %H:%M:%S}" if local.second else f"{local:%Y-%m-%d %H:%M}", "zone": zone}


def _length(hours: float) -> str:
    """A policy length as people say it: hours up to two days, whole days beyond."""
    if hours >= 48 and hours % 24 == 0:
        days = int(hours // 24)
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    return _("%(hours)s h") % {"hours": f"{hours:g}"}


def _holidays_skipped(clock: Clock, zone: str, stored_calendar: str) -> list[str]:
    """The public holidays between the clock's start and due days, by name."""
    match = _STORED_CALENDAR.match(stored_calendar or "")
    if match is None or not match["country"]:
        return []
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    days = public_holidays_between(match["country"], clock.started_at.astimezone(tz).date(),
                                   clock.due_at.astimezone(tz).date(),
                                   language="zh_CN" if (get_language() or "").startswith("zh") else "en_US")
    if not days:
        return []
    return [_("Days off on the way: %(days)s.") % {"days": _join(f"{day:%Y-%m-%d} {name}" for day, name in days)}]


def _clock_zone(clock: Clock) -> str:
    """The store's zone: from the store if it is loaded, else as recorded at the
    start (explaining a clock never costs a query), else UTC."""
    if Clock.store.is_cached(clock):
        return clock.store.timezone
    return (clock.basis or {}).get("timezone") or "UTC"


def _join(items) -> str:
    return pgettext("list separator", ", ").join(str(item) for item in items)


def _weekdays(days: str) -> str:
    numbers = sorted({int(d) for d in days})
    names = [WEEKDAYS[n - 1] for n in numbers]
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return pgettext("a range of weekdays", "%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
    return _join(names)


def _calendar_sentences(stored: str) -> list[str]:
    match = _STORED_CALENDAR.match(stored or "")
    if match is None:  # an older or unknown form: show it as recorded
        return [_("Store calendar: %(calendar)s.") % {"calendar": stored}] if stored else []
    values = match.groupdict()
    if values["days"]:
        sentences = [_("Working hours: %(days)s, %(start)s–%(end)s (%(zone)s).") % {
            "days": _weekdays(values["days"]), "start": values["start"], "end": values["end"],
            "zone": values["zone"]}]
    else:
        sentences = [_("The store calendar has no working days.")]
    if values["country"]:
        sentences.append(_("Public holidays of %(country)s are days off.") % {"country": values["country"]})
        if has_make_up_days(values["country"]):
            sentences.append(_("Its make-up working days (weekend days worked in exchange) are working days."))
    if values["off"]:
        count = int(values["off"])
        sentences.append(ngettext("The store has %(count)s more day off.", "The store has %(count)s more days off.",
                                  count) % {"count": count})
    return sentences


def clock_explanation_lines(clock: Clock) -> list[str]:
    """Why the clock is due when it is, as whole sentences: policy, start event,
    calendar, due time. Pages show them as a list."""
    basis = clock.basis or {}
    zone = _clock_zone(clock)
    lines = []
    if basis.get("policy_version"):
        code = basis.get("marketplace", "")
        names = {"marketplace": Marketplace(code).label if code in Marketplace.values else code,
                 "version": basis["policy_version"]}
        if "received_in_working_hours" in basis:
            # The length that applied depends on when the message came: the next line says it.
            lines.append(_("%(marketplace)s policy, version %(version)s.") % names)
        else:
            lines.append(_("%(marketplace)s policy, version %(version)s: %(length)s.") % {
                **names, "length": _length(basis.get("length_hours", 0))})
    if basis.get("start_event"):
        event = basis["start_event"]
        lines.append(_("Started by “%(event)s” at %(at)s, the time the platform gives.") % {
            "event": START_EVENT_LABELS.get(event, event), "at": _at(clock.started_at, zone)})
    if "received_in_working_hours" in basis:
        numbers = {"allowance": f"{basis['allowance_hours']:g}", "cap": f"{basis['cap_hours']:g}"}
        if basis["received_in_working_hours"]:
            lines.append(_("Received inside working hours: %(allowance)s working hours to answer, "
                           "never more than %(cap)s h in all.") % numbers)
        else:
            lines.append(_("Received outside working hours: %(allowance)s working hours to answer from the next "
                           "opening, never more than %(cap)s h in all.") % numbers)
        if basis.get("capped"):
            lines.append(_("The cap applies."))
        lines.extend(_calendar_sentences(basis.get("calendar", "")))
        lines.extend(_holidays_skipped(clock, zone, basis.get("calendar", "")))
    elif basis.get("timezone"):
        lines.append(_("Elapsed time, counted in UTC; the store's zone is %(tz)s.") % {"tz": basis["timezone"]})
    if basis.get("day_end_zone"):
        lines.append(_("The marketplace's deadlines fall at 23:59:59 of the day in %(zone)s.") % {
            "zone": basis["day_end_zone"]})
    lines.append(_("Due %(due)s.") % {"due": _at(clock.due_at, zone)})
    return lines


def clock_explanation(clock: Clock) -> str:
    """``clock_explanation_lines`` as one text, a sentence per line (the API's field)."""
    return "\n".join(clock_explanation_lines(clock))
