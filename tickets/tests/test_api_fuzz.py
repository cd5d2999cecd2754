"""Schemathesis against every operation in /api/schema/: no input may give a 5xx, and
every answer must be one the schema documents (status, media type, body shape).

Runs in ``make test``; alone with ``pytest -m fuzz``. The examples are derandomized
(the same inputs on every run, so CI does not flake) and bounded per operation:
``FUZZ_EXAMPLES=200 pytest -m fuzz`` searches harder.

The app is called through WSGI in the test's own thread, so it sees the test's
database transaction: the seeded stores, tickets, clocks and alerts, and an API key.
"""

import os
import traceback
import warnings

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tickets.choices import TicketStatus
from tickets.services.api_keys import api_key_create

from .factories import (
    AlertReceiptFactory,
    ClockFactory,
    DisputeFactory,
    OrderFactory,
    RefundFactory,
    ReturnFactory,
    TicketFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Hard checks: a 5xx, or a status or media type the schema does not list, fails the test.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
# Response bodies are checked against their schemas too; FUZZ_STRICT_BODIES=0 turns a
# mismatch into a warning (while a new serializer's schema is being fixed).
STRICT_BODIES = os.environ.get("FUZZ_STRICT_BODIES", "1") == "1"


@pytest.fixture
def wsgi_app(settings):
    """The project as a WSGI app sharing the test's connection and transaction.

    Django closes "old" connections at each request's start and end; inside the test's
    transaction that would drop it (and the seeded rows), so the hooks are unplugged,
    as Django's own test client does. Throttling is off: the fuzzer is one very busy key.
    """
    settings.API_THROTTLE_RATE = ""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(store, other_store, agent, admin_user):
    """A key for ``store`` and rows in both stores, so reads find something and
    the other store's rows must stay invisible (404, never 500)."""
    raw = api_key_create(name="fuzzer", stores=[store], actor=admin_user)[1]
    rows = []
    for shop in (store, other_store):
        for status in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.CLOSED):
            rows.append(TicketFactory(store=shop, status=status))
        order = OrderFactory(store=shop)
        dispute = DisputeFactory(store=shop, order=order)
        rows += [order, dispute, ReturnFactory(store=shop, dispute=dispute), RefundFactory(store=shop, order=order),
                 ClockFactory(store=shop), AlertReceiptFactory(alert__clock__store=shop, user=agent).alert]
    return raw, sorted({row.pk for row in rows})


def _server_errors():
    """Tracebacks of exceptions the app raised while answering (it turns them into 500s)."""
    caught = []

    def record(sender, request=None, **kwargs):
        caught.append(traceback.format_exc())

    return caught, record


def test_no_operation_answers_a_server_error_or_off_schema(wsgi_app, seeded):
    raw, known_ids = seeded
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    caught, record = _server_errors()
    signals.got_request_exception.connect(record)
    failures, body_gaps = [], {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    try:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failure = _fuzz(operation, mode, raw, known_ids, body_gaps)
                if failure:
                    failures.append(f"{operation.label} ({mode.value}): {failure}")
    finally:
        signals.got_request_exception.disconnect(record)
    assert not failures, "\n\n".join(failures + caught[:3])
    if body_gaps:
        report = "\n\n".join(f"{label}: {gap}" for label, gap in sorted(body_gaps.items()))
        if STRICT_BODIES:
            pytest.fail(report)
        warnings.warn(f"response bodies off their schema:\n{report}", stacklevel=1)


def _fuzz(operation, mode, raw, known_ids, body_gaps) -> str | None:
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), real_id=st.sampled_from(known_ids),
           use_real_id=st.booleans())
    def run(case, real_id, use_real_id):
        # Random ids nearly always miss; half the cases name a row that exists (in
        # this store or the other), so the code behind the 404 is exercised too.
        if use_real_id and mode is GenerationMode.POSITIVE and case.path_parameters:
            case.path_parameters = dict.fromkeys(case.path_parameters, real_id)
        # Each request in a savepoint: on PostgreSQL a failed statement aborts the whole
        # transaction, and one 500 must not turn every later request into one too.
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Bearer {raw}"})
            if response.status_code >= 500:
                transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)
        if operation.label not in body_gaps:
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (Exception, BaseExceptionGroup) as exc:
                body_gaps[operation.label] = _short(exc)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # one report per operation and mode, then the next
        return _short(exc)
    return None


def _short(exc) -> str:
    return f"{type(exc).__name__}: {exc}"[:3000]
