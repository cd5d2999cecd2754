"""Shared model pieces: timestamps, money fields and store-scoped querysets."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 currency code in capitals, such as USD.")
)
non_negative = MinValueValidator(Decimal("0"), _("Amounts cannot be negative."))


def money_field(verbose_name, **kwargs):
    """A Decimal amount with cents; the currency sits in a sibling field."""
    kwargs.setdefault("validators", [non_negative])
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def currency_field(**kwargs):
    kwargs.setdefault("default", "USD")
    return models.CharField(_("currency"), max_length=3, validators=[currency_validator], **kwargs)


def currency_check(name: str, field: str = "currency") -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__regex": r"^[A-Z]{3}$"}), name=name)


class StoreScopedQuerySet(models.QuerySet):
    """Rows of the stores a user belongs to; admins and superusers see every store.

    Each model says how it reaches its store (``store_path``); one method scopes
    every read and write, so another store's row is simply not found.
    """

    store_path = "store"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.sees_all_stores:
            return self
        return self.filter(**{f"{self.store_path}__in": user.stores.all()})


def scoped_manager(store_path: str = "store"):
    """A manager whose ``visible_to(user)`` follows ``store_path`` to the store."""
    queryset_class = type("StoreScopedQuerySet", (StoreScopedQuerySet,), {"store_path": store_path})
    return queryset_class.as_manager()


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The ERP pulls "changed since" by this column: models listed by the API index
    # (updated_at, id), which their keyset pages walk.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
