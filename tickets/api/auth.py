"""API key authentication: ``Authorization: Bearer KEY``.

The request's user is an ``ApiKeyUser``: not a database row, but enough of a user
for every ``visible_to(user)`` and ``*_for_user`` read (it belongs to the key's
stores) and for the audit trail (it is recorded as ``api:<name>``).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from tickets.services.api_keys import api_key_authenticate

KEYWORD = "Bearer"


class ApiKeyUser:
    """The caller behind an API key: sees and writes only the key's stores."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_supervisor = False
    is_senior = False
    sees_all_stores = False  # even an admin key: it manages stores, it does not read every store
    is_api_key = True
    pk = id = None

    def __init__(self, key):
        self.key = key
        self.stores = key.stores  # ``.all()`` is the key's stores, as for a User

    @property
    def audit_label(self) -> str:
        return f"api:{self.key.name}"

    @property
    def is_admin_key(self) -> bool:
        return self.key.is_admin

    def get_username(self) -> str:
        return self.audit_label

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perm_list, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    def __str__(self):
        return self.audit_label


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer KEY``. No header (or another scheme) leaves the request to
    the next authenticator; a bad, revoked or expired key is a 401."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer KEY."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        key = api_key_authenticate(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."))
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return KEYWORD
