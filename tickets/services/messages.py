"""Message services: a buyer writes, an agent replies, a colleague leaves a note.

The clocks a conversation runs on start and stop here:

- a buyer's message starts the first-response clock, unless one already runs on
  the ticket (the oldest unanswered message is what the marketplace counts; a late
  older one takes the clock over, and one already answered has its clock met);
- a buyer's message that mentions a return, a refund, a chargeback, a bad review
  or legal action also starts the 2-hour sensitive-message escalation clock
  (met by ``ticket_escalate``);
- only a real written reply meets the first-response clock: not an automatic
  acknowledgement, not an internal note, not the buyer's message being read.
  It also answers the ticket's open disputes.
"""

import functools
import re
import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from templates_lib.replies import reply_validate, template_body_validate, template_use_record
from tickets.choices import ClockKind, ClockState, DisputeStatus, MessageKind, Priority, TicketStatus
from tickets.models import Clock, Message, SensitiveTerm, SensitiveTopic, Ticket

from .audit import audit_record
from .clocks import clock_start_for, clocks_cancel, clocks_meet
from .disputes import dispute_seller_responded
from .tickets import ticket_clocks, ticket_escalated_to_senior, ticket_raise_priority, ticket_set_status
from .webhooks import event_emit

# A buyer writing again hands the ticket back to the desk.
REOPENED_BY_BUYER = (TicketStatus.RESOLVED, TicketStatus.WAITING_ON_BUYER)

# Scripts written without spaces between words: their terms match anywhere in the text.
_NO_WORD_BOUNDARIES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


# Sensitive topics ------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case without accents, so "Devolución", "DEVOLUCION" and "devolución"
    read alike (and "ё" as "е"). NFKD also turns full-width letters into plain ones."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern:
    """The compiled pattern of one term; cached by its text, so an edited term is
    simply a new key and nothing goes stale.

    Latin and Cyrillic terms match whole words (``(?<!\\w)`` and ``(?!\\w)`` rather
    than ``\\b``, which misbehaves next to a term's own punctuation). A word ending
    in ``*`` matches its longer forms too. Between words, any run of spaces or
    hyphens will do ("1-star", "1 star"). Chinese and Japanese terms match anywhere.
    """
    folded = _fold(term)
    if _NO_WORD_BOUNDARIES.search(folded):
        return re.compile(re.escape(folded))
    words = [re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word) for word in folded.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE | re.UNICODE)


def sensitive_topics(text: str) -> list[str]:
    """The sensitive topics ``text`` mentions, in ``SensitiveTopic`` order, from the
    active terms of every language (one query).

    Every language is searched, not only the message's: buyers' language tags are
    often missing or wrong, and many write a word or two of English into their own
    language. Terms of different scripts cannot collide.
    """
    folded = _fold(text or "")
    if not folded.strip():
        return []
    found = set()
    for term, topic in SensitiveTerm.objects.filter(is_active=True).values_list("term", "topic"):
        if topic not in found and _pattern(term).search(folded):
            found.add(topic)
    return [topic for topic in SensitiveTopic.values if topic in found]


# Buyer messages ----------------------------------------------------------------------------
def message_receive(*, ticket: Ticket, body: str, sent_at, actor, language: str = "",
                    external_id: str = "") -> Message:
    """Record a buyer's message sent at the platform time ``sent_at``.

    1. A message already stored under ``external_id`` (a re-sync) is returned as
       it is, and starts nothing.
    2. The ticket is locked, so two messages arriving at once cannot both find no
       first-response clock and start one each.
    3. Store the message with its sensitive topics, note the ticket's last buyer
       message, and hand a resolved or waiting ticket back to the desk.
    4. Start the first-response clock on this message unless one already runs on
       the ticket; start the escalation clock if the message is sensitive and none
       runs on the ticket.
    """
    if external_id:
        existing = Message.objects.filter(store_id=ticket.store_id, external_id=external_id).first()
        if existing is not None:
            return existing
    topics = sensitive_topics(body)
    message = Message(store_id=ticket.store_id, ticket=ticket, kind=MessageKind.BUYER, body=body,
                      language=language, external_id=external_id, sent_at=sent_at, topics=topics)
    # The external id's uniqueness is left to the database (below): checking it here
    # as well would turn a concurrent re-sync into an error instead of the same row.
    message.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
            message.save()
            audit_record(subject=message, actor=actor, action="message", field="kind", to_value=message.kind,
                         reason=f"sensitive: {', '.join(topics)}" if topics else "")
            _note_buyer_message(ticket, sent_at, actor)
            if topics:
                # DOMAIN's red band: claims, chargebacks, threats of bad reviews or legal action.
                ticket_raise_priority(ticket=ticket, priority=Priority.RED, actor=actor,
                                      reason=f"sensitive: {', '.join(topics)}")
            _start_message_clocks(ticket, message, actor)
    except IntegrityError:
        # Only a concurrent sync of the same external id can collide here.
        existing = Message.objects.filter(store_id=ticket.store_id, external_id=external_id).first()
        if not external_id or existing is None:
            raise
        return existing
    return message


def _note_buyer_message(ticket: Ticket, sent_at, actor) -> None:
    _ticket_changed(ticket)
    # Conditional: a late-synced older message never moves the time backwards.
    if Ticket.objects.filter(pk=ticket.pk).exclude(last_buyer_message_at__gte=sent_at).update(
            last_buyer_message_at=sent_at):
        ticket.last_buyer_message_at = sent_at
    if ticket.status in REOPENED_BY_BUYER:
        ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=actor,
                          reason=gettext_noop("The buyer wrote again."))


