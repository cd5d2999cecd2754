"""Events start and stop clocks: each event's service starts the right clock at the
platform's time of the event (not when the desk heard of it), with the due time of
the marketplace's policy, and each answer meets it, with an audit entry.

AliExpress defaults come from migration 0003. T0 is Monday 2025-03-10 08:00 UTC,
16:00 in the Shanghai store: inside working hours, so a first response is due in 3 h.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.choices import (
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    EvidenceKind,
    MessageKind,
    OrderStatus,
    Priority,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RefundReason,
    RefundSource,
    RequestedSolution,
    ReturnStatus,
    Role,
    TicketStatus,
)
from tickets.models import AuditEntry, Clock, Dispute, Message, Refund
from tickets.services.disputes import dispute_open, dispute_set_status, proposal_create, proposal_set_status
from tickets.services.evidence import MESSAGE_OF_ANOTHER_TICKET, evidence_add
from tickets.services.messages import message_note, message_receive, message_reply
from tickets.services.orders import order_set_status
from tickets.services.returns import return_agree, return_set_status
from tickets.services.sweep import sweep
from tickets.services.tickets import ESCALATE_TO_SENIOR, ticket_escalate

from .factories import T0, OrderFactory, StoreFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

S = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
ERP = "api:erp-main"


# Helpers ---------------------------------------------------------------------------------
def the_clock(kind: str, **subject) -> Clock:
    return Clock.objects.get(kind=kind, **subject)


def clock_audit(clock: Clock, **filters):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Clock), object_id=clock.pk,
                                     **filters)


def audit_of(obj, **filters):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                     **filters)


def assert_started(clock: Clock, *, at: dt.datetime, length: dt.timedelta, event: str, actor=ERP) -> None:
    assert (clock.state, clock.started_at, clock.due_at) == (ClockState.RUNNING, at, at + length)
    assert clock.basis["start_event"] == event
    assert clock.basis["policy_version"] == clock.policy.version
    entry = clock_audit(clock, action="clock_start").get()
    assert entry.actor_label == (actor if isinstance(actor, str) else actor.get_username())


def assert_met(clock: Clock, *, at: dt.datetime, actor) -> None:
    clock.refresh_from_db()
    assert (clock.state, clock.met_at) == (ClockState.MET, at)
    entry = clock_audit(clock, action="status").get()
    assert (entry.from_value, entry.to_value) == (ClockState.RUNNING, ClockState.MET)
    assert entry.actor_label == (actor if isinstance(actor, str) else actor.get_username())
    assert entry.reason


def open_dispute(store, *, opened_at=T0, ticket=None, amount=Decimal("100.00"), external_id="D-1",
                 solution=RequestedSolution.FULL_REFUND) -> Dispute:
    order = ticket.order if ticket else OrderFactory(store=store, total=Decimal("100.00"))
    return dispute_open(store=store, order=order, external_id=external_id, family=DisputeFamily.NOT_AS_DESCRIBED,
                        reason=DisputeReason.DAMAGED, requested_solution=solution, requested_amount=amount,
                        opened_at=opened_at, actor=ERP, ticket=ticket, buyer_comment="Arrived broken.")


def buyer_offer(dispute, *, at=T0, amount=Decimal("60.00"), solution=ProposalSolution.REFUND):
    return proposal_create(dispute=dispute, party=ProposalParty.BUYER, solution=solution, amount=amount, actor=ERP,
                           proposed_at=at)


@pytest.fixture
def ticket(store, agent):
    return TicketFactory(store=store, assignee=agent, status=TicketStatus.OPEN)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# Dispute opened ---------------------------------------------------------------------------
def test_a_dispute_opened_starts_the_response_clock_at_the_platform_time(store):
    with time_machine.travel(T0 + 5 * H, tick=False):  # synced five hours late
        dispute = open_dispute(store, opened_at=T0)

    clock = the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute)
    assert_started(clock, at=T0, length=24 * H, event="dispute.opened_at")
    assert clock.warn_at == T0 + 20 * H
    assert (clock.amount_at_stake, clock.currency) == (Decimal("100.00"), "USD")
    entry = audit_of(dispute, action="create").get()
    assert (entry.actor_label, entry.to_value) == (ERP, DisputeStatus.OPEN)


def test_an_invalid_dispute_is_refused_and_starts_nothing(store):
    with pytest.raises(ValidationError) as info:
        open_dispute(store, amount=Decimal("100.01"))
    assert list(info.value.message_dict) == ["requested_amount"]
    assert not Dispute.objects.exists()
    assert not Clock.objects.exists()


def test_a_dispute_synced_after_its_deadline_is_already_due_and_the_sweep_loses_it(store, ticket):
    now = T0 + 25 * H
    with time_machine.travel(now, tick=False):
        dispute = open_dispute(store, opened_at=now - 25 * H, ticket=ticket)
        clock = the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute)
        assert clock.state == ClockState.RUNNING
        assert clock.due_at == now - H < now

        result = sweep()

    assert result.breached == 1
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, T0 + 24 * H)
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.RESOLVED, DisputeOutcome.BUYER_WON)
    refund = Refund.objects.get(dispute=dispute)
    assert (refund.amount, refund.reason, refund.source) == (Decimal("100.00"), RefundReason.DISPUTE_LOST,
                                                             RefundSource.CLOCK_LAPSE)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == (Priority.RED, TicketStatus.ESCALATED)


# The seller's first response -----------------------------------------------------------------
def _seller_offer(dispute, agent, at):
    proposal_create(dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                    amount=Decimal("30.00"), actor=agent, proposed_at=at)


def _accept_buyer_offer(dispute, agent, at):
    offer = buyer_offer(dispute, at=T0 + H)
    proposal_set_status(proposal=offer, status=ProposalStatus.ACCEPTED, actor=agent, at=at)


def _evidence(dispute, agent, at):
    with time_machine.travel(at, tick=False):
        evidence_add(store=dispute.store, dispute=dispute, kind=EvidenceKind.TRACKING, actor=agent,
                     file=SimpleUploadedFile("tracking.png", b"png"), description="Delivered to the door.")


def _reply(dispute, agent, at):
    message_reply(ticket=dispute.ticket, author=agent, body="We are sorry: full refund today.", sent_at=at)


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("respond", [_seller_offer, _accept_buyer_offer, _evidence, _reply],
                         ids=["seller offer", "accepting the buyer's offer", "evidence", "agent reply"])
def test_the_sellers_first_response_meets_the_dispute_response_clock(store, ticket, agent, respond):
    dispute = open_dispute(store, ticket=ticket)
    answered = T0 + 3 * H + 7 * S

    respond(dispute, agent, answered)

    assert_met(the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute), at=answered, actor=agent)
    dispute.refresh_from_db()
    assert dispute.seller_responded_at == answered
    assert audit_of(dispute, action="respond", field="seller_responded_at").get().actor == agent


def test_only_the_first_response_stamps_the_dispute(store, ticket, agent):
    dispute = open_dispute(store, ticket=ticket)
    _seller_offer(dispute, agent, T0 + H)
    _reply(dispute, agent, T0 + 2 * H)
    dispute.refresh_from_db()
    assert dispute.seller_responded_at == T0 + H
    assert audit_of(dispute, action="respond").count() == 1


@pytest.mark.usefixtures("media")
def test_what_is_not_a_seller_response_leaves_the_dispute_clock_running(store, ticket, agent):
    dispute = open_dispute(store, ticket=ticket)
    buyer_offer(dispute, at=T0 + H)
    message_note(ticket=ticket, author=agent, body="Ask the warehouse for photos.")
    message_reply(ticket=ticket, author=None, body="Thank you, we will answer soon.", is_automatic=True,
                  sent_at=T0 + H, actor="system:autoreply")
    evidence_add(store=store, dispute=dispute, kind=EvidenceKind.PHOTO, actor=ERP, by_buyer=True,
                 file=SimpleUploadedFile("broken.jpg", b"jpeg"))

    assert the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute).state == ClockState.RUNNING
    dispute.refresh_from_db()
    assert dispute.seller_responded_at is None


def test_a_response_after_the_due_time_leaves_the_lapse_to_the_sweep(store, ticket, agent):
    dispute = open_dispute(store, ticket=ticket)
    _reply(dispute, agent, T0 + 24 * H + S)
    clock = the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute)
    assert clock.state == ClockState.RUNNING

    with time_machine.travel(T0 + 24 * H + 2 * S, tick=False):
        sweep()
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, T0 + 24 * H)


# Refund requested --------------------------------------------------------------------------------
@pytest.mark.parametrize("solution", [ProposalSolution.REFUND, ProposalSolution.RETURN_AND_REFUND])
def test_a_buyers_refund_offer_starts_the_refund_decision_clock(store, solution):
    dispute = open_dispute(store)
    with time_machine.travel(T0 + 6 * H, tick=False):
        buyer_offer(dispute, at=T0 + H, amount=Decimal("60.00"), solution=solution)

    clock = the_clock(ClockKind.REFUND_DECISION, dispute=dispute)
    assert_started(clock, at=T0 + H, length=5 * D, event="proposal.proposed_at")
    assert (clock.amount_at_stake, clock.currency) == (Decimal("60.00"), "USD")
    # The buyer asking is no answer from the seller.
    assert the_clock(ClockKind.DISPUTE_RESPONSE, dispute=dispute).state == ClockState.RUNNING


@pytest.mark.parametrize("decision", [ProposalStatus.ACCEPTED, ProposalStatus.REJECTED])
def test_deciding_on_the_buyers_offer_meets_the_refund_decision_clock(store, agent, decision):
    dispute = open_dispute(store)
    offer = buyer_offer(dispute, at=T0 + H)
    decided = T0 + 2 * D

    proposal_set_status(proposal=offer, status=decision, actor=agent, at=decided)

    assert_met(the_clock(ClockKind.REFUND_DECISION, dispute=dispute), at=decided, actor=agent)


def test_a_newer_buyer_offer_keeps_the_running_refund_decision_clock(store):
    dispute = open_dispute(store)
    buyer_offer(dispute, at=T0 + H, amount=Decimal("60.00"))
    first = the_clock(ClockKind.REFUND_DECISION, dispute=dispute)

    buyer_offer(dispute, at=T0 + 2 * D, amount=Decimal("45.00"))

    assert list(Clock.objects.filter(kind=ClockKind.REFUND_DECISION)) == [first]
    again = the_clock(ClockKind.REFUND_DECISION, dispute=dispute)
    assert (again.started_at, again.due_at) == (T0 + H, T0 + H + 5 * D)


def test_a_sellers_offer_starts_no_refund_decision_clock(store, agent):
    dispute = open_dispute(store)
    _seller_offer(dispute, agent, T0 + H)
    assert not Clock.objects.filter(kind=ClockKind.REFUND_DECISION).exists()


def test_resolving_the_dispute_cancels_its_running_clocks_but_not_its_returns(store, agent):
    dispute = open_dispute(store)
    buyer_offer(dispute, at=T0 + H)
    ret = return_agree(dispute=dispute, external_id="R-1", agreed_at=T0 + 2 * H, actor=ERP)
    resolved = T0 + 3 * H

    dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=DisputeOutcome.AGREED_RETURN,
                       actor=agent, at=resolved)

    for kind in (ClockKind.DISPUTE_RESPONSE, ClockKind.REFUND_DECISION):
        clock = the_clock(kind, dispute=dispute)
        assert (clock.state, clock.cancelled_at) == (ClockState.CANCELLED, resolved)
        assert clock_audit(clock, action="status").get().reason == "dispute resolved"
    assert the_clock(ClockKind.RETURN_SHIPMENT, return_request=ret).state == ClockState.RUNNING


# Return agreed -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("accepted", "stake"), [(None, Decimal("100.00")), (Decimal("70.00"), Decimal("70.00"))])
def test_a_return_agreed_starts_the_return_shipment_clock(store, agent, accepted, stake):
    dispute = open_dispute(store, solution=RequestedSolution.RETURN_AND_REFUND)
    if accepted is not None:
        offer = buyer_offer(dispute, amount=accepted, solution=ProposalSolution.RETURN_AND_REFUND)
        proposal_set_status(proposal=offer, status=ProposalStatus.ACCEPTED, actor=agent, at=T0 + H)
    with time_machine.travel(T0 + D, tick=False):
        ret = return_agree(dispute=dispute, external_id="R-1", agreed_at=T0 + 2 * H, actor=ERP, carrier="Cainiao")

    assert (ret.status, ret.order_id, ret.carrier) == (ReturnStatus.AWAITING_SHIPMENT, dispute.order_id, "Cainiao")
    assert audit_of(ret, action="create").exists()
    clock = the_clock(ClockKind.RETURN_SHIPMENT, return_request=ret)
    assert_started(clock, at=T0 + 2 * H, length=10 * D, event="return.agreed_at")
    assert clock.amount_at_stake == stake


def test_a_second_live_return_for_the_dispute_is_refused(store):
    dispute = open_dispute(store)
    return_agree(dispute=dispute, external_id="R-1", agreed_at=T0, actor=ERP)
    with pytest.raises(ValidationError):
        return_agree(dispute=dispute, external_id="R-2", agreed_at=T0, actor=ERP)
    assert Clock.objects.filter(kind=ClockKind.RETURN_SHIPMENT).count() == 1


def test_the_return_tracking_number_meets_the_shipment_and_starts_the_receipt_clock(store):
    ret = return_agree(dispute=open_dispute(store), external_id="R-1", agreed_at=T0, actor=ERP)
    entered = T0 + 4 * D + 5 * S

    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="LP001CN", actor=ERP, at=entered)

    assert_met(the_clock(ClockKind.RETURN_SHIPMENT, return_request=ret), at=entered, actor=ERP)
    receipt = the_clock(ClockKind.RECEIPT_CONFIRMATION, return_request=ret)
    assert_started(receipt, at=entered, length=30 * D, event="return.tracking_submitted_at")
    assert receipt.amount_at_stake == Decimal("100.00")


@pytest.mark.parametrize("answer", [ReturnStatus.RECEIVED, ReturnStatus.DISPUTED])
def test_confirming_receipt_or_disputing_the_goods_meets_the_receipt_clock(store, agent, answer):
    ret = return_agree(dispute=open_dispute(store), external_id="R-1", agreed_at=T0, actor=ERP)
    return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, tracking_number="LP001CN", actor=ERP, at=T0 + D)
    answered = T0 + 9 * D

    return_set_status(ret=ret, status=answer, actor=agent, at=answered)

    assert_met(the_clock(ClockKind.RECEIPT_CONFIRMATION, return_request=ret), at=answered, actor=agent)


def test_a_cancelled_return_cancels_its_running_clocks(store, agent):
    ret = return_agree(dispute=open_dispute(store), external_id="R-1", agreed_at=T0, actor=ERP)
    return_set_status(ret=ret, status=ReturnStatus.CANCELLED, actor=agent, at=T0 + D)
    clock = the_clock(ClockKind.RETURN_SHIPMENT, return_request=ret)
    assert (clock.state, clock.cancelled_at) == (ClockState.CANCELLED, T0 + D)


# Buyer messages ----------------------------------------------------------------------------------
def test_a_buyer_message_starts_the_first_response_clock_at_its_sent_time(ticket):
    with time_machine.travel(T0 + 40 * 60 * S, tick=False):  # synced 40 minutes late
        message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP, language="fr",
                                  external_id="M-1")

    assert (message.kind, message.author, message.topics, message.store_id) == (MessageKind.BUYER, None, [],
                                                                                  ticket.store_id)
    clock = the_clock(ClockKind.FIRST_RESPONSE, message=message)
    assert_started(clock, at=T0, length=3 * H, event="message.sent_at")
    assert clock.basis["received_in_working_hours"] is True
    ticket.refresh_from_db()
    assert ticket.last_buyer_message_at == T0
    assert audit_of(message, action="message").get().actor_label == ERP
    assert not Clock.objects.filter(kind=ClockKind.SENSITIVE_ESCALATION).exists()


def test_a_buyer_message_outside_working_hours_gets_the_longer_allowance(ticket):
    sunday = dt.datetime(2025, 3, 9, 2, 0, tzinfo=dt.UTC)  # Sunday 10:00 in Shanghai: a day off
    message = message_receive(ticket=ticket, body="Hello?", sent_at=sunday, actor=ERP)
    clock = the_clock(ClockKind.FIRST_RESPONSE, message=message)
    assert clock.started_at == sunday
    assert clock.basis["received_in_working_hours"] is False
    assert clock.due_at > sunday + 3 * H


def test_a_message_on_a_chinese_make_up_saturday_is_due_in_three_hours(ticket, agent):
    ticket.store.holiday_country = "CN"
    ticket.store.save()
    ticket.assignee = agent
    ticket.save()
    saturday = dt.datetime(2026, 2, 14, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, worked in exchange for 20 Feb
    with time_machine.travel(saturday, tick=False):
        message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=saturday, actor=ERP)
    clock = the_clock(ClockKind.FIRST_RESPONSE, message=message)
    assert clock.basis["received_in_working_hours"] is True
    assert clock.due_at == saturday + 3 * H
    with time_machine.travel(clock.due_at - S, tick=False):
        assert sweep().breached == 0
    with time_machine.travel(clock.due_at, tick=False):
        assert sweep().breached == 1
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, saturday + 3 * H)


def test_a_resynced_message_is_the_same_row_and_starts_nothing(ticket):
    first = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP, external_id="M-1")
    reply_clock = the_clock(ClockKind.FIRST_RESPONSE, message=first)
    audits = AuditEntry.objects.count()

    again = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP, external_id="M-1")

    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert list(Clock.objects.all()) == [reply_clock]
    assert AuditEntry.objects.count() == audits


def test_the_oldest_unanswered_message_holds_the_only_first_response_clock(ticket, agent):
    first = message_receive(ticket=ticket, body="Hello?", sent_at=T0, actor=ERP)
    message_receive(ticket=ticket, body="Hello??", sent_at=T0 + H, actor=ERP)
    assert list(Clock.objects.values_list("message", flat=True)) == [first.pk]

    message_reply(ticket=ticket, author=agent, body="Your parcel is in Paris.", sent_at=T0 + 2 * H)
    later = message_receive(ticket=ticket, body="Thanks, and the invoice?", sent_at=T0 + 3 * H, actor=ERP)

    clock = the_clock(ClockKind.FIRST_RESPONSE, message=later)
    assert (clock.state, clock.started_at) == (ClockState.RUNNING, T0 + 3 * H)


def test_an_older_message_synced_late_takes_the_clock_over(ticket):
    with time_machine.travel(T0 + H, tick=False):
        newer = message_receive(ticket=ticket, body="Hello??", sent_at=T0 + 30 * 60 * S, actor=ERP)
        older = message_receive(ticket=ticket, body="Hello?", sent_at=T0, actor=ERP)

    replaced = the_clock(ClockKind.FIRST_RESPONSE, message=newer)
    assert replaced.state == ClockState.CANCELLED
    clock = the_clock(ClockKind.FIRST_RESPONSE, message=older)
    assert (clock.state, clock.started_at, clock.due_at) == (ClockState.RUNNING, T0, T0 + 3 * H)


def test_an_older_message_answered_before_the_next_one_changes_nothing(ticket, agent):
    with time_machine.travel(T0 + 3 * H, tick=False):
        newer = message_receive(ticket=ticket, body="And the invoice?", sent_at=T0 + 2 * H, actor=ERP)
        message_reply(ticket=ticket, author=agent, body="It left today.", sent_at=T0 + H, external_id="R-1")
        older = message_receive(ticket=ticket, body="Has it left?", sent_at=T0, actor=ERP)

    # The reply was older than the running clock: it answers the older message only.
    assert the_clock(ClockKind.FIRST_RESPONSE, message=newer).state == ClockState.RUNNING
    assert not Clock.objects.filter(kind=ClockKind.FIRST_RESPONSE, message=older).exists()


def test_a_message_synced_after_its_reply_has_its_clock_met_at_the_reply(ticket, agent):
    with time_machine.travel(T0 + 5 * H, tick=False):
        message_reply(ticket=ticket, author=agent, body="It ships today.", sent_at=T0 + 30 * 60 * S,
                      external_id="R-1")
        message = message_receive(ticket=ticket, body="When will it ship?", sent_at=T0, actor=ERP)

    assert_met(the_clock(ClockKind.FIRST_RESPONSE, message=message), at=T0 + 30 * 60 * S, actor=ERP)


def test_a_message_synced_after_a_late_reply_still_lapses(ticket, agent):
    with time_machine.travel(T0 + 5 * H, tick=False):
        message_reply(ticket=ticket, author=agent, body="Sorry for the wait.", sent_at=T0 + 4 * H,
                      external_id="R-1")
        message = message_receive(ticket=ticket, body="When will it ship?", sent_at=T0, actor=ERP)
        sweep()

    clock = the_clock(ClockKind.FIRST_RESPONSE, message=message)
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, T0 + 3 * H)


@pytest.mark.parametrize("status", [TicketStatus.RESOLVED, TicketStatus.WAITING_ON_BUYER])
def test_a_buyer_writing_again_reopens_the_ticket(store, agent, status):
    ticket = TicketFactory(store=store, assignee=agent, status=status)
    message_receive(ticket=ticket, body="It broke again.", sent_at=T0, actor=ERP)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == (TicketStatus.OPEN, None)
    assert audit_of(ticket, action="status", to_value=TicketStatus.OPEN).get().actor_label == ERP


def test_an_older_message_synced_late_does_not_move_the_last_buyer_message_back(ticket):
    message_receive(ticket=ticket, body="Second", sent_at=T0 + H, actor=ERP)
    message_receive(ticket=ticket, body="First", sent_at=T0, actor=ERP)
    ticket.refresh_from_db()
    assert ticket.last_buyer_message_at == T0 + H


def test_a_written_reply_meets_the_first_response_clock(ticket, agent):
    message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP)
    replied = T0 + 2 * H + 59 * 60 * S

    reply = message_reply(ticket=ticket, author=agent, body="It is in Paris; tracking LP001.", sent_at=replied)

    assert (reply.kind, reply.author, reply.is_automatic) == (MessageKind.AGENT_REPLY, agent, False)
    assert_met(the_clock(ClockKind.FIRST_RESPONSE, message=message), at=replied, actor=agent)
    ticket.refresh_from_db()
    assert ticket.first_replied_at == replied
    message_reply(ticket=ticket, author=agent, body="Any news?", sent_at=replied + H)
    ticket.refresh_from_db()
    assert ticket.first_replied_at == replied


def test_a_reply_without_a_time_is_sent_now(ticket, agent):
    message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP)
    with time_machine.travel(T0 + H, tick=False):
        message_reply(ticket=ticket, author=agent, body="It is in Paris.")
    assert the_clock(ClockKind.FIRST_RESPONSE, message=message).met_at == T0 + H


def test_an_automatic_reply_and_an_internal_note_do_not_meet_the_first_response(ticket, agent):
    message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor=ERP)

    auto = message_reply(ticket=ticket, author=None, body="We got your message.", is_automatic=True,
                         sent_at=T0 + 1 * S, actor="system:autoreply")
    note = message_note(ticket=ticket, author=agent, body="Check with the carrier first.")

    assert (auto.kind, auto.is_automatic, note.kind) == (MessageKind.AGENT_REPLY, True, MessageKind.INTERNAL_NOTE)
    clock = the_clock(ClockKind.FIRST_RESPONSE, message=message)
    assert (clock.state, clock.met_at) == (ClockState.RUNNING, None)
    assert not clock_audit(clock, action="status").exists()
    ticket.refresh_from_db()
    assert ticket.first_replied_at is None


# Sensitive messages and escalation ----------------------------------------------------------------
def test_a_sensitive_message_starts_the_escalation_clock(ticket):
    message = message_receive(ticket=ticket, body="Refund me or I call my lawyer.", sent_at=T0, actor=ERP)

    assert message.topics == ["refund", "legal"]
    clock = the_clock(ClockKind.SENSITIVE_ESCALATION, message=message)
    assert_started(clock, at=T0, length=2 * H, event="message.sent_at")
    assert audit_of(message, action="message").get().reason == "sensitive: refund, legal"
    assert the_clock(ClockKind.FIRST_RESPONSE, message=message).state == ClockState.RUNNING
    # The red band: act within hours, not days.
    ticket.refresh_from_db()
    assert ticket.priority == Priority.RED
    entry = audit_of(ticket, action="priority").get()
    assert (entry.from_value, entry.to_value, entry.reason) == (Priority.BLUE, Priority.RED, "sensitive: refund, legal")


def test_a_second_sensitive_message_starts_no_second_escalation_clock(ticket):
    message_receive(ticket=ticket, body="I want a refund.", sent_at=T0, actor=ERP)
    second = message_receive(ticket=ticket, body="Bad review coming.", sent_at=T0 + H, actor=ERP)
    assert second.topics == ["bad_review"]
    assert Clock.objects.filter(kind=ClockKind.SENSITIVE_ESCALATION).count() == 1


@pytest.mark.parametrize("role", [Role.SENIOR_AGENT, Role.SUPERVISOR])
def test_escalating_to_a_senior_agent_meets_the_escalation_clock(store, ticket, agent, role):
    senior = UserFactory(role=role, stores=[store])
    message = message_receive(ticket=ticket, body="I will sue you.", sent_at=T0, actor=ERP)

    with time_machine.travel(T0 + H + 30 * 60 * S, tick=False):
        ticket_escalate(ticket=ticket, to=senior, actor=agent, reason="Legal threat.")

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (senior, TicketStatus.ESCALATED)
    assert_met(the_clock(ClockKind.SENSITIVE_ESCALATION, message=message), at=T0 + H + 30 * 60 * S, actor=agent)
    assert audit_of(ticket, action="assign").get().to_value == senior.username
    # Escalating is no answer to the buyer.
    assert the_clock(ClockKind.FIRST_RESPONSE, message=message).state == ClockState.RUNNING


def test_escalating_an_escalated_ticket_keeps_its_status_and_meets_the_clock(store, agent, senior_agent):
    ticket = TicketFactory(store=store, assignee=agent, status=TicketStatus.ESCALATED)
    message = message_receive(ticket=ticket, body="Chargeback tomorrow.", sent_at=T0, actor=ERP)
    with time_machine.travel(T0 + H, tick=False):
        ticket_escalate(ticket=ticket, to=senior_agent, actor=agent, reason="Chargeback threat.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.ESCALATED, senior_agent)
    assert the_clock(ClockKind.SENSITIVE_ESCALATION, message=message).state == ClockState.MET


def test_escalating_to_a_plain_agent_or_another_stores_senior_is_refused(store, ticket, agent):
    message = message_receive(ticket=ticket, body="Refund now.", sent_at=T0, actor=ERP)
    plain = UserFactory(role=Role.AGENT, stores=[store])
    elsewhere = UserFactory(role=Role.SENIOR_AGENT, stores=[StoreFactory()])

    for to in (plain, elsewhere):
        with pytest.raises(ValidationError) as info:
            ticket_escalate(ticket=ticket, to=to, actor=agent, reason="Refund threat.")
        assert info.value.message_dict == {"to": [str(ESCALATE_TO_SENIOR)]}

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, TicketStatus.OPEN)
    assert the_clock(ClockKind.SENSITIVE_ESCALATION, message=message).state == ClockState.RUNNING


def test_a_reply_does_not_meet_the_escalation_clock(ticket, agent):
    message = message_receive(ticket=ticket, body="Refund now.", sent_at=T0, actor=ERP)
    message_reply(ticket=ticket, author=agent, body="We are checking.", sent_at=T0 + H)
    assert the_clock(ClockKind.SENSITIVE_ESCALATION, message=message).state == ClockState.RUNNING
    assert the_clock(ClockKind.FIRST_RESPONSE, message=message).state == ClockState.MET


# Orders ------------------------------------------------------------------------------------------
def test_payment_starts_the_chargeback_window(store):
    order = OrderFactory(store=store, status=OrderStatus.AWAITING_PAYMENT, paid_at=None, total=Decimal("80.00"))
    with time_machine.travel(T0 + H, tick=False):
        order_set_status(order=order, status=OrderStatus.PAID, actor=ERP, at=T0)

    clock = the_clock(ClockKind.CHARGEBACK_WINDOW, order=order)
    assert_started(clock, at=T0, length=180 * D, event="order.paid_at")
    assert (clock.amount_at_stake, clock.warn_at) == (Decimal("80.00"), None)


def test_completion_starts_the_refund_window_at_the_platforms_completion_time(store):
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED, completed_at=T0)  # reported by the platform
    with time_machine.travel(T0 + D, tick=False):
        order_set_status(order=order, status=OrderStatus.COMPLETED, actor=ERP, at=T0 + D)

    clock = the_clock(ClockKind.REFUND_WINDOW, order=order)
    assert_started(clock, at=T0, length=15 * D, event="order.completed_at")
    assert clock.amount_at_stake == order.total


def test_other_order_statuses_start_no_clock(store):
    order = OrderFactory(store=store, status=OrderStatus.PAID)
    order_set_status(order=order, status=OrderStatus.SHIPPED, actor=ERP, at=T0)
    assert not Clock.objects.exists()


@pytest.mark.usefixtures("media")
def test_evidence_on_a_message_of_another_ticket_is_refused(store, ticket, agent):
    message = message_receive(ticket=TicketFactory(store=store), body="Photo attached.", sent_at=T0, actor=ERP)
    with pytest.raises(ValidationError) as info:
        evidence_add(store=store, ticket=ticket, message=message, kind=EvidenceKind.PHOTO, actor=agent,
                     file=SimpleUploadedFile("x.jpg", b"jpeg"))
    assert info.value.message_dict == {"message": [str(MESSAGE_OF_ANOTHER_TICKET)]}


@pytest.mark.usefixtures("media")
def test_evidence_on_a_buyer_message_lands_on_its_ticket(store, ticket, agent):
    message = message_receive(ticket=ticket, body="Photo attached.", sent_at=T0, actor=ERP)
    evidence = evidence_add(store=store, message=message, kind=EvidenceKind.PHOTO, actor=ERP, by_buyer=True,
                            file=SimpleUploadedFile("x.jpg", b"jpeg"))
    assert (evidence.ticket, evidence.message, evidence.uploaded_by) == (ticket, message, None)
    assert audit_of(evidence, action="evidence").get().actor_label == ERP
