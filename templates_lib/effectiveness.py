"""How well each template works, per language: uses, time to resolution, dispute outcomes.

One grouped query over ``TemplateUse`` whatever the number of templates:

- ``uses``: replies sent from the template in that language;
- ``median_hours``: median time from a send to its ticket's resolution, over the
  sends whose ticket is resolved (PostgreSQL's ``percentile_cont``; on SQLite the
  durations are read and the median taken in Python);
- for the distinct tickets with a resolved dispute: the share resolved by agreement
  (any ``agreed_*`` outcome), won (seller won, or the buyer withdrew) and lost
  (buyer won). A ticket with several disputes counts in each outcome it had.
"""

import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
)
from django.db.models.functions import Extract

from tickets.choices import DisputeOutcome, DisputeStatus
from tickets.models import Dispute

from .models import TemplateUse

AGREED = [o for o in DisputeOutcome.values if o.startswith("agreed_")]
WON = [DisputeOutcome.SELLER_WON, DisputeOutcome.WITHDRAWN]
LOST = [DisputeOutcome.BUYER_WON]


class Median(Aggregate):
    """PostgreSQL's continuous median of a number."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _outcome(outcomes) -> Exists:
    return Exists(Dispute.objects.filter(ticket=OuterRef("ticket"), status=DisputeStatus.RESOLVED,
                                         outcome__in=outcomes))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def template_effectiveness(uses=None, *, with_median: bool = True) -> list[dict]:
    """Figures per (template, language) over ``uses`` (a ``TemplateUse`` queryset,
    already scoped by the caller; default all), ordered by template and language.
    ``with_median=False`` skips the time to resolution (``median_hours`` is None)."""
    uses = TemplateUse.objects.all() if uses is None else uses
    resolved = Q(ticket__resolved_at__isnull=False, ticket__resolved_at__gte=F("sent_at"))
    to_resolution = ExpressionWrapper(F("ticket__resolved_at") - F("sent_at"), output_field=DurationField())
    disputed = Exists(Dispute.objects.filter(ticket=OuterRef("ticket"), status=DisputeStatus.RESOLVED))
    rows = (
        uses.order_by().values("template", "language")
        .annotate(
            uses=Count("id"),
            disputed=Count("ticket", distinct=True, filter=disputed),
            agreed=Count("ticket", distinct=True, filter=_outcome(AGREED)),
            won=Count("ticket", distinct=True, filter=_outcome(WON)),
            lost=Count("ticket", distinct=True, filter=_outcome(LOST)),
        )
        .order_by("template", "language")
    )
    postgres = connection.vendor == "postgresql"
    if postgres and with_median:
        rows = rows.annotate(median_seconds=Median(Extract(to_resolution, "epoch"), filter=resolved))
    rows = list(rows)
    if not with_median:
        for row in rows:
            row["median_seconds"] = None
    elif not postgres:
        durations = defaultdict(list)
        for template_id, language, resolved_at, sent_at in uses.filter(resolved).order_by().values_list(
                "template", "language", "ticket__resolved_at", "sent_at"):
            durations[template_id, language].append((resolved_at - sent_at).total_seconds())
        for row in rows:
            found = durations.get((row["template"], row["language"]))
            row["median_seconds"] = statistics.median(found) if found else None
    for row in rows:
        seconds = row.pop("median_seconds")
        row["median_hours"] = round(seconds / 3600, 2) if seconds is not None else None
        row["agreed_share"] = _share(row["agreed"], row["disputed"])
        row["won_share"] = _share(row["won"], row["disputed"])
        row["lost_share"] = _share(row["lost"], row["disputed"])
    return rows
