"""Refund requested: the buyer's refund request (a proposal) starts the refund-decision
clock at the platform's ``proposed_at``; accepting or refusing it meets the clock,
the buyer withdrawing it cancels the clock. The same services serve the ERP's sync
(``POST /api/v1/sync/proposals/``), the API (``POST /api/v1/proposals/{id}/decide/``)
and the ticket page's Accept and Refuse buttons.

AliExpress's refund-decision clock runs 5 days (migration defaults).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RequestedSolution,
)
from tickets.models import AuditEntry, Clock, Dispute, DisputeProposal
from tickets.services.api_keys import api_key_create
from tickets.services.disputes import (
    OWN_OFFER,
    dispute_open,
    dispute_seller_responded,
    dispute_set_status,
    proposal_create,
)
from tickets.services.sweep import sweep

from .factories import DisputeFactory, OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
OPENED = NOW - 2 * D
PROPOSED = OPENED + 3 * H
ERP = "api:erp-main"
API = "/api/v1"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ticket(store, agent):
    return TicketFactory(store=store, assignee=agent, order=OrderFactory(store=store, total=Decimal("40.00")))


@pytest.fixture
def dispute(store, ticket) -> Dispute:
    return dispute_open(store=store, order=ticket.order, ticket=ticket, external_id="D-1",
                        family=DisputeFamily.NOT_AS_DESCRIBED, reason=DisputeReason.DAMAGED,
                        requested_solution=RequestedSolution.PARTIAL_REFUND, requested_amount=Decimal("12.50"),
                        opened_at=OPENED, actor=ERP)


@pytest.fixture
def api(client, store, admin_user):
    _key, raw = api_key_create(name="erp-main", stores=[store], actor=admin_user)

    def post(items):
        return client.post(reverse("api-sync-proposals"), items, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    return post


def item(proposal_id="P-1", **overrides) -> dict:
    data = {"store": "ae-main", "proposal_id": proposal_id, "dispute_id": "D-1", "party": "buyer",
            "solution": "refund", "amount": "12.50", "proposed_at": PROPOSED.isoformat()}
    data.update(overrides)
    return data


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def statuses(response) -> list[str]:
    return [r["status"] for r in results(response)]


def refund_clock(dispute) -> Clock:
    return Clock.objects.get(dispute=dispute, kind=ClockKind.REFUND_DECISION)


def buyer_request(dispute, *, amount=Decimal("12.50")) -> DisputeProposal:
    return proposal_create(dispute=dispute, party=ProposalParty.BUYER, solution=ProposalSolution.REFUND,
                           amount=amount, actor=ERP, external_id="P-1", proposed_at=PROPOSED)


# Sync in ---------------------------------------------------------------------------------------
def test_a_synced_refund_request_starts_the_refund_decision_clock_at_proposed_at(api, dispute):
    response = api([item()])

    assert statuses(response) == ["created"]
    proposal = DisputeProposal.objects.get()
    assert results(response)[0]["id"] == proposal.pk
    assert results(response)[0]["proposal_id"] == "P-1"
    assert (proposal.external_id, proposal.party, proposal.amount, proposal.version, proposal.status) == (
        "P-1", ProposalParty.BUYER, Decimal("12.50"), 1, ProposalStatus.PENDING)
    clock = refund_clock(dispute)
    assert (clock.state, clock.started_at, clock.due_at) == (ClockState.RUNNING, PROPOSED, PROPOSED + 5 * D)
    assert (clock.amount_at_stake, clock.currency) == (Decimal("12.50"), "USD")


def test_the_same_proposal_synced_again_is_unchanged(api, dispute):
    api([item()])
    counts = (DisputeProposal.objects.count(), Clock.objects.count(), AuditEntry.objects.count())

    assert statuses(api([item()])) == ["unchanged"]
    assert counts == (DisputeProposal.objects.count(), Clock.objects.count(), AuditEntry.objects.count())


@pytest.mark.parametrize("decision", ["accepted", "rejected"])
def test_a_synced_decision_meets_the_refund_decision_clock_at_decided_at(api, dispute, decision):
    api([item()])
    decided = PROPOSED + D

    response = api([item(status=decision, decided_at=decided.isoformat())])

    assert statuses(response) == ["updated"]
    assert DisputeProposal.objects.get().status == decision
    clock = refund_clock(dispute)
    assert (clock.state, clock.met_at) == (ClockState.MET, decided)
    # Accepting the buyer's request answers the dispute; refusing it does not.
    dispute.refresh_from_db()
    assert dispute.seller_responded_at == (decided if decision == "accepted" else None)


def test_a_new_proposal_already_decided_starts_and_meets_the_clock(api, dispute):
    decided = PROPOSED + 2 * H
    assert statuses(api([item(status="rejected", decided_at=decided.isoformat())])) == ["created"]
    clock = refund_clock(dispute)
    assert (clock.started_at, clock.state, clock.met_at) == (PROPOSED, ClockState.MET, decided)


def test_a_decision_without_decided_at_happened_at_the_items_updated_at(api, dispute):
    api([item()])
    updated = PROPOSED + 4 * H
    api([item(status="accepted", updated_at=updated.isoformat())])
    assert refund_clock(dispute).met_at == updated


def test_a_withdrawn_request_cancels_the_clock_and_nothing_lapses(api, dispute):
    api([item()])
    withdrawn = PROPOSED + D

    assert statuses(api([item(status="withdrawn", decided_at=withdrawn.isoformat())])) == ["updated"]

    clock = refund_clock(dispute)
    assert (clock.state, clock.cancelled_at) == (ClockState.CANCELLED, withdrawn)
    # The buyer asks no more: no refund executes when the five days are up.
    sweep(now=PROPOSED + 6 * D)
    assert refund_clock(dispute).state == ClockState.CANCELLED


def test_an_undecided_request_still_lapses(api, dispute):
    api([item()])
    # The seller answered the dispute (else its lapse, a day in, would have decided it first).
    dispute_seller_responded(dispute=dispute, at=PROPOSED, actor=ERP, how="Evidence sent.")
    sweep(now=PROPOSED + 5 * D + H)
    clock = refund_clock(dispute)
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, PROPOSED + 5 * D)


def test_a_changed_offer_under_a_known_id_is_a_field_error(api, dispute):
    api([item()])

    response = api([item(amount="10.00", party="platform")])

    assert statuses(response) == ["error"]
    errors = results(response)[0]["errors"]
    assert sorted(errors) == ["amount", "party"]
    assert "a changed offer is a new proposal id" in errors["amount"][0]
    assert DisputeProposal.objects.get().amount == Decimal("12.50")


def test_a_proposal_in_an_unknown_dispute_is_a_field_error_and_the_others_go_on(api, dispute):
    response = api([item("P-1", dispute_id="D-404"), item("P-2")])

    assert statuses(response) == ["error", "created"]
    assert list(results(response)[0]["errors"]) == ["dispute_id"]
    assert "D-404" in results(response)[0]["errors"]["dispute_id"][0]
    assert list(DisputeProposal.objects.values_list("external_id", flat=True)) == ["P-2"]


def test_a_new_proposal_needs_its_terms(api, dispute):
    response = api([{"store": "ae-main", "proposal_id": "P-1", "status": "accepted"}])
    assert sorted(results(response)[0]["errors"]) == ["amount", "dispute_id", "party", "proposed_at", "solution"]


def test_a_decision_before_the_proposal_is_an_error_and_leaves_nothing_behind(api, dispute):
    response = api([item(status="accepted", decided_at=(PROPOSED - H).isoformat())])

    assert statuses(response) == ["error"]
    assert list(results(response)[0]["errors"]) == ["decided_at"]
    # Refused in its savepoint: neither the proposal nor its clock was kept.
    assert not DisputeProposal.objects.exists()
    assert not Clock.objects.filter(kind=ClockKind.REFUND_DECISION).exists()


def test_a_decision_before_a_stored_proposal_is_an_error(api, dispute):
    api([item()])
    response = api([item(status="rejected", decided_at=(PROPOSED - H).isoformat())])
    assert list(results(response)[0]["errors"]) == ["decided_at"]
    assert refund_clock(dispute).state == ClockState.RUNNING


def test_an_older_offer_than_the_partys_latest_is_refused(api, dispute):
    api([item("P-2", proposed_at=(PROPOSED + H).isoformat())])
    response = api([item("P-1")])
    assert list(results(response)[0]["errors"]) == ["proposed_at"]
    assert DisputeProposal.objects.get().status == ProposalStatus.PENDING


def test_pending_reported_for_a_decided_proposal_is_older_news(api, dispute):
    api([item(status="accepted", decided_at=(PROPOSED + H).isoformat())])
    assert statuses(api([item(status="pending")])) == ["unchanged"]
    assert DisputeProposal.objects.get().status == ProposalStatus.ACCEPTED


def test_another_stores_dispute_is_unknown(api, dispute, other_store):
    response = api([item(store="ae-other")])
    assert list(results(response)[0]["errors"]) == ["store"]


# Reading ---------------------------------------------------------------------------------------
def test_a_dispute_lists_its_proposals(agent_client, dispute):
    proposal = buyer_request(dispute)
    row = agent_client.get(f"{API}/disputes/{dispute.pk}/").json()
    assert row["proposals"] == [{
        "id": proposal.pk, "external_id": "P-1", "party": "buyer", "solution": "refund", "amount": "12.50",
        "version": 1, "status": "pending", "proposed_at": "2026-11-18T15:00:00Z",
        "updated_at": row["proposals"][0]["updated_at"]}]


# Deciding through the API ----------------------------------------------------------------------
def decide(client, proposal, decision, **extra):
    return client.post(f"{API}/proposals/{proposal.pk}/decide/", {"decision": decision, **extra},
                       content_type="application/json")


@pytest.mark.parametrize("decision", ["accepted", "rejected"])
def test_the_seller_decides_the_buyers_request_through_the_api(agent_client, agent, dispute, decision):
    proposal = buyer_request(dispute)

    response = decide(agent_client, proposal, decision, reason="photos show damage")

    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["status"]) == (proposal.pk, decision)
    clock = refund_clock(dispute)
    assert (clock.state, clock.met_at) == (ClockState.MET, NOW)
    entry = AuditEntry.objects.get(content_type__model="disputeproposal", action="status")
    assert (entry.actor, entry.to_value, entry.reason) == (agent, decision, "photos show damage")


def test_another_stores_proposal_is_a_404(client, other_agent, dispute):
    client.force_login(other_agent)
    response = decide(client, buyer_request(dispute), "accepted")
    assert response.status_code == 404
    assert DisputeProposal.objects.get().status == ProposalStatus.PENDING


def test_a_decided_proposal_is_a_400_on_decision(agent_client, dispute):
    proposal = buyer_request(dispute)
    decide(agent_client, proposal, "rejected")

    response = decide(agent_client, proposal, "accepted")

    assert response.status_code == 400
    assert list(response.json()) == ["decision"]
    assert DisputeProposal.objects.get().status == ProposalStatus.REJECTED


def test_the_sellers_own_offer_is_not_theirs_to_decide(agent_client, agent, dispute):
    offer = proposal_create(dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                            amount=Decimal("6.00"), actor=agent)
    response = decide(agent_client, offer, "accepted")
    assert response.status_code == 400
    assert response.json() == {"decision": [str(OWN_OFFER)]}


def test_only_accept_or_reject_is_a_decision(agent_client, dispute):
    response = decide(agent_client, buyer_request(dispute), "withdrawn")
    assert response.status_code == 400
    assert list(response.json()) == ["decision"]


# Deciding on the ticket page -------------------------------------------------------------------
def test_the_ticket_page_shows_the_pending_request_and_accept_meets_the_clock(agent_client, agent, ticket,
                                                                             dispute):
    proposal = buyer_request(dispute)
    url = f"/tickets/{ticket.pk}/"

    page = agent_client.get(url).content.decode()
    assert "Buyer asks for a refund of USD 12.50, version 1, proposed" in page
    assert f'action="/tickets/{ticket.pk}/proposals/{proposal.pk}/decide/"' in page

    response = agent_client.post(reverse("ticket-proposal-decide", args=[ticket.pk, proposal.pk]),
                                 {"decision": "accepted"})

    assert response.status_code == 302
    assert response.url == url
    clock = refund_clock(dispute)
    assert (clock.state, clock.met_at) == (ClockState.MET, NOW)
    page = agent_client.get(url).content.decode()
    assert "Offer accepted." in page
    assert "Buyer asks for a refund" not in page  # decided: no longer waiting


def test_refusing_a_decided_offer_on_the_page_shows_why(agent_client, ticket, dispute):
    proposal = buyer_request(dispute)
    decide_url = reverse("ticket-proposal-decide", args=[ticket.pk, proposal.pk])
    agent_client.post(decide_url, {"decision": "rejected"})

    response = agent_client.post(decide_url, {"decision": "accepted"})

    assert response.status_code == 400
    assert "cannot go from “Rejected” to “Accepted”" in response.content.decode()
    # The page's other forms are still there.
    assert 'id="escalate-form"' in response.content.decode()
    assert 'id="note-form"' in response.content.decode()


def test_a_resolved_disputes_offers_are_not_offered(agent_client, agent, ticket, dispute):
    proposal = buyer_request(dispute)
    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.AGREED_PARTIAL_REFUND,
                       actor=agent)
    assert "Buyer asks for a refund" not in agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = agent_client.post(reverse("ticket-proposal-decide", args=[ticket.pk, proposal.pk]),
                                 {"decision": "accepted"})
    assert response.status_code == 400


def test_another_tickets_proposal_is_a_404_on_the_page(agent_client, store, dispute):
    proposal = buyer_request(dispute)
    elsewhere = TicketFactory(store=store)
    response = agent_client.post(reverse("ticket-proposal-decide", args=[elsewhere.pk, proposal.pk]),
                                 {"decision": "accepted"})
    assert response.status_code == 404
    assert DisputeProposal.objects.get().status == ProposalStatus.PENDING


# The schema ------------------------------------------------------------------------------------
def test_the_schema_documents_the_proposal_endpoints(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "post" in paths["/api/v1/sync/proposals/"]
    assert "post" in paths["/api/v1/proposals/{id}/decide/"]


def test_a_request_past_its_deadline_can_no_longer_be_decided(agent_client, dispute):
    proposal = buyer_request(dispute)
    due = refund_clock(dispute).due_at
    with time_machine.travel(due + H, tick=False):  # lapsed; the sweep has not run yet
        response = decide(agent_client, proposal, "rejected")

    assert response.status_code == 400
    assert list(response.json()) == ["decision"]
    assert "ran out" in response.json()["decision"][0]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_a_newer_request_keeps_the_clock_but_puts_its_own_amount_at_stake(dispute):
    buyer_request(dispute)
    proposal_create(dispute=dispute, party=ProposalParty.BUYER, solution=ProposalSolution.REFUND,
                    amount=Decimal("10.00"), actor=ERP, external_id="P-2", proposed_at=PROPOSED + H)
    clock = refund_clock(dispute)
    assert (clock.started_at, clock.amount_at_stake) == (PROPOSED, Decimal("10.00"))


def test_proposals_are_listed_by_change_and_filtered_by_dispute(agent_client, dispute, other_store):
    proposal = buyer_request(dispute)
    theirs = DisputeFactory(store=other_store)
    proposal_create(dispute=theirs, party=ProposalParty.BUYER, solution=ProposalSolution.REFUND,
                    amount=Decimal("5.00"), actor=ERP, external_id="P-9", proposed_at=PROPOSED)

    rows = agent_client.get(f"{API}/proposals/", {"dispute": dispute.pk}).json()["results"]

    assert [(r["id"], r["store"], r["dispute_external_id"], r["status"]) for r in rows] == [
        (proposal.pk, "ae-main", "D-1", "pending")]
    everything = agent_client.get(f"{API}/proposals/").json()["results"]
    assert [r["id"] for r in everything] == [proposal.pk]  # another store's never shows
    assert agent_client.get(f"{API}/proposals/{proposal.pk}/").json()["amount"] == "12.50"
