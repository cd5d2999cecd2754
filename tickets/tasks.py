"""Celery tasks. Thin: they parse arguments and call services."""

from celery import shared_task

from tickets.services.health import heartbeat_record


@shared_task(name="tickets.record_heartbeat", ignore_result=True)
def record_heartbeat(name: str = "beat") -> None:
    heartbeat_record(name=name)
