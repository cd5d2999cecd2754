"""The Celery app reaches its configured broker (the filesystem transport by
default, Redis when REDIS_URL is set), and a worker runs a task sent through it."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from aftersales.celery import app
from tickets.models import Heartbeat
from tickets.tasks import record_heartbeat


def test_the_broker_answers():
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        assert conn.connected


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_task_sent_through_the_broker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat.delay(name="broker-test")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="broker-test").exists():
            time.sleep(0.2)
    assert Heartbeat.objects.filter(name="broker-test").exists()
