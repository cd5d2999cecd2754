"""Shared fixtures: two stores and the desk's roles.

``store`` and ``other_store`` are the two sides of every access test; ``agent`` and
``supervisor`` work for ``store`` only. ``admin_user`` replaces pytest-django's
fixture of that name with a superuser holding the admin role (so ``admin_client``
still reaches the Django admin); ``role_admin`` and ``superuser`` separate the two
ways of seeing every store.
"""

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from tickets.choices import Role
from tickets.views import clocks as clock_views

from .factories import StoreFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 at production strength costs most of a test's time; tests only need
    passwords that check, not passwords that resist cracking."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_queue_currencies():
    """The clocks page keeps the currencies at stake in the process; a test's rows
    (whose ids SQLite reuses after a rollback) must not answer for the next test's."""
    clock_views._CURRENCIES.clear()


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English. LocaleMiddleware activates a request's language
    for the whole thread and nothing deactivates it, so a test that switched to
    Chinese would otherwise translate the next test's messages."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def store(db):
    return StoreFactory(code="ae-main", name="AliExpress main")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="ae-other", name="AliExpress other")


@pytest.fixture
def agent(store):
    return UserFactory(username="agent", role=Role.AGENT, stores=[store])


@pytest.fixture
def senior_agent(store):
    return UserFactory(username="senior", role=Role.SENIOR_AGENT, stores=[store])


@pytest.fixture
def supervisor(store):
    return UserFactory(username="supervisor", role=Role.SUPERVISOR, stores=[store])


@pytest.fixture
def other_agent(other_store):
    return UserFactory(username="other-agent", role=Role.AGENT, stores=[other_store])


@pytest.fixture
def role_admin(db):
    """The admin role without superuser rights and without any store membership."""
    return UserFactory(username="role-admin", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def superuser(db):
    """A superuser whose role is plain agent, with no store membership."""
    return UserFactory(username="root", role=Role.AGENT, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def staff_supervisor(supervisor):
    """The supervisor of ``store`` with every model permission of the desk."""
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    supervisor.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["tickets", "templates_lib"])
    )
    return supervisor


@pytest.fixture
def supervisor_client(client, staff_supervisor):
    client.force_login(staff_supervisor)
    return client
