"""API keys: create (the raw key is returned once), revoke, and authenticate a request's key."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tickets.models import ApiKey

from .audit import audit_record

PREFIX_LENGTH = 8
# last_used_at is a hint for operations, not an audit: writing it on every request
# would turn each read into a write, so it is refreshed at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    """SHA-256 hex of the key. Keys are 256-bit random tokens, so a fast hash is safe
    (see ``ApiKey``) and doubles as the lookup key."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, name: str, stores, is_admin: bool = False, expires_at=None, actor) -> tuple[ApiKey, str]:
    """Create a key for ``stores``; returns the key row and the raw key, which is
    never stored and cannot be shown again."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(name=name, prefix=raw[:PREFIX_LENGTH], hashed_key=hash_key(raw),
                                    is_admin=is_admin, expires_at=expires_at)
        key.stores.set(stores)
        audit_record(subject=key, actor=actor, action="create", field="stores",
                     to_value=", ".join(sorted(s.code for s in key.stores.all())))
    return key, raw


def api_key_revoke(*, key: ApiKey, actor, reason: str = "") -> ApiKey:
    """Revoke a key from now on (a key already revoked keeps its first revocation time)."""
    if key.revoked_at is not None:
        return key
    now = timezone.now()
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
        if updated:
            audit_record(subject=key, actor=actor, action="revoke", field="revoked_at", to_value=now.isoformat(),
                         reason=reason)
    key.refresh_from_db(fields=["revoked_at"])
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The live key ``raw`` names, or None (unknown, revoked or expired).

    Looked up by its hash, so no secret is ever compared byte by byte.
    """
    if not raw:
        return None
    now = timezone.now()
    key = (ApiKey.objects.filter(hashed_key=hash_key(raw), revoked_at__isnull=True)
           .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).first())
    if key is None:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
