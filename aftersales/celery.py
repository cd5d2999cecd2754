"""The Celery application: the worker and beat processes of the desk."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
