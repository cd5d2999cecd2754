"""Demo buyer conversations: topics, planning them, and their tickets, messages and clocks."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from tickets.choices import TICKET_TRANSITIONS, ClockKind, MessageKind, Priority, TicketCategory, TicketStatus
from tickets.models import Message, Ticket
from tickets.services.tickets import ticket_assign, ticket_set_status

from .base import SEED_ACTOR, days, hours
from .catalogue import TRANSIT_DAYS
from .clocks import BREACHED, DEMO_CLOCK_LENGTHS, LAPSED, MET
from .plans import OrderPlan, TicketPlan
from .texts import BUYER_TEXTS, NOTE_TEXTS, REPLY_TEXTS


class Topic(NamedTuple):
    category: str
    priority: str
    subject: str
    reply: str  # key of REPLY_TEXTS
    sensitive: bool  # starts the sensitive-message escalation clock
    weight: int
    resolve_rate: float  # share of answered tickets that end resolved


TOPICS = {
    "where_is": Topic(TicketCategory.LOGISTICS, Priority.YELLOW, "Where is my order?", "logistics", False, 24, .3),
    "customs": Topic(TicketCategory.LOGISTICS, Priority.YELLOW, "Parcel held by customs", "logistics", False, 6, .4),
    "damaged": Topic(TicketCategory.QUALITY, Priority.RED, "Item arrived damaged", "quality", False, 12, .6),
    "wrong_item": Topic(TicketCategory.NOT_AS_DESCRIBED, Priority.YELLOW, "Wrong colour or size", "quality", False,
                        10, .5),
    "refund_request": Topic(TicketCategory.RETURN_REFUND, Priority.RED, "Wants to return it for a refund", "refund",
                            True, 9, .4),
    "review_threat": Topic(TicketCategory.OTHER, Priority.RED, "Threatens a 1-star review and a chargeback", "refund",
                           True, 5, .3),
    "address_change": Topic(TicketCategory.ORDER_CHANGE, Priority.BLUE, "Change of delivery address", "address",
                            False, 8, .9),
    "thanks": Topic(TicketCategory.FEEDBACK, Priority.BLUE, "Thank-you note", "thanks", False, 8, .95),
}
SENSITIVE_TOPICS = tuple(name for name, topic in TOPICS.items() if topic.sensitive)


def ticket_path(events: list, *, start_open: bool) -> list:
    """The ticket statuses to walk through, in order, for dated ``events`` of
    (datetime or None, status); events the workflow does not allow are skipped."""
    path, current = [], TicketStatus.NEW
    steps = sorted((at, status) for at, status in events if at is not None)
    if start_open or steps:
        steps.insert(0, (None, TicketStatus.OPEN))
    for _, status in steps:
        if status != current and status in TICKET_TRANSITIONS[current]:
            path.append(status)
            current = status
    return path


class ConversationsMixin:
    """Plans buyer conversations and writes their tickets, messages, workflows and clocks."""

    def _plan_ticket(self, kind: str, stage: str, total: Decimal) -> TicketPlan:
        """A buyer conversation whose ``kind`` clock (first response or sensitive
        escalation) is at ``stage``; the other clocks follow from the same dates."""
        rng = self.rng
        sensitive_kind = ClockKind.SENSITIVE_ESCALATION
        if kind == sensitive_kind:
            topic = rng.choice(SENSITIVE_TOPICS)
            t0, met_at = self.start_for_stage(kind, stage)
            length = self.first_response_length(t0)
        else:
            topic = self._pick({name: t.weight for name, t in TOPICS.items()})
            t0, length, met_at = self.buyer_message_start(stage)
        plan = TicketPlan(topic=topic, t0=t0, first_length=length, in_hours=self.in_working_hours(t0))
        info = TOPICS[topic]
        # 1. The agent's first written reply.
        if kind == ClockKind.FIRST_RESPONSE:
            if stage == MET:
                plan.reply_at = met_at
            elif stage == BREACHED:
                plan.reply_at = self._past(t0 + length + hours(self._u(0.5, 30)))
        elif stage in (BREACHED, MET) or (stage == LAPSED and rng.random() < 0.6):
            plan.reply_at = self._past(t0 + length * self._u(0.05, 0.9))
        # 2. A sensitive message escalated to a senior agent (or not, or late).
        if info.sensitive:
            due = t0 + DEMO_CLOCK_LENGTHS[sensitive_kind]
            if kind == sensitive_kind:
                if stage == MET:
                    plan.escalated_at = met_at
                elif stage == BREACHED and rng.random() < 0.5:
                    plan.escalated_at = self._past(due + hours(self._u(1, 48)))
            elif rng.random() < 0.7:
                plan.escalated_at = self._past(t0 + timedelta(minutes=self._u(5, 150)))
        # 3. What happened next: resolved, or the buyer wrote again.
        if plan.reply_at:
            last = max(filter(None, (plan.reply_at, plan.escalated_at)))
            if rng.random() < info.resolve_rate:
                plan.resolved_at = self._past(last + hours(self._u(0.5, 72)))
            if plan.resolved_at is None and rng.random() < 0.35:
                plan.followup_at = self._past(last + hours(self._u(1, 48)))
                if plan.followup_at and rng.random() < 0.6:
                    follow_length = self.first_response_length(plan.followup_at)
                    plan.second_reply_at = self._past(plan.followup_at + follow_length * self._u(0.1, 1.3))
        if topic in ("damaged", "wrong_item"):
            # Small orders are refunded at once without a return; larger ones in part.
            plan.offer = total if total < 20 else self._share(total, 0.2, 0.4)
        plan.unassigned = not (plan.reply_at or plan.escalated_at) and rng.random() < 0.4
        plan.start_open = not plan.unassigned and rng.random() < 0.5
        return plan

    def _ticket_order_times(self, ticket: TicketPlan) -> dict:
        t0, transit = ticket.t0, TRANSIT_DAYS[self.market]
        if ticket.topic in ("where_is", "customs"):
            shipped = t0 - days(self._u(transit[0] + 4, transit[1] + 10))
            return self.timeline("shipped", shipped, not_before={"delivered": t0 + days(self._u(1, 10))})
        if ticket.topic == "address_change":
            return self.timeline("paid", t0 - hours(self._u(2, 30)),
                                 not_before={"shipped": t0 + hours(self._u(6, 30))})
        if ticket.topic == "review_threat":
            return self.timeline("delivered", t0 - days(self._u(3, 12)))
        return self.timeline("delivered", t0 - days(self._u(0.1, 4)))

    def _message(self, ticket, kind, sent_at, text, ctx, language, *, author=None, external_id="") -> Message:
        return Message(store=self.store, ticket=ticket, kind=kind, author=author, body=text.format(**ctx),
                       language=language, external_id=external_id, sent_at=sent_at)

    def _write_tickets(self, plans: list) -> None:
        """Tickets (in status NEW) and their threads, for conversations and disputes."""
        tickets, messages = [], []
        for p in plans:
            if p.ticket:
                tickets.append(self._conversation(p, messages))
            if p.dispute:
                tickets.append(self._dispute_thread(p, messages))
        Ticket.objects.bulk_create(tickets)
        Message.objects.bulk_create(messages)

    def _conversation(self, p: OrderPlan, messages: list) -> Ticket:
        tp, info, language = p.ticket, TOPICS[p.ticket.topic], p.buyer.language
        assignee = None if tp.unassigned else self._agent()
        ticket = p.ticket_obj = Ticket(
            store=self.store, order=p.order, buyer=p.buyer, subject=f"{info.subject} · {p.number}",
            category=info.category, priority=info.priority, assignee=assignee, language=language,
            last_buyer_message_at=tp.followup_at or tp.t0, first_replied_at=tp.reply_at,
        )
        ctx = self._ctx(p, tp.offer)
        p.first_message = self._message(ticket, MessageKind.BUYER, tp.t0, BUYER_TEXTS[tp.topic][language], ctx,
                                        language, external_id=f"M{p.number}-1")
        messages.append(p.first_message)
        note_at = self._past(tp.t0 + timedelta(minutes=self._u(3, 40)))
        if assignee and note_at and (not tp.reply_at or note_at < tp.reply_at) and self.rng.random() < 0.4:
            note_language, note = self.rng.choice(NOTE_TEXTS[info.reply])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, note_at, note, ctx, note_language,
                                          author=assignee))
        if tp.reply_at:
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, tp.reply_at,
                                          REPLY_TEXTS[info.reply][language], ctx, language, author=assignee))
        if tp.escalated_at:
            note_language, note = self.rng.choice(NOTE_TEXTS["refund"])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, tp.escalated_at, note, ctx,
                                          note_language, author=assignee))
        if tp.followup_at:
            p.followup_message = self._message(ticket, MessageKind.BUYER, tp.followup_at,
                                               BUYER_TEXTS["follow_up"][language], ctx, language,
                                               external_id=f"M{p.number}-2")
            messages.append(p.followup_message)
        if tp.second_reply_at:
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, tp.second_reply_at,
                                          REPLY_TEXTS["update"][language], ctx, language,
                                          author=self.senior if tp.escalated_at else assignee))
        return ticket

    def _backdate_tickets(self, plans: list) -> None:
        """Tickets were written now; date them by their conversation instead, so the
        queues sort as they would on a live desk (``resolved_at`` is already the
        conversation's: the resolving transition was given its time)."""
        tickets = []
        for p in plans:
            if p.ticket_obj:
                tp = p.ticket
                events = (tp.t0, tp.reply_at, tp.escalated_at, tp.followup_at, tp.second_reply_at, tp.resolved_at)
                tickets.append(self._backdate(p.ticket_obj, tp.t0, events))
            if p.dispute_ticket:
                d = p.dispute
                events = (d.opened_at, d.response_at, d.review_at, d.resolved_at, p.dispute_ticket_end)
                tickets.append(self._backdate(p.dispute_ticket, d.opened_at, events))
        Ticket.objects.bulk_update(tickets, ["created_at", "updated_at"])

    @staticmethod
    def _backdate(ticket: Ticket, created: datetime, events: tuple) -> Ticket:
        ticket.created_at, ticket.updated_at = created, max(filter(None, events))
        return ticket

    def _run_ticket(self, p: OrderPlan) -> None:
        tp, ticket = p.ticket, p.ticket_obj
        agent = ticket.assignee
        closed = self._past(tp.resolved_at + days(7)) if tp.resolved_at else None
        events = [(tp.reply_at, TicketStatus.WAITING_ON_BUYER), (tp.escalated_at, TicketStatus.ESCALATED),
                  (tp.followup_at, TicketStatus.OPEN), (tp.second_reply_at, TicketStatus.WAITING_ON_BUYER),
                  (tp.resolved_at, TicketStatus.RESOLVED), (closed, TicketStatus.CLOSED)]
        for status in ticket_path(events, start_open=tp.start_open):
            ticket_set_status(ticket=ticket, status=status, actor=ticket.assignee or SEED_ACTOR,
                              at=tp.resolved_at if status == TicketStatus.RESOLVED else None)
            if status == TicketStatus.ESCALATED:
                ticket_assign(ticket=ticket, assignee=self.senior, actor=agent or SEED_ACTOR,
                              reason="Sensitive message: refund, bad review or chargeback threat.")
        amount = p.total
        ctx = {"amount": amount, "owner": ticket.assignee, "label": f"ticket #{ticket.pk} ({p.number})"}
        self._clock(ClockKind.FIRST_RESPONSE, p.first_message, tp.t0, length=tp.first_length, done_at=tp.reply_at,
                    done_by=agent, done_reason="Agent replied.", basis={"working_hours": tp.in_hours}, **ctx)
        if TOPICS[tp.topic].sensitive:
            self._clock(ClockKind.SENSITIVE_ESCALATION, p.first_message, tp.t0, done_at=tp.escalated_at,
                        done_by=agent, done_reason="Escalated to a senior agent.", **ctx)
        if p.followup_message:
            length = self.first_response_length(tp.followup_at)
            self._clock(ClockKind.FIRST_RESPONSE, p.followup_message, tp.followup_at, length=length,
                        done_at=tp.second_reply_at, done_by=ticket.assignee, done_reason="Agent replied.",
                        basis={"working_hours": self.in_working_hours(tp.followup_at)}, **ctx)
