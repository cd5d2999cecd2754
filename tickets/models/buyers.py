"""Buyers (the marketplace's customers) as seen by one store."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel, scoped_manager
from .stores import Store, language_validator


class Buyer(TimeStampedModel):
    """A marketplace customer; the platform's buyer id is unique within a store."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="buyers", verbose_name=_("store"))
    platform_buyer_id = models.CharField(_("platform buyer id"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. FR."))
    language = models.CharField(_("preferred language"), max_length=20, blank=True,
                                validators=[language_validator])
    email = models.EmailField(_("email"), blank=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        constraints = [
            models.UniqueConstraint(fields=["store", "platform_buyer_id"], name="buyer_unique_per_store"),
        ]

    def __str__(self):
        return self.name or self.platform_buyer_id

    @property
    def effective_language(self) -> str:
        return self.language or self.store.default_language
