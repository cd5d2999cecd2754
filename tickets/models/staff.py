"""Desk users: a role and the stores they work for."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.choices import Role

from .stores import Store


class User(AbstractUser):
    """A member of the support team. Admins see every store; others only their own."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    stores = models.ManyToManyField(Store, blank=True, related_name="staff", verbose_name=_("stores"))

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def sees_all_stores(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN) or self.is_superuser

    @property
    def is_senior(self) -> bool:
        return self.role != Role.AGENT or self.is_superuser
