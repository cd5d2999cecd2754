"""Responses remembered by ``Idempotency-Key``, so a retried POST is answered, not redone."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``.

    ``caller`` keeps keys of different integrations apart (two ERPs may both pick
    "1"); ``request_hash`` notices a key reused for another request, which is a
    conflict rather than a replay. A row without ``status_code`` is a request still
    being worked on: a retry arriving meanwhile is told so instead of running twice.
    """

    caller = models.CharField(_("caller"), max_length=100)
    key = models.CharField(_("idempotency key"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_unique_per_caller")]

    def __str__(self):
        return f"{self.caller}: {self.key}"
