"""One error format for the whole API, whoever raises the error.

- 400: messages by field, ``{"field": ["message", ...], "non_field_errors": [...]}``, whether
  a serializer, a service (Django's ``ValidationError``) or the JSON parser refused the input.
- Every other status: ``{"detail": "message", "code": "machine_code"}``.

DRF's exception handler covers errors raised inside API views; ``ApiErrorMiddleware``
covers what Django answers before or after them under ``/api/`` (an unknown URL, a
body over the size limit, an unexpected exception), which would otherwise be HTML.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.services.field_errors import NON_FIELD, field_errors
from tickets.services.workflow import ConcurrentChange

API_PREFIX = "/api/"

# What Django itself may answer under /api/, as (code, message) for the JSON body.
STATUS_ERRORS = {
    400: ("bad_request", _("The request is malformed.")),
    401: ("not_authenticated", _("Authentication credentials were not provided.")),
    403: ("permission_denied", _("You do not have permission to perform this action.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    406: ("not_acceptable", _("This response format is not available.")),
    409: ("conflict", _("The request conflicts with the current state.")),
    413: ("payload_too_large", _("The request is too large.")),
    415: ("unsupported_media_type", _("This media type is not supported.")),
    429: ("throttled", _("Too many requests.")),
    500: ("server_error", _("Server error. It has been logged; please try again later.")),
}
# Headers that carry meaning for the client and must survive turning a response into JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


class PayloadTooLarge(exceptions.APIException):
    """413: the request carries more than an endpoint accepts at once."""

    status_code = 413
    default_detail = _("The request is too large.")
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    """409: the request conflicts with the stored state (a reused Idempotency-Key, say)."""

    status_code = 409
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"



def _first_message(exc: DjangoValidationError) -> str:
    return next(iter(field_errors(exc).values()))[0]


def error_body(status: int, detail=None, code: str | None = None) -> dict:
    """The JSON body of an error that is not about fields (any status but 400)."""
    default_code, default_detail = STATUS_ERRORS.get(status, ("error", _("The request failed.")))
    return {"detail": str(detail or default_detail), "code": code or default_code}


def error_response(status: int, detail=None, code: str | None = None) -> JsonResponse:
    """A plain Django response in the API's error format, for code outside DRF views."""
    if status == 400:
        return JsonResponse({NON_FIELD: [str(detail or STATUS_ERRORS[400][1])]}, status=400)
    return JsonResponse(error_body(status, detail, code), status=status)


def exception_handler(exc, context):
    # A concurrent change is a ValidationError for forms, but for an API client it is
    # a conflict with someone else's write, to be retried after a reload: 409, not 400.
    if isinstance(exc, ConcurrentChange):
        exc = Conflict(_first_message(exc), code="concurrent_change")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        # get_object_or_404 names the model ("No AlertReceipt matches..."): say only
        # that there is no such object for this caller.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Django logs it and answers 500; ApiErrorMiddleware makes that JSON
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):
            response.data = {NON_FIELD: response.data}
    elif response.status_code == 400:
        # A 400 that is not a serializer's (a JSON parse error): same shape as field errors.
        response.data = {NON_FIELD: [str(exc.detail)]}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = error_body(response.status_code, detail, getattr(detail, "code", None))
    return response


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith("application/json") or "+json" in content_type


def _declared_too_large(request) -> bool:
    """Refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Multipart bodies are left to Django's own check, which (like this limit's
    documentation says) does not count uploaded files: evidence has its own cap.
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


class ApiErrorMiddleware:
    """Under ``/api/``: answer 413 to an oversized body, and turn any non-JSON error
    response (Django's 404 for an unknown URL, its 400 and 500 pages) into the API's
    JSON error format. Django has already logged a 500 with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if _declared_too_large(request):
            return error_response(413, _("The request body is larger than %(limit)d bytes.") % {
                "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response) or response.streaming:
            return response
        replacement = error_response(response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement
