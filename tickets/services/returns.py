"""Return services: the buyer ships back, the seller confirms receipt, the refund follows."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tickets.choices import ReturnStatus
from tickets.models import Return

from .workflow import check_transition, transition

TRACKING_REQUIRED = gettext_lazy("Enter the buyer's return tracking number.")


def return_set_status(*, ret: Return, status: str, actor, reason: str = "", tracking_number: str = "",
                      carrier: str = "", at=None) -> Return:
    """Move a return along its workflow, stamping the time of each step.
    Shipping back needs the buyer's return tracking number."""
    check_transition(ret, status)
    when = at or timezone.now()
    extra = {}
    if status == ReturnStatus.IN_TRANSIT:
        tracking_number = (tracking_number or ret.tracking_number).strip()
        if not tracking_number:
            raise ValidationError({"tracking_number": TRACKING_REQUIRED})
        extra.update(tracking_number=tracking_number, tracking_submitted_at=when)
        if carrier:
            extra["carrier"] = carrier
    elif status == ReturnStatus.RECEIVED:
        extra["received_at"] = when
    elif status == ReturnStatus.REFUNDED:
        extra["refunded_at"] = when
    elif status in (ReturnStatus.LAPSED, ReturnStatus.CANCELLED):
        extra["closed_at"] = when
    return transition(ret, to=status, actor=actor, reason=reason, extra=extra)
