"""A ticket's history as its page shows it: the audit entries of the ticket and of
what hangs on it (its disputes, their returns and offers), in the reader's words."""

import datetime as dt
import zoneinfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from tickets.models import AuditEntry, Clock, Dispute, DisputeProposal, Return, Ticket
from tickets.models.sensitive import SensitiveTopic

HISTORY_LIMIT = 50
SENSITIVE_PREFIX = "sensitive: "


def ticket_history(ticket: Ticket, disputes: list[Dispute], clocks=()) -> list[AuditEntry]:
    """The newest entries first, in one query; ``disputes`` are the ticket's, with their
    returns prefetched, and ``clocks`` its clocks with their ``subject_label`` (the page
    has them already): when each started, was met, lapsed or was cancelled."""
    types = ContentType.objects.get_for_models(Ticket, Dispute, Return, DisputeProposal, Clock)
    returns = [ret for dispute in disputes for ret in dispute.returns.all()]
    names = {
        (types[Dispute].pk, d.pk): _("Dispute %(id)s") % {"id": d.external_id} for d in disputes
    } | {(types[Return].pk, r.pk): _("Return %(id)s") % {"id": r.external_id} for r in returns}
    where = Q(content_type=types[Ticket], object_id=ticket.pk)
    if disputes:
        where |= Q(content_type=types[Dispute], object_id__in=[d.pk for d in disputes])
        where |= Q(content_type=types[DisputeProposal],
                   object_id__in=DisputeProposal.objects.filter(dispute__in=[d.pk for d in disputes]).values("pk"))
    if returns:
        where |= Q(content_type=types[Return], object_id__in=[r.pk for r in returns])
    if clocks:
        where |= Q(content_type=types[Clock], object_id__in=[c.pk for c in clocks])
        names |= {(types[Clock].pk, c.pk): _("%(clock)s on %(subject)s") % {
            "clock": c.get_kind_display(), "subject": c.subject_label} for c in clocks}
    entries = list(AuditEntry.objects.filter(where).select_related("actor")[:HISTORY_LIMIT])
    zone = zoneinfo.ZoneInfo(ticket.store.timezone)
    clock_by_id = {c.pk: c for c in clocks}
    dispute_by_id = {d.pk: d for d in disputes}
    by_type = {ct.pk: model for model, ct in types.items()}
    for entry in entries:
        model = by_type[entry.content_type_id]
        entry.object_label = "" if model is Ticket else names.get(
            (entry.content_type_id, entry.object_id), _("Offer #%(id)s") % {"id": entry.object_id})
        labels = _choices(model, entry.field)
        entry.field_label = "" if labels else _field_name(model, entry.field)
        entry.from_label = labels.get(entry.from_value) or _value(model, entry.field, entry.from_value, zone)
        entry.to_label = labels.get(entry.to_value) or _value(model, entry.field, entry.to_value, zone)
        entry.reason_label = _reason(entry.reason)
        if model is Clock and entry.action == "clock_start" and entry.object_id in clock_by_id:
            # The stored reason is a code and a UTC time: say it from the clock, in the store's zone.
            clock = clock_by_id[entry.object_id]
            entry.reason_label = _("started %(start)s, due %(due)s") % {
                "start": _local(clock.started_at, zone), "due": _local(clock.due_at, zone)}
        elif model is Dispute and entry.action == "create" and entry.object_id in dispute_by_id:
            d = dispute_by_id[entry.object_id]
            entry.reason_label = _("%(family)s, %(reason)s: %(solution)s, %(currency)s %(amount)s") % {
                "family": d.get_family_display(), "reason": d.get_reason_display(),
                "solution": d.get_requested_solution_display(), "currency": d.currency,
                "amount": d.requested_amount}
        entry.actor_name = _actor(entry)
    return entries


def _choices(model, field: str) -> dict:
    # Status, priority and outcome names in the reader's language, not their codes.
    try:
        return dict(model._meta.get_field(field).choices or [])
    except FieldDoesNotExist:  # a field the model no longer has, or none at all (an action's entry)
        return {}


def _field_name(model, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return ""


def _local(moment, zone) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def _value(model, field: str, value: str, zone) -> str:
    """A stored time (ISO text) as the page writes times: to the minute, in the store's zone."""
    try:
        is_time = isinstance(model._meta.get_field(field), models.DateTimeField)
    except FieldDoesNotExist:
        is_time = False
    if is_time and value:
        try:
            return _local(dt.datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    return value


def _reason(reason: str) -> str:
    """The desk's own reasons are stored in English (``gettext_noop``): say them in the
    reader's language; a sensitive message names its topics."""
    if not reason:
        return ""
    if reason.startswith(SENSITIVE_PREFIX):
        labels = dict(SensitiveTopic.choices)
        topics = [str(labels.get(code.strip(), code.strip())) for code in reason[len(SENSITIVE_PREFIX):].split(",")]
        return _("Sensitive message: %(topics)s") % {"topics": ", ".join(topics)}
    return _(reason)


def _actor(entry: AuditEntry) -> str:
    if entry.actor_id:
        return entry.actor.get_username()
    label = entry.actor_label
    if label == "system:sweep":
        return _("the deadline sweep")
    if label.startswith("api:"):
        return _("API key “%(name)s”") % {"name": label[len("api:"):]}
    return label
