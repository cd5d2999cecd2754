"""The audit trail: who changed what, when, from which value to which, and why."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import scoped_manager
from .stores import Store


class AuditEntry(models.Model):
    """An append-only record of one change. ``actor`` is empty for system actors
    (the sweep, the ERP), which ``actor_label`` then names."""

    # The audit log is append-only and written in bulk by the sweep: its references
    # are enforced by Django (PROTECT / SET_NULL) but carry no database foreign-key
    # check, which PostgreSQL would run once per row at commit.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, null=True, blank=True, db_constraint=False,
                              related_name="audit_entries", verbose_name=_("store"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              db_constraint=False, db_index=False, related_name="+", verbose_name=_("actor"))
    actor_label = models.CharField(_("actor"), max_length=120)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_constraint=False,
                                     db_index=False, verbose_name=_("object type"))  # see audit_subject_idx
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=40, default="status")
    field = models.CharField(_("field"), max_length=40, blank=True)
    from_value = models.CharField(pgettext_lazy("audit trail: old value", "from"), max_length=200, blank=True)
    to_value = models.CharField(pgettext_lazy("audit trail: new value", "to"), max_length=200, blank=True)
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="audit_subject_idx")]

    def __str__(self):
        return f"{self.actor_label}: {self.action} {self.from_value} → {self.to_value}"


class Heartbeat(models.Model):
    """The last time a background process (beat, worker) proved it was alive, so the
    desk can say when clocks are not being swept."""

    name = models.CharField(_("process"), max_length=40, unique=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
