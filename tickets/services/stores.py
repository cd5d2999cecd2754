"""Stores: creating one (the admin API key's ``POST /api/v1/stores/``)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tickets.models import Store

from .audit import audit_record

STORE_CODE_TAKEN = _("A store with this code already exists.")


def store_create(*, code: str, name: str, marketplace: str, timezone: str, actor, **calendar) -> Store:
    """Create a store. The values are checked by the model (IANA zone, marketplace,
    slug code, unique code, the working calendar in ``calendar``: default_language,
    work_start, work_end, working_days, holiday_country) and refused by field. An API
    key that creates a store is given access to it, so that it can read and sync what
    it just made."""
    store = Store(code=code, name=name, marketplace=marketplace, timezone=timezone, **calendar)
    store.full_clean()
    try:
        with transaction.atomic(durable=True):
            store.save()
            if getattr(actor, "is_api_key", False):
                actor.key.stores.add(store)
            audit_record(subject=store, actor=actor, action="create", field="code", to_value=store.code)
    except IntegrityError:
        # Another request took the code between full_clean() and the INSERT.
        if Store.objects.filter(code__iexact=code).exists():
            raise ValidationError({"code": STORE_CODE_TAKEN}) from None
        raise
    return store
