"""API keys: one per integration (the ERP, a marketplace connector), scoped to stores."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .stores import Store


class ApiKey(models.Model):
    """A bearer key for the API. Only its SHA-256 is stored; the key itself is shown once.

    A fast unsalted hash is right here, unlike for passwords: keys are 256-bit random
    tokens (``secrets.token_urlsafe(32)``), so there is nothing to guess or look up in a
    dictionary, and a slow hash would cost every API request its time. Being unsalted
    and deterministic, the hash is also the lookup key (unique index), so no
    constant-time comparison of secrets is needed.
    """

    name = models.CharField(_("name"), max_length=80, help_text=_("Who uses the key, e.g. erp-main."))
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True,
                              help_text=_("The first characters of the key, to recognise it."))
    hashed_key = models.CharField(_("hashed key"), max_length=64, unique=True, editable=False)
    stores = models.ManyToManyField(Store, blank=True, related_name="api_keys", verbose_name=_("stores"))
    is_admin = models.BooleanField(_("may manage stores"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
