"""A Django ``ValidationError`` as the API's field errors, ``{"field": ["message"]}``.

Services raise Django's ValidationError; the API answers in DRF's shape, where
errors about no one field go under ``non_field_errors`` (Django calls them
``__all__``). One conversion, for the API's 400 answers and the sync's per-item
errors alike.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

NON_FIELD = "non_field_errors"


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD: [str(m) for m in exc.messages]}
    return {NON_FIELD if name == NON_FIELD_ERRORS else name: [str(m) for e in errors for m in e.messages]
            for name, errors in exc.error_dict.items()}
