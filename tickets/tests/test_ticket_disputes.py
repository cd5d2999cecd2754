"""The ticket page shows how its disputes ended and what they cost, and the seller
confirms a return's receipt there or through the API: that meets the receipt clock."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tickets.choices import ClockKind, ClockState, ReturnStatus, TicketStatus
from tickets.models import Clock
from tickets.services.clocks import clock_start_for
from tickets.services.disputes import dispute_seller_responded
from tickets.services.returns import return_agree, return_set_status
from tickets.services.sweep import sweep

from .factories import T0, DisputeFactory, TicketFactory

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def ticket(store, agent):
    return TicketFactory(store=store, assignee=agent, status=TicketStatus.OPEN)


@pytest.fixture
def shipped_back(ticket):
    """A return the buyer shipped back an hour after it was agreed: its receipt clock runs."""
    dispute = DisputeFactory(store=ticket.store, order=ticket.order, ticket=ticket, opened_at=T0)
    with time_machine.travel(T0 + 2 * H, tick=False):
        ret = return_agree(dispute=dispute, external_id="R-1", agreed_at=T0 + H, actor="erp")
        return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="RT1", actor="erp",
                          at=T0 + 2 * H)
    return ret


def receipt_clock(ret) -> Clock:
    return Clock.objects.get(kind=ClockKind.RECEIPT_CONFIRMATION, return_request=ret)


def test_a_lost_dispute_shows_its_outcome_and_refund_on_the_ticket(agent_client, ticket):
    dispute = DisputeFactory(store=ticket.store, order=ticket.order, ticket=ticket, opened_at=T0)
    clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="erp",
                    start_event="dispute.opened_at", amount_at_stake=dispute.requested_amount)
    with time_machine.travel(T0 + 25 * H, tick=False):
        sweep()
        html = agent_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()

    assert f"<strong>{dispute.external_id}</strong>" in html
    assert "Buyer won" in html
    assert f"Refunded in this dispute: USD {dispute.requested_amount}" in html
    assert "No seller response within the dispute-response time." in html
    # The history tells the dispute's story too, and who wrote it.
    assert (f"the deadline sweep · Dispute {dispute.external_id}: Open: awaiting seller → Resolved · "
            "No seller response within the dispute-response time.</li>") in html


def test_the_history_writes_a_recorded_time_in_the_store_zone_with_its_field(agent_client, ticket):
    dispute = DisputeFactory(store=ticket.store, order=ticket.order, ticket=ticket, opened_at=T0)
    dispute_seller_responded(dispute=dispute, at=T0 + H, actor="erp", how="Seller answered the dispute.")

    html = agent_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()

    answered = (T0 + H).astimezone(dt.timezone(dt.timedelta(hours=8)))  # the store is in Asia/Shanghai
    assert f"Dispute {dispute.external_id}: seller first responded {answered:%Y-%m-%d %H:%M} · " in html
    assert "+00:00" not in html.split('class="history"')[1]


def test_confirming_receipt_on_the_page_meets_the_receipt_clock(agent_client, ticket, shipped_back):
    with time_machine.travel(T0 + 3 * 24 * H, tick=False):
        page = agent_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
        assert "Confirm receipt" in page
        response = agent_client.post(reverse("ticket-return-received", args=[ticket.pk, shipped_back.pk]))

    assert response.status_code == 302
    shipped_back.refresh_from_db()
    assert shipped_back.status == ReturnStatus.RECEIVED
    clock = receipt_clock(shipped_back)
    assert (clock.state, clock.met_at) == (ClockState.MET, T0 + 3 * 24 * H)
    with time_machine.travel(T0 + 3 * 24 * H, tick=False):
        page = agent_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    assert "agent · Return R-1: Shipped back: in transit → Received by seller" in page


def test_confirming_twice_is_a_400_with_the_reason(agent_client, ticket, shipped_back):
    url = reverse("ticket-return-received", args=[ticket.pk, shipped_back.pk])
    with time_machine.travel(T0 + 3 * 24 * H, tick=False):
        agent_client.post(url)
        response = agent_client.post(url)
    assert response.status_code == 400
    assert response.context["return_error"]


def test_another_tickets_return_is_a_404(agent_client, store, shipped_back):
    other = TicketFactory(store=store)
    assert agent_client.post(reverse("ticket-return-received", args=[other.pk, shipped_back.pk])).status_code == 404


def test_confirming_receipt_through_the_api(agent, shipped_back):
    api = APIClient()
    api.force_authenticate(agent)
    with time_machine.travel(T0 + 4 * 24 * H, tick=False):
        response = api.post(f"/api/v1/returns/{shipped_back.pk}/received/")
        again = api.post(f"/api/v1/returns/{shipped_back.pk}/received/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ReturnStatus.RECEIVED
    assert receipt_clock(shipped_back).state == ClockState.MET
    assert again.status_code == 400
    assert list(again.json()) == ["status"]
