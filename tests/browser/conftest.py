"""Fixtures for the browser tests: the system Chromium driven by Playwright.

The project's rule: browser tests drive the Debian ``chromium`` package
(``apt-get install chromium``) through Playwright's Python package, and never
download a browser (no ``playwright install``). The browser is ``chromium`` on
PATH or ``/usr/bin/chromium``.

Without it the tests are skipped with the reason on a developer's machine, but
fail under CI (``CI=true``): CI must never drop them silently. ``.ci/run``
installs the package when it is missing.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real

SYSTEM_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's default is 30 s per action; a desk page answers in milliseconds, so a
# wrong selector should fail the test quickly rather than stall the suite.
TIMEOUT_MS = 5_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, where a skip would hide the tests."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI, not be skipped)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    if found := shutil.which("chromium"):
        return found
    return SYSTEM_CHROMIUM if os.access(SYSTEM_CHROMIUM, os.X_OK) else None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        unavailable(f"no system Chromium ({SYSTEM_CHROMIUM} or `chromium` on PATH): "
                    "install it with `apt-get install chromium`")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the `playwright` package is not installed: pip install -r requirements.txt")
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django
    # would refuse the ORM calls the tests make between page actions
    # (SynchronousOnlyOperation). Allowed for the browser tests only, then restored.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) in English, one page in it."""
    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """As in tickets/tests: the tests need passwords that check, not ones that resist
    cracking. The live server thread reads the same settings object."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def chinese_catalogue():
    """The compiled zh_Hans catalogue. `make test` compiles it first (`make messages`);
    a bare `pytest` run on a fresh checkout compiles it here."""
    po = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not po.is_file():
        pytest.fail(f"{po} is missing", pytrace=False)
    if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(settings.BASE_DIR)  # compilemessages also walks the working directory
            call_command("compilemessages", locale=["zh_Hans"], ignore_patterns=[".venv", "var"], verbosity=0)
        # Catalogues already loaded (without the .mo) are cached per process.
        trans_real._translations = {}
        trans_real._default = None
    return mo
