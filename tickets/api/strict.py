"""Input serializers that refuse fields they do not know.

A misspelt field silently dropped does what the caller did not mean (``is_actve:
false`` would make an active subscription), so it is an error by name, reported
with every other bad field of the body in one answer, as the sync items do.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UNKNOWN_FIELD = _("Unknown field.")


class StrictFieldsMixin:
    def to_internal_value(self, data):
        unknown = {name: [UNKNOWN_FIELD] for name in sorted(set(data) - set(self.fields))} \
            if isinstance(data, dict) else {}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({**detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return values
