"""Demo disputes and returns: planning them, and their tickets, proposals, workflows and clocks."""

from datetime import timedelta
from decimal import Decimal

from tickets.choices import (
    REASONS_BY_FAMILY,
    ClockKind,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    Marketplace,
    MessageKind,
    Priority,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RefundReason,
    RefundSource,
    RequestedSolution,
    ReturnStatus,
    TicketCategory,
    TicketStatus,
)
from tickets.models import Buyer, Dispute, Return, Ticket
from tickets.services.disputes import dispute_set_status, proposal_create, proposal_set_status
from tickets.services.returns import return_set_status
from tickets.services.tickets import ticket_set_status

from .base import SEED_ACTOR, days, hours
from .catalogue import RETURN_POSTS, TRANSIT_DAYS
from .clocks import BREACHED, DEMO_CLOCK_LENGTHS, LAPSED_GRACE, MET
from .conversations import ticket_path
from .plans import DisputePlan, OrderPlan, ReturnPlan
from .texts import BUYER_TEXTS, NOTE_TEXTS, REPLY_TEXTS

# Which buyer text a dispute's comment reuses, by reason.
DISPUTE_COMMENT_TOPIC = {
    DisputeReason.WRONG_ITEM: "wrong_item", DisputeReason.WRONG_SIZE_COLOUR: "wrong_item",
    DisputeReason.COUNTERFEIT: "wrong_item", DisputeReason.CUSTOMS_HOLD: "customs",
}


