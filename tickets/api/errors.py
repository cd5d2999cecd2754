"""One error format for the API: Django's ValidationError (raised by services and
model validation) becomes a 400 with messages by field, like DRF's own errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _as_field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_as_field_errors(exc))
    return drf_exception_handler(exc, context)


class PayloadTooLarge(exceptions.APIException):
    """413: the request carries more than an endpoint accepts at once."""

    status_code = 413
    default_detail = "The request is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    """409: the request conflicts with the stored state (a reused Idempotency-Key, say)."""

    status_code = 409
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"
