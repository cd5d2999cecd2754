"""Returns in from the ERP: ``POST /api/v1/sync/returns/``.

A new return goes through ``return_agree`` (the buyer's 10-day shipment clock
starts at ``agreed_at``); the buyer's tracking number and the seller's receipt
then go through ``return_set_status``, which meets and starts the clocks at the
platform's times. Without an explicit ``status`` the state follows from the
timestamps: received, else shipped back once a tracking number is known. The
item's times are checked against each other and against what is stored before
anything is written.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.choices import ReturnStatus
from tickets.models import Dispute, Return

from ..origin import platform_sync
from ..returns import STEP_TIME, return_agree, return_set_status, return_times_check
from ..time_order import time_label
from ..workflow import transition_path
from .batch import (
    CREATED,
    STALE,
    SYNCED,
    UNCHANGED,
    UPDATED,
    Item,
    apply_one_by_one,
    changes_save,
    field_changes,
    is_stale,
    parse_batch,
    refuse_broken_rules,
    report,
)
from .fields import Choice, Shape, Text, Timestamp

RETURN = Shape("SyncReturn", {
    "store": Text(40, required=True, help_text="The store's code."),
    "return_id": Text(64, required=True, help_text="The marketplace's return id."),
    "dispute_id": Text(64, help_text="The dispute the return was agreed in; required for a new return."),
    "agreed_at": Timestamp(help_text="When the return was agreed; starts the buyer's shipment clock."),
    "carrier": Text(80),
    "tracking_number": Text(80, help_text="The buyer's return tracking number."),
    "tracking_submitted_at": Timestamp(help_text="When the buyer entered it; starts the receipt clock."),
    "received_at": Timestamp(help_text="When the seller confirmed receipt."),
    "status": Choice(ReturnStatus, help_text="Where the return is now; follows from the timestamps when left out."),
    "updated_at": Timestamp(help_text="The platform's last change; an older one than stored is stale."),
})
# The platform time of reaching each status, for the steps whose time an item carries.
STATUS_TIME = {status: name for status, name in STEP_TIME.items() if name in RETURN.fields}


def returns_sync(raw_items: list, *, actor) -> dict:
    results, items = parse_batch(raw_items, shape=RETURN, key="return_id", actor=actor)
    with platform_sync():
        apply_one_by_one(items, model=Return, key="return_id", create=_create, update=_update, actor=actor)
    return report(results)


def _target(data: dict, ret: Return) -> str:
    if "status" in data:
        return data["status"]
    if data.get("received_at") and ret.status in (ReturnStatus.AWAITING_SHIPMENT, ReturnStatus.IN_TRANSIT):
        return ReturnStatus.RECEIVED
    if data.get("tracking_number") and ret.status == ReturnStatus.AWAITING_SHIPMENT:
        return ReturnStatus.IN_TRANSIT
    return ret.status


@refuse_broken_rules
def _create(item: Item, actor) -> None:
    data = item.data
    missing = {name: [_("Required for a new return.")] for name in ("dispute_id", "agreed_at") if name not in data}
    if missing:
        raise ValidationError(missing)
    dispute = Dispute.objects.filter(store=item.store, external_id=data["dispute_id"]).select_related("store").first()
    if dispute is None:
        raise ValidationError({"dispute_id": [_("No dispute %(id)s in store %(store)s; sync the dispute first.") % {
            "id": data["dispute_id"], "store": item.store.code}]})
    steps = _plan(data, Return(status=ReturnStatus.AWAITING_SHIPMENT))
    return_times_check(ret=Return(dispute=dispute), agreed_at=data["agreed_at"], steps=_reported(data, steps))
    ret = return_agree(dispute=dispute, external_id=data["return_id"], agreed_at=data["agreed_at"], actor=actor,
                       carrier=data.get("carrier", ""))
    if "updated_at" in data:
        Return.objects.filter(pk=ret.pk).update(platform_updated_at=data["updated_at"])
    _follow(data, ret, steps, actor)
    item.result.status, item.result.id = CREATED, ret.pk


@refuse_broken_rules
def _update(item: Item, ret: Return, actor) -> None:
    item.result.id = ret.pk
    ret = Return.objects.select_for_update().select_related("dispute", "store").get(pk=ret.pk)
    if is_stale(item, ret):
        item.result.status = STALE
        return
    data = item.data
    if "dispute_id" in data and data["dispute_id"] != ret.dispute.external_id:
        raise ValidationError({"dispute_id": [_("The return belongs to dispute %(id)s; it cannot move.") % {
            "id": ret.dispute.external_id}]})
    if "agreed_at" in data and data["agreed_at"] != ret.agreed_at:
        raise ValidationError({"agreed_at": [_("The agreement time cannot change: the clocks started from it.")]})
    # Like the agreement, a recorded step's time met one clock and started the next.
    moved = {name: [_("Recorded as %(time)s; a recorded time cannot change.") % {"time": time_label(stored)}]
             for name in ("tracking_submitted_at", "received_at")
             if (stored := getattr(ret, name)) is not None and data.get(name) not in (None, stored)}
    if moved:
        raise ValidationError(moved)
    _refuse_shipment_after_close(data, ret)
    changes = field_changes(item, ret, ("carrier",))
    steps = _plan(data, ret)
    if not changes and not steps:
        item.result.status = UNCHANGED
        return
    return_times_check(ret=ret, steps=_reported(data, steps))
    if changes:
        changes_save(ret, changes, actor=actor)
    _follow(data, ret, steps, actor)
    item.result.status = UPDATED


def _refuse_shipment_after_close(data: dict, ret: Return) -> None:
    """A return that lapsed (the buyer never shipped in time) or was cancelled takes
    no tracking number or receipt any more: saying "updated" while dropping them
    would leave the seller's receipt deadline untracked. Refused by field, so the
    ERP (or a person, in the admin) sorts out what the platform really did."""
    if ret.status not in (ReturnStatus.LAPSED, ReturnStatus.CANCELLED):
        return
    late = {name: [_("The return is closed (%(status)s): a shipment can no longer be recorded.") % {
                "status": ret.get_status_display()}]
            for name in ("tracking_number", "tracking_submitted_at", "received_at")
            if data.get(name) not in (None, "", getattr(ret, name))}
    if late:
        raise ValidationError(late)


def _plan(data: dict, ret: Return) -> list[tuple]:
    """The status steps from where ``ret`` is to where the item says it is, each with
    its platform time. A step the platform passed without reporting its time (a
    tracking number sent with the receipt) happened at the latest when the next
    reported step did: the desk's "now" would put it after the receipt."""
    target = _target(data, ret)
    if target == ret.status:
        return []
    steps, later = [], None
    for step in reversed(transition_path(ret, target)):
        later = data.get(STATUS_TIME.get(step, "")) or later
        steps.append((step, later))
    return steps[::-1]


def _reported(data: dict, steps: list) -> list[tuple]:
    """The steps whose time the item gives, so errors name only fields it sent (a
    time taken from the next step is as right or wrong as that one)."""
    return [(step, at) for step, at in steps if STATUS_TIME.get(step) in data]


def _follow(data: dict, ret: Return, steps: list, actor) -> None:
    for step, at in steps:
        return_set_status(ret=ret, status=step, actor=actor, reason=SYNCED,
                          tracking_number=data.get("tracking_number", ""), carrier=data.get("carrier", ""), at=at)