class DisputesMixin:
    """Plans disputes and returns and writes their tickets, proposals, workflows and clocks."""

    def _dispute_order_times(self, dispute: DisputePlan) -> dict:
        opened, transit = dispute.opened_at, TRANSIT_DAYS[self.market]
        if dispute.family == DisputeFamily.NOT_AS_DESCRIBED or dispute.reason == DisputeReason.DELIVERED_NOT_RECEIVED:
            return self.timeline("delivered", opened - days(self._u(0.5, 10)), stop="delivered")
        shipped = opened - days(self._u(transit[1] + 2, transit[1] + 25))
        return self.timeline("shipped", shipped, stop="shipped")

    def _new_dispute(self, total: Decimal, family: str, solution: str) -> DisputePlan:
        reason = self.rng.choice(sorted(REASONS_BY_FAMILY[family]))
        requested = self._share(total, 0.3, 0.7) if solution == RequestedSolution.PARTIAL_REFUND else total
        pattern = "50##############" if self.market == Marketplace.ALIEXPRESS else "A2Z-##########"
        return DisputePlan(external_id=self._unique(pattern), family=family, reason=reason, solution=solution,
                            requested=requested)

    def _plan_dispute(self, total: Decimal, kind: str, stage: str, *, pinned: bool = False) -> DisputePlan:
        """A dispute whose ``kind`` clock (response or refund decision) is at ``stage``.
        ``pinned``: a refund decision met by refusing, with the platform still ruling."""
        rng = self.rng
        family = rng.choice((DisputeFamily.NOT_RECEIVED, DisputeFamily.NOT_AS_DESCRIBED))
        full, partial, ret = (RequestedSolution.FULL_REFUND, RequestedSolution.PARTIAL_REFUND,
                              RequestedSolution.RETURN_AND_REFUND)
        if kind == ClockKind.REFUND_DECISION:
            solution = self._pick({full: 2, partial: 1})
        elif family == DisputeFamily.NOT_RECEIVED:
            solution = self._pick({full: 4, partial: 1})
        else:
            solution = self._pick({full: 2, partial: 2, ret: 1})
        d = self._new_dispute(total, family, solution)
        asks_refund = solution != ret
        if kind == ClockKind.DISPUTE_RESPONSE:
            d.opened_at, met_at = self.start_for_stage(kind, stage)
            if stage == BREACHED:  # no answer: the platform decides for the buyer
                d.resolved_at = d.opened_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(5, 180))
                d.outcome, d.accepted = DisputeOutcome.BUYER_WON, ProposalParty.BUYER
                d.refund = (d.requested, d.resolved_at, RefundReason.DISPUTE_LOST, RefundSource.CLOCK_LAPSE)
                d.cancel_decision_at = d.resolved_at if asks_refund else None
                return d
            d.response_at = met_at if stage == MET else None
            if d.response_at:
                limit = d.opened_at + days(4.8)
                must_decide = asks_refund and self.now > d.opened_at + days(4.5)
                latest = min(self.now, limit) if asks_refund else self.now
                if latest > d.response_at and (must_decide or rng.random() < 0.75):
                    d.decided_at = d.response_at + (latest - d.response_at) * self._u(0.1, 1)
        else:
            d.opened_at, met_at = self.start_for_stage(kind, stage, met_share=(0.2, 0.95))
            d.response_at = self._past(d.opened_at + hours(self._u(0.5, 20)))
            if stage == MET:
                d.decided_at = met_at
            elif stage == BREACHED:  # no decision: the platform refunds what the buyer asked
                d.resolved_at = d.opened_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(5, 180))
                d.outcome, d.accepted = DisputeOutcome.BUYER_WON, ProposalParty.BUYER
        self._negotiate(d)
        if d.outcome == DisputeOutcome.BUYER_WON and kind == ClockKind.REFUND_DECISION:
            d.refund = (d.buyer_ask, d.resolved_at, RefundReason.REFUND_REQUEST, RefundSource.CLOCK_LAPSE)
        if d.decided_at:
            pending_review = pinned and kind == ClockKind.REFUND_DECISION
            self._decide(d, choice="review" if pending_review else None, ruling=not pending_review)
        return d

    def _negotiate(self, d: DisputePlan) -> None:
        """The seller's counter-offer with the first response, and maybe the buyer's."""
        if not d.response_at:
            return
        d.seller_offer = self._share(d.requested, 0.3, 0.6)
        end = d.decided_at or d.resolved_at or self.now
        if self.rng.random() < 0.35:
            at = d.response_at + hours(self._u(1, 30))
            if at < end and at <= self.now and d.requested > d.seller_offer:
                d.buyer_counter = (self._share(d.requested, 0.65, 0.9), at)

    def _decide(self, d: DisputePlan, *, choice: str | None = None, ruling: bool = True) -> None:
        """The seller's decision at ``decided_at``: agree, or refuse with evidence and
        let the platform rule (``ruling``: if it has had the time)."""
        options = {"partial": 35, "full": 25, "review": 25, "withdrawn": 10, "reship": 5}
        if d.solution == RequestedSolution.RETURN_AND_REFUND:
            del options["full"]  # agreeing to a return is a return story
        choice, at = choice or self._pick(options), d.decided_at
        refund_at = min(self.now, at + timedelta(minutes=self._u(10, 360)))
        if choice == "review":
            d.review_at = at
            offer_at, resolved = at + days(self._u(1, 3)), at + days(self._u(3, 14))
            if offer_at <= self.now:
                d.platform_offer = (self._share(d.requested, 0.4, 1.0), offer_at)
            if ruling and resolved <= self.now:
                d.resolved_at = resolved
                if self.rng.random() < 0.55:
                    d.outcome = DisputeOutcome.BUYER_WON
                    d.accepted = ProposalParty.PLATFORM if d.platform_offer else ProposalParty.BUYER
                    amount = d.platform_offer[0] if d.platform_offer else d.buyer_ask
                    d.refund = (amount, min(self.now, resolved + hours(1)), RefundReason.DISPUTE_LOST,
                                RefundSource.PLATFORM)
                else:
                    d.outcome = DisputeOutcome.SELLER_WON
            return
        d.resolved_at = at
        if choice == "partial":  # the buyer takes the seller's offer
            d.outcome, d.accepted = DisputeOutcome.AGREED_PARTIAL_REFUND, ProposalParty.SELLER
            d.refund = (d.seller_offer, refund_at, RefundReason.DISPUTE_AGREEMENT, RefundSource.PLATFORM)
        elif choice == "full":  # the seller takes the buyer's (last) ask
            full = d.buyer_ask >= d.requested and d.solution == RequestedSolution.FULL_REFUND
            d.outcome = DisputeOutcome.AGREED_FULL_REFUND if full else DisputeOutcome.AGREED_PARTIAL_REFUND
            d.accepted = ProposalParty.BUYER
            d.refund = (d.buyer_ask, refund_at, RefundReason.DISPUTE_AGREEMENT, RefundSource.PLATFORM)
        else:
            d.outcome = {"withdrawn": DisputeOutcome.WITHDRAWN, "reship": DisputeOutcome.AGREED_RESHIP}[choice]

    def _plan_return(self, total: Decimal, buyer: Buyer, kind: str, stage: str, *, pinned: bool = False) -> tuple:
        """A return agreed in a dispute, whose ``kind`` clock (the buyer's shipment or
        the seller's receipt confirmation) is at ``stage``. ``pinned``: a receipt
        confirmed in time is not refunded yet."""
        rng = self.rng
        pattern = f"R{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}#########{buyer.country}"
        r = ReturnPlan(external_id=self._unique("RT##############"),
                        carrier=RETURN_POSTS.get(buyer.country, "Local post"), tracking=self._unique(pattern))
        receipt = ClockKind.RECEIPT_CONFIRMATION
        if kind == ClockKind.RETURN_SHIPMENT:
            r.agreed_at, met_at = self.start_for_stage(kind, stage)
            if stage == MET:
                r.tracking_at = met_at
            elif stage == BREACHED:  # the buyer never shipped: the return lapses
                r.lapsed_at = r.agreed_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(1, 60))
            if r.tracking_at:
                r.received_at = self._past(r.tracking_at + days(self._u(4, 25)))
        else:
            r.tracking_at, met_at = self.start_for_stage(receipt, stage)
            r.agreed_at = r.tracking_at - days(self._u(1, 9))
            if stage == MET:
                r.received_at = met_at
        if r.tracking_at and not r.received_at and self.now - (r.tracking_at + DEMO_CLOCK_LENGTHS[receipt]) \
                >= LAPSED_GRACE:  # receipt never confirmed: treated as received and refunded
            r.auto_refunded_at = r.tracking_at + DEMO_CLOCK_LENGTHS[receipt] + timedelta(minutes=self._u(1, 90))
        if r.received_at and not (pinned and kind == receipt) and rng.random() < 0.75:
            r.refunded_at = self._past(r.received_at + hours(self._u(2, 72)))
        d = self._new_dispute(total, DisputeFamily.NOT_AS_DESCRIBED, RequestedSolution.RETURN_AND_REFUND)
        d.opened_at = r.agreed_at - days(self._u(1, 5))
        d.response_at = d.opened_at + hours(self._u(0.5, 20))
        d.decided_at = d.resolved_at = r.agreed_at
        d.outcome, d.accepted = DisputeOutcome.AGREED_RETURN, ProposalParty.SELLER
        refunded = r.refunded_at or r.auto_refunded_at
        if refunded:
            source = RefundSource.PLATFORM if r.refunded_at else RefundSource.CLOCK_LAPSE
            d.refund = (d.requested, refunded, RefundReason.RETURN_RECEIVED, source)
        return r, d

    def _dispute_thread(self, p: OrderPlan, messages: list) -> Ticket:
        d, language = p.dispute, p.buyer.language
        assignee = self._agent()
        reason = DisputeReason(d.reason).label
        ticket = p.dispute_ticket = Ticket(
            store=self.store, order=p.order, buyer=p.buyer, category=TicketCategory.DISPUTE,
            subject=f"Dispute {d.external_id}: {reason}", priority=Priority.RED, assignee=assignee,
            language=language, first_replied_at=d.response_at,
        )
        ctx = self._ctx(p, d.seller_offer or d.requested)
        opened = (f"Buyer opened dispute {d.external_id} ({DisputeFamily(d.family).label}: {reason}) and asks "
                  f"for: {RequestedSolution(d.solution).label}, {self._amount(p, d.requested)}.")
        messages.append(self._message(ticket, MessageKind.SYSTEM, d.opened_at, opened, ctx, "en"))
        note_at = self._past(d.opened_at + timedelta(minutes=self._u(5, 60)))
        if note_at and (not d.response_at or note_at < d.response_at):
            note_language, note = self.rng.choice(NOTE_TEXTS["dispute"])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, note_at, note, ctx, note_language,
                                          author=assignee))
        if d.response_at:
            if d.solution == RequestedSolution.RETURN_AND_REFUND:
                reply = "refund"
            else:
                reply = "logistics" if d.family == DisputeFamily.NOT_RECEIVED else "quality"
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, d.response_at,
                                          REPLY_TEXTS[reply][language], ctx, language, author=assignee))
        if d.resolved_at:
            text = f"Dispute {d.external_id} resolved: {DisputeOutcome(d.outcome).label}."
            messages.append(self._message(ticket, MessageKind.SYSTEM, d.resolved_at, text, ctx, "en"))
        return ticket

    def _write_disputes(self, plans: list) -> None:
        disputes, returns = [], []
        for p in plans:
            if not p.dispute:
                continue
            d = p.dispute
            if d.family == DisputeFamily.NOT_RECEIVED:
                topic = "where_is"
            else:
                topic = DISPUTE_COMMENT_TOPIC.get(d.reason, "damaged")
            p.dispute_obj = Dispute(
                store=self.store, order=p.order, ticket=p.dispute_ticket, external_id=d.external_id,
                family=d.family, reason=d.reason, requested_solution=d.solution, currency=self.currency,
                requested_amount=d.requested, opened_at=d.opened_at, seller_responded_at=d.response_at,
                buyer_comment=BUYER_TEXTS[topic][p.buyer.language].format(**self._ctx(p)),
                platform_updated_at=max(filter(None, (d.opened_at, d.response_at, d.review_at, d.resolved_at))),
            )
            disputes.append(p.dispute_obj)
            if p.ret:
                p.return_obj = Return(store=self.store, order=p.order, dispute=p.dispute_obj,
                                      external_id=p.ret.external_id, agreed_at=p.ret.agreed_at)
                returns.append(p.return_obj)
        Dispute.objects.bulk_create(disputes)
        Return.objects.bulk_create(returns)

    def _run_dispute(self, p: OrderPlan) -> None:
        d, dispute, ticket = p.dispute, p.dispute_obj, p.dispute_ticket
        agent = ticket.assignee
        buyer_solution = (ProposalSolution.RETURN_AND_REFUND if d.solution == RequestedSolution.RETURN_AND_REFUND
                          else ProposalSolution.REFUND)
        proposals = {ProposalParty.BUYER: proposal_create(
            dispute=dispute, party=ProposalParty.BUYER, solution=buyer_solution, amount=d.requested,
            actor=SEED_ACTOR, proposed_at=d.opened_at, note=dispute.buyer_comment[:200])}
        if d.response_at:
            if d.outcome == DisputeOutcome.AGREED_RETURN:
                proposals[ProposalParty.SELLER] = proposal_create(
                    dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.RETURN_AND_REFUND,
                    amount=d.requested, actor=agent, proposed_at=d.response_at,
                    note="Please send the item back; full refund on receipt.")
            elif d.seller_offer:
                proposals[ProposalParty.SELLER] = proposal_create(
                    dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                    amount=d.seller_offer, actor=agent, proposed_at=d.response_at,
                    note="Partial refund; the buyer keeps the item.")
            dispute_set_status(dispute=dispute, status=DisputeStatus.NEGOTIATING, actor=agent, at=d.response_at,
                               reason="Seller answered the dispute.")
        if d.buyer_counter:
            amount, at = d.buyer_counter
            proposals[ProposalParty.BUYER] = proposal_create(
                dispute=dispute, party=ProposalParty.BUYER, solution=ProposalSolution.REFUND, amount=amount,
                actor=SEED_ACTOR, proposed_at=at, note="Counter-offer.")
        if d.review_at:
            dispute_set_status(dispute=dispute, status=DisputeStatus.PLATFORM_REVIEW, actor=agent, at=d.review_at,
                               reason="Refused with evidence (tracking, photos, chat history).")
        if d.platform_offer:
            amount, at = d.platform_offer
            proposals[ProposalParty.PLATFORM] = proposal_create(
                dispute=dispute, party=ProposalParty.PLATFORM, solution=ProposalSolution.REFUND, amount=amount,
                actor=SEED_ACTOR, proposed_at=at, note="Platform's proposed settlement.")
        if d.resolved_at:
            # The accepted offer is accepted; when the two sides settled it themselves
            # their other offers are withdrawn, when the platform ruled they are rejected.
            settled = d.outcome.startswith("agreed") or d.outcome == DisputeOutcome.WITHDRAWN
            for party, proposal in proposals.items():
                if party == d.accepted:
                    status = ProposalStatus.ACCEPTED
                elif settled and party != ProposalParty.PLATFORM:
                    status = ProposalStatus.WITHDRAWN
                else:
                    status = ProposalStatus.REJECTED
                proposal_set_status(proposal=proposal, status=status, actor=SEED_ACTOR)
            dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=d.outcome, at=d.resolved_at,
                               actor=agent if d.outcome.startswith("agreed") else SEED_ACTOR)
        ret = p.ret
        ticket_end = (ret.refunded_at or ret.auto_refunded_at or ret.lapsed_at) if ret else d.resolved_at
        closed = self._past(ticket_end + days(7)) if ticket_end else None
        events = [(d.response_at, TicketStatus.WAITING_ON_BUYER), (d.review_at, TicketStatus.OPEN),
                  (ticket_end, TicketStatus.RESOLVED), (closed, TicketStatus.CLOSED)]
        for status in ticket_path(events, start_open=True):
            ticket_set_status(ticket=ticket, status=status, actor=agent,
                              at=ticket_end if status == TicketStatus.RESOLVED else None)
        p.dispute_ticket_end = ticket_end
        ctx = {"amount": d.requested, "owner": agent, "label": f"dispute {d.external_id} ({p.number})"}
        self._clock(ClockKind.DISPUTE_RESPONSE, dispute, d.opened_at, done_at=d.response_at, done_by=agent,
                    done_reason="Seller answered the dispute.", **ctx)
        if d.solution != RequestedSolution.RETURN_AND_REFUND:
            # At stake: what the buyer asks for now (a counter-offer replaces the request), as the sync records.
            self._clock(ClockKind.REFUND_DECISION, dispute, d.opened_at, done_at=d.decided_at, done_by=agent,
                        done_reason="Refund request decided.", cancelled_at=d.cancel_decision_at,
                        **{**ctx, "amount": d.buyer_ask})

    def _run_return(self, p: OrderPlan) -> None:
        r, ret = p.ret, p.return_obj
        agent = p.dispute_ticket.assignee
        if r.tracking_at:
            return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, actor=SEED_ACTOR, at=r.tracking_at,
                              tracking_number=r.tracking, carrier=r.carrier,
                              reason="Buyer entered the return tracking number.")
        if r.received_at:
            return_set_status(ret=ret, status=ReturnStatus.RECEIVED, actor=agent, at=r.received_at,
                              reason="Parcel received at the warehouse.")
        if r.refunded_at or r.auto_refunded_at:
            return_set_status(ret=ret, status=ReturnStatus.REFUNDED, actor=SEED_ACTOR,
                              at=r.refunded_at or r.auto_refunded_at,
                              reason="Refunded by the platform." if r.refunded_at else
                              "Receipt not confirmed in time: treated as received and refunded.")
        if r.lapsed_at:
            return_set_status(ret=ret, status=ReturnStatus.LAPSED, actor=SEED_ACTOR, at=r.lapsed_at,
                              reason="The buyer did not ship the return in time.")
        ctx = {"amount": p.dispute.requested, "owner": agent, "label": f"return {r.external_id} ({p.number})"}
        self._clock(ClockKind.RETURN_SHIPMENT, ret, r.agreed_at, done_at=r.tracking_at, done_by=SEED_ACTOR,
                    done_reason="Buyer shipped the return.", **ctx)
        if r.tracking_at:
            self._clock(ClockKind.RECEIPT_CONFIRMATION, ret, r.tracking_at, done_at=r.received_at, done_by=agent,
                        done_reason="Seller confirmed receipt.", **ctx)
