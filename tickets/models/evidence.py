"""Evidence files attached to a dispute or a ticket."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import EvidenceKind

from .base import scoped_manager
from .disputes import Dispute
from .stores import Store
from .tickets import Message, Ticket


def validate_evidence_size(file):
    if file.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s bytes; evidence files are limited to %(limit)s bytes."),
            params={"size": file.size, "limit": settings.EVIDENCE_MAX_BYTES},
        )


class Evidence(models.Model):
    """A photo, video, shipping receipt, tracking screenshot or chat export."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("store"))
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence",
                                verbose_name=_("dispute"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence",
                               verbose_name=_("ticket"))
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="attachments", verbose_name=_("message"))
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.PHOTO)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", validators=[validate_evidence_size])
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    submitted_to_platform_at = models.DateTimeField(_("submitted to the platform"), null=True, blank=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=Q(dispute__isnull=False) | Q(ticket__isnull=False),
                                   name="evidence_attached_somewhere"),
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"),
        ]

    def __str__(self):
        return self.description or self.file.name

    def clean(self):
        errors = {}
        if not self.dispute_id and not self.ticket_id:
            errors["dispute"] = _("Attach the evidence to a dispute or a ticket.")
        for field in ("dispute", "ticket"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.store_id and related.store_id != self.store_id:
                errors[field] = _("It belongs to another store.")
        if errors:
            raise ValidationError(errors)
