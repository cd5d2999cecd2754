"""The desk's shared fixtures (stores, roles, English by default), and a small library."""

from pathlib import Path

import pytest

from tickets.tests.conftest import (  # noqa: F401  (fixtures are found by name)
    admin_user,
    agent,
    agent_client,
    english,
    fast_password_hasher,
    other_agent,
    other_store,
    role_admin,
    store,
    superuser,
    supervisor,
)

LIBRARY = Path(__file__).resolve().parent / "library"


@pytest.fixture
def library_dir():
    return LIBRARY
