"""Effectiveness figures per template and language, on known data."""

import datetime as dt

import pytest

from templates_lib.effectiveness import template_effectiveness
from templates_lib.models import TemplateUse
from tickets.choices import DisputeOutcome, DisputeStatus, TicketStatus
from tickets.tests.factories import T0, DisputeFactory, TemplateBodyFactory, TemplateUseFactory, TicketFactory

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def use(store, body, *, resolved_after=None, outcome=None, sent_at=T0):
    ticket = TicketFactory(store=store, status=TicketStatus.RESOLVED if resolved_after else TicketStatus.OPEN)
    ticket.resolved_at = sent_at + resolved_after if resolved_after else None
    ticket.save(update_fields=["resolved_at"])
    if outcome:
        DisputeFactory(store=store, order=ticket.order, ticket=ticket, status=DisputeStatus.RESOLVED,
                       outcome=outcome)
    return TemplateUseFactory(ticket=ticket, body=body, sent_at=sent_at)


def test_uses_median_and_dispute_shares(store):
    en = TemplateBodyFactory(language="en")
    fr = TemplateBodyFactory(template=en.template, language="fr")
    use(store, en, resolved_after=2 * H, outcome=DisputeOutcome.AGREED_PARTIAL_REFUND)
    use(store, en, resolved_after=4 * H, outcome=DisputeOutcome.SELLER_WON)
    use(store, en, resolved_after=10 * H, outcome=DisputeOutcome.BUYER_WON)
    use(store, en, resolved_after=30 * H, outcome=DisputeOutcome.AGREED_RESHIP)
    use(store, en)  # not resolved yet: a use, but no time and no outcome
    use(store, fr, resolved_after=1 * H)

    rows = {r["language"]: r for r in template_effectiveness()}

    assert rows["en"] == {
        "template": en.template_id, "language": "en", "uses": 5, "median_hours": 7.0,
        "disputed": 4, "agreed": 2, "won": 1, "lost": 1,
        "agreed_share": 0.5, "won_share": 0.25, "lost_share": 0.25,
    }
    assert (rows["fr"]["uses"], rows["fr"]["median_hours"], rows["fr"]["disputed"], rows["fr"]["agreed_share"]) == (
        1, 1.0, 0, None)


def test_a_ticket_answered_twice_counts_its_dispute_once(store):
    body = TemplateBodyFactory()
    first = use(store, body, resolved_after=3 * H, outcome=DisputeOutcome.WITHDRAWN)
    TemplateUseFactory(ticket=first.ticket, body=body, sent_at=T0 + H)

    (row,) = template_effectiveness()

    assert (row["uses"], row["disputed"], row["won"], row["won_share"], row["median_hours"]) == (2, 1, 1, 1.0, 2.5)


def test_scoped_to_the_uses_given(store, other_store, agent):
    body = TemplateBodyFactory()
    use(store, body)
    use(other_store, body)
    (row,) = template_effectiveness(TemplateUse.objects.visible_to(agent))
    assert row["uses"] == 1
