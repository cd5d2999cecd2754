"""Who is changing the data: the desk (agents, the sweep) or a platform sync.

The desk's own changes are stamped in ``desk_changed_at`` so that an ERP update
older than them is recognised as stale instead of silently undoing them. The
sync code runs inside ``platform_sync()``, and the stamp is skipped there.
"""

import contextlib
import contextvars

from django.utils import timezone

_syncing = contextvars.ContextVar("platform_sync", default=False)


@contextlib.contextmanager
def platform_sync():
    token = _syncing.set(True)
    try:
        yield
    finally:
        _syncing.reset(token)


def is_platform_sync() -> bool:
    return _syncing.get()


def desk_stamp(model) -> dict:
    """The extra column update that records a desk change of ``model``'s rows."""
    if is_platform_sync() or not any(f.name == "desk_changed_at" for f in model._meta.concrete_fields):
        return {}
    return {"desk_changed_at": timezone.now()}