def _start_message_clocks(ticket: Ticket, message: Message, actor) -> None:
    _start_first_response(ticket, message, actor)
    if message.topics and not ticket_clocks(ticket=ticket, kind=ClockKind.SENSITIVE_ESCALATION).filter(
            state=ClockState.RUNNING).exists():
        clock = clock_start_for(kind=ClockKind.SENSITIVE_ESCALATION, subject=message, started_at=message.sent_at,
                                actor=actor, start_event="message.sent_at")
        if clock is not None and ticket_escalated_to_senior(ticket):
            # Already in a senior's hands: the escalation the marketplace asks for is done.
            clocks_meet(clocks=Clock.objects.filter(pk=clock.pk), actor=actor, at=message.sent_at,
                        reason=gettext_noop("The ticket was already escalated to a senior agent."))


def _start_first_response(ticket: Ticket, message: Message, actor) -> None:
    """The marketplace counts from the oldest message the seller has not answered.
    The ERP may deliver messages out of order, so a message can arrive after a newer
    one (it then takes over the clock) or after the reply that answered it (its
    clock is met at that reply, or breached if the reply came too late)."""
    sent_at = message.sent_at
    running = ticket_clocks(ticket=ticket, kind=ClockKind.FIRST_RESPONSE).filter(state=ClockState.RUNNING).first()
    if running is not None:
        # Nothing to move when the running clock already counts from an older message,
        # when this one was answered before the next came, or when the running one has
        # lapsed already (the marketplace applies one lapse; the sweep records it).
        if running.started_at <= sent_at or running.due_at <= timezone.now() or _real_replies(ticket).filter(
                sent_at__gte=sent_at, sent_at__lt=running.started_at).exists():
            return
        clocks_cancel(clocks=Clock.objects.filter(pk=running.pk), actor=actor,
                      reason=gettext_noop("An older unanswered buyer message arrived; the clock runs from it."))
    clock = clock_start_for(kind=ClockKind.FIRST_RESPONSE, subject=message, started_at=sent_at, actor=actor,
                            start_event="message.sent_at")
    answer = _real_replies(ticket).filter(sent_at__gte=sent_at).order_by("sent_at").first()
    if clock is not None and answer is not None:
        clocks_meet(clocks=Clock.objects.filter(pk=clock.pk), actor=actor, at=answer.sent_at,
                    reason=gettext_noop("An agent had already replied to the buyer."))


def _real_replies(ticket: Ticket):
    return Message.objects.filter(ticket=ticket, kind=MessageKind.AGENT_REPLY, is_automatic=False)


# Replies and notes ---------------------------------------------------------------------------
def message_reply(*, ticket: Ticket, author, body: str, actor=None, is_automatic: bool = False, sent_at=None,
                  language: str = "", template_body=None, external_id: str = "") -> Message:
    """Record an agent's reply to the buyer (default: sent now, by its author).

    Only a real written reply counts: it meets the ticket's running first-response
    clocks, stamps the ticket's first reply, and answers its open disputes. An
    automatic acknowledgement is stored and counts for nothing.

    Every reply, automatic ones too, must have no placeholder left to fill and pass
    the compliance rules. ``template_body`` (the exact template version the text
    came from) records the use for the template's effectiveness figures.
    """
    actor = actor if actor is not None else author
    message = Message(store_id=ticket.store_id, ticket=ticket, kind=MessageKind.AGENT_REPLY, author=author,
                      body=body, language=language, is_automatic=is_automatic, sent_at=sent_at or timezone.now(),
                      external_id=external_id)
    message.full_clean()
    if not external_id:  # a reply the platform reports was already sent: record it, whatever it says
        reply_validate(body)
    if template_body is not None:
        template_body_validate(template_body, ticket)
    with transaction.atomic():
        message.save()
        _ticket_changed(ticket)
        audit_record(subject=message, actor=actor, action="message", field="kind", to_value=message.kind,
                     reason="automatic" if is_automatic else "")
        if message.is_real_reply:
            _count_reply(ticket, message, actor)
        if template_body is not None:
            template_use_record(message=message, body=template_body, agent=author)
        # Automatic replies too: the buyer sees them; the body says ``is_automatic``.
        event_emit(name="ticket.replied", obj=message, actor=actor, occurred_at=message.sent_at)
    return message


def _count_reply(ticket: Ticket, message: Message, actor) -> None:
    at = message.sent_at
    clocks_meet(clocks=ticket_clocks(ticket=ticket, kind=ClockKind.FIRST_RESPONSE), actor=actor, at=at,
                reason=gettext_noop("An agent replied to the buyer."))
    if Ticket.objects.filter(pk=ticket.pk, first_replied_at__isnull=True).update(first_replied_at=at):
        ticket.first_replied_at = at
    for dispute in ticket.disputes.exclude(status=DisputeStatus.RESOLVED):
        dispute_seller_responded(dispute=dispute, at=at, actor=actor, how="An agent replied to the buyer.")


def message_note(*, ticket: Ticket, author, body: str, actor=None) -> Message:
    """Leave an internal note on the ticket. The buyer never sees it, so it meets no clock."""
    actor = actor if actor is not None else author
    message = Message(store_id=ticket.store_id, ticket=ticket, kind=MessageKind.INTERNAL_NOTE, author=author,
                      body=body, sent_at=timezone.now())
    message.full_clean()
    with transaction.atomic():
        message.save()
        _ticket_changed(ticket)
        audit_record(subject=message, actor=actor, action="message", field="kind", to_value=message.kind)
    return message


def _ticket_changed(ticket: Ticket) -> None:
    # A ticket is served with its messages, so a new one is a change of the ticket: an
    # ERP pulling tickets changed since its last pull must get it again.
    ticket.updated_at = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=ticket.updated_at)
