"""``Idempotency-Key`` on POST under ``/api/v1/``: a retried request gets the first
response instead of being done twice.

A middleware rather than a DRF mixin, so every POST endpoint has it without opting in.
It runs before DRF authenticates, so it names the caller itself: ``key:<sha256 of
the bearer key>`` (the hash the key is stored under; never the key itself) or
``user:<id>`` for a browser session. An anonymous or badly authenticated request
passes straight through and the view answers it (401), with nothing remembered.

Steps for a POST carrying the header:
1. Claim the key: insert its row with no response yet. The unique (caller, key)
   constraint makes the claim atomic: of two concurrent requests one inserts, the
   other fails and is answered from the row.
2. Row already there: a different method, path or body is a 409 (the key was reused
   for another request); no response yet is a 409 (still running, retry later);
   otherwise replay the stored status and JSON body with ``Idempotent-Replayed: true``.
3. After the view: keep the response if it is final for this request (under 500 and
   not 401, 403 or 429, which a retry may well get past); otherwise delete the row,
   so a retry runs the request again.
"""

import hashlib
import json
from datetime import timedelta

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication

from tickets.models import IdempotentRequest
from tickets.services.api_keys import api_key_authenticate, hash_key

from .errors import error_response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
PATH_PREFIX = "/api/v1/"
# How long a response is replayable; the hourly purge deletes older rows.
KEEP_FOR = timedelta(hours=24)
# A claim still without a response after this long belongs to a request whose process
# died; a retry takes it over instead of getting 409 until the purge.
STALE_AFTER = timedelta(minutes=5)
# Answers that depend on the moment, not on the request: a retry may get past them.
NOT_KEPT = frozenset({401, 403, 429})

KEY_TOO_LONG = _("Send at most %(max)d characters.")
KEY_UNPRINTABLE = _("Use printable characters only.")
KEY_EMPTY = _("This header may not be blank.")
KEY_REUSED = _("This Idempotency-Key was already used for a different request (method, path or body).")
KEY_IN_USE = _("A request with this Idempotency-Key is still being processed; retry in a moment.")

_UNREPLAYABLE = object()


def idempotent_requests_purge(*, now=None) -> int:
    """Delete remembered responses older than ``KEEP_FOR``; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    return IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()[0]


def _caller(request) -> str | None:
    """Who is asking, as DRF will authenticate them, or None for nobody we can trust."""
    header = authentication.get_authorization_header(request).split()
    if header and header[0].lower() == b"bearer":
        if len(header) != 2:
            return None
        try:
            raw = header[1].decode()
        except UnicodeError:
            return None
        # A revoked key must not read its old responses back from here.
        return f"key:{hash_key(raw)}" if api_key_authenticate(raw) is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _replayable_body(response):
    if response.streaming:
        return _UNREPLAYABLE
    if not response.content:
        return None
    if not response.get("Content-Type", "").startswith("application/json"):
        return _UNREPLAYABLE
    try:
        return json.loads(response.content)
    except ValueError:
        return _UNREPLAYABLE


def _replay(row) -> HttpResponse:
    if row.response is None:
        response = HttpResponse(status=row.status_code)
    else:
        # Rendered as DRF renders (compact, UTF-8). The same JSON value, though not always
        # the same bytes: PostgreSQL's jsonb does not keep the order of an object's keys.
        content = json.dumps(row.response, ensure_ascii=False, separators=(",", ":"))
        response = HttpResponse(content.encode(), status=row.status_code, content_type="application/json")
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or not request.path.startswith(PATH_PREFIX) or HEADER not in request.headers:
            return self.get_response(request)
        key = request.headers[HEADER].strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            message = (KEY_EMPTY if not key else KEY_TOO_LONG % {"max": MAX_KEY_LENGTH} if len(key) > MAX_KEY_LENGTH
                       else KEY_UNPRINTABLE)
            return JsonResponse({HEADER: [str(message)]}, status=400)
        caller = _caller(request)
        if caller is None:
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            # Only a multipart upload gets here (ApiErrorMiddleware refuses other large
            # bodies first); its files do not count against the limit, so the view decides.
            return self.get_response(request)
        signature = {"method": request.method, "path": request.get_full_path()[:300],
                     "request_hash": hashlib.sha256(body).hexdigest()}
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(caller=caller, key=key, **signature)
        except IntegrityError:
            return self._answer_repeat(request, caller, key, signature)
        return self._run(request, row)

    def _answer_repeat(self, request, caller, key, signature):
        row = IdempotentRequest.objects.filter(caller=caller, key=key).first()
        if row is None:  # the first attempt failed and let go of the key just now
            return self._in_use()
        if any(getattr(row, name) != value for name, value in signature.items()):
            return error_response(409, KEY_REUSED, "idempotency_key_reused")
        if row.status_code is not None:
            return _replay(row)
        now = timezone.now()
        if row.created_at < now - STALE_AFTER and IdempotentRequest.objects.filter(
                pk=row.pk, status_code__isnull=True, created_at=row.created_at).update(created_at=now):
            return self._run(request, row)
        return self._in_use()

    @staticmethod
    def _in_use():
        response = error_response(409, KEY_IN_USE, "idempotency_key_in_use")
        response["Retry-After"] = "1"
        return response

    def _run(self, request, row):
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotentRequest.objects.filter(pk=row.pk).delete()
            raise
        body = _replayable_body(response)
        if response.status_code < 500 and response.status_code not in NOT_KEPT and body is not _UNREPLAYABLE:
            try:
                with transaction.atomic():
                    IdempotentRequest.objects.filter(pk=row.pk).update(status_code=response.status_code,
                                                                       response=body)
                return response
            except DataError:
                pass  # PostgreSQL's jsonb refuses a "\u0000" the body may echo back: not replayable
        IdempotentRequest.objects.filter(pk=row.pk).delete()
        return response
