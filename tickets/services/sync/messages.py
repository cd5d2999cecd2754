"""Messages in from the ERP: ``POST /api/v1/sync/messages/``.

A buyer's message goes through ``message_receive`` (first-response and
sensitive-message clocks start at its ``sent_at``); a reply the seller wrote on the
platform itself goes through ``message_reply`` and meets them. Each lands in the
open ticket of its order (or of its buyer), or opens one. Messages never change on
the platforms, so one stored before is simply ``unchanged``.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import TicketCategory
from tickets.models import Buyer, Message, Order

from ..field_errors import field_errors
from ..messages import message_receive, message_reply
from ..origin import platform_sync
from ..tickets import ticket_for
from .batch import CREATED, UNCHANGED, Item, parse_batch, report
from .fields import Choice, Shape, Text, Timestamp, language


class Direction(models.TextChoices):
    IN = "in", gettext_lazy("From the buyer")
    OUT = "out", gettext_lazy("From the seller, sent on the platform")


MESSAGE = Shape("SyncMessage", {
    "store": Text(40, required=True, help_text="The store's code."),
    "message_id": Text(64, required=True, help_text="The marketplace's message id."),
    "order_number": Text(64, help_text="The order the conversation is about, if any."),
    "buyer_id": Text(64, help_text="The marketplace's buyer id; required without an order number."),
    "body": Text(20000, required=True, blank=False),
    "sent_at": Timestamp(required=True, help_text="When it was sent; a buyer's message starts the reply clocks."),
    "direction": Choice(Direction, help_text="in (the buyer's, the default) or out (the seller's)."),
    "language": language(),
})


def messages_sync(raw_items: list, *, actor) -> dict:
    results, items = parse_batch(raw_items, shape=MESSAGE, key="message_id", actor=actor)
    stored = {(m.store_id, m.external_id): m for m in Message.objects.filter(
        store_id__in={i.store.pk for i in items}, external_id__in={i.data["message_id"] for i in items}).only(
        "pk", "store_id", "external_id", "body")}
    with platform_sync():
        for item in items:
            known = stored.get((item.store.pk, item.data["message_id"]))
            if known is not None:
                _known(item, known)
                continue
            try:
                with transaction.atomic():
                    _create(item, actor)
            except ValidationError as exc:
                item.fail(field_errors(exc))
            except IntegrityError:
                # Another request stored it meanwhile: the same message, so nothing changes.
                known = Message.objects.filter(store=item.store, external_id=item.data["message_id"]).first()
                if known is None:
                    item.fail({"message_id": [_("It could not be stored; send it again.")]})
                else:
                    _known(item, known)
    return report(results)


def _known(item: Item, message: Message) -> None:
    """A message stored before. The platforms never edit one, so other text under the
    same id is a mistake of the sender, reported rather than applied or hidden."""
    item.result.id = message.pk
    if item.data["body"] != message.body:
        item.fail({"body": [_("Message %(id)s is stored with other text; a sent message cannot change.") % {
            "id": item.data["message_id"]}]})
        return
    item.result.status = UNCHANGED


def _create(item: Item, actor) -> None:
    data, store = item.data, item.store
    order = buyer = None
    if "order_number" in data:
        order = Order.objects.filter(store=store, order_number=data["order_number"]).select_related("buyer").first()
        if order is None:
            raise ValidationError({"order_number": [_("No order %(number)s in store %(store)s; sync the order first.")
                                                    % {"number": data["order_number"], "store": store.code}]})
        buyer = order.buyer
    elif "buyer_id" in data:
        buyer, _created = Buyer.objects.get_or_create(store=store, platform_buyer_id=data["buyer_id"])
    else:
        raise ValidationError({"order_number": [_("Give the order number, or the buyer id for a message without an "
                                                  "order.")]})
    subject = (_("Order %(number)s") % {"number": order.order_number} if order
               else data["body"].splitlines()[0][:80])
    ticket = ticket_for(store=store, order=order, buyer=buyer, subject=subject, category=TicketCategory.OTHER,
                        actor=actor, language=data.get("language", "") or (buyer.language if buyer else ""))
    if data.get("direction", Direction.IN) == Direction.IN:
        message = message_receive(ticket=ticket, body=data["body"], sent_at=data["sent_at"], actor=actor,
                                  language=data.get("language", ""), external_id=data["message_id"])
    else:
        message = message_reply(ticket=ticket, author=None, actor=actor, body=data["body"], sent_at=data["sent_at"],
                                language=data.get("language", ""), external_id=data["message_id"])
    item.result.status, item.result.id = CREATED, message.pk
