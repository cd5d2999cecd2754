"""The desk as an agent uses it, in the system Chromium: log in, work a ticket,
switch the language, read the clocks queue, acknowledge an alert, and meet a 404
on another store's ticket.

The server is pytest-django's ``live_server``; the data comes from the factories.
Screenshot of the ticket page after a refused change: ``$TMPDIR/browser-ticket.png``.
"""

import datetime
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from tickets.choices import AlertLevel, ClockKind, ClockState, TicketStatus
from tickets.models import AuditEntry
from tickets.tests.factories import (
    AlertReceiptFactory,
    ClockFactory,
    DisputeFactory,
    StoreFactory,
    TicketFactory,
    UserFactory,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (or fails them in CI) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw"  # UserFactory's
SCREENSHOT = Path(tempfile.gettempdir()) / "browser-ticket.png"


@pytest.fixture
def store():
    return StoreFactory(code="ae-main", name="AliExpress main")


@pytest.fixture
def other_store():
    return StoreFactory(code="ae-other", name="AliExpress other")


@pytest.fixture
def agent(store):
    return UserFactory(username="agent", first_name="Lin", stores=[store])


def log_in(page, username: str) -> None:
    """Through the login form, as a person does."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lin")


def change_status(page, status: str, reason: str):
    """Fill the status form and save; returns the POST's response."""
    page.get_by_label("New status").select_option(status)
    page.get_by_label("Why", exact=True).fill(reason)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    return posted.value


def test_agent_logs_in_and_changes_a_ticket_status_with_the_form(page, live_server, store, agent):
    ticket = TicketFactory(store=store, assignee=agent, subject="Parcel stuck in customs")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lin")
    page.get_by_role("link", name="Parcel stuck in customs").click()

    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(page.locator("#ticket-status")).to_have_text("New")
    history = page.locator("ul.history li")
    expect(history).to_have_text(["No changes yet."])

    change_status(page, TicketStatus.OPEN, "Buyer sent a photo of the label")
    expect(page.locator("ul.messages")).to_have_text("Status changed to “Open”.")
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("agent · New → Open · Buyer sent a photo of the label")

    change_status(page, TicketStatus.CLOSED, "Parcel delivered")
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.get_by_text("Allowed next: none: this ticket is closed")).to_be_visible()

    # Closed is final: the form comes back with the refusal on the status field.
    refused = change_status(page, TicketStatus.OPEN, "Buyer wrote again")
    assert refused.status == 400
    expect(page.locator("#id_status_error")).to_have_text(
        "This ticket cannot go from “Closed” to “Open”. “Closed” is final.")
    expect(page.locator("ul.messages")).to_have_count(0)
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(history).to_have_count(2)
    page.screenshot(path=SCREENSHOT, full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert list(AuditEntry.objects.filter(object_id=ticket.pk, field="status").order_by("pk")
                .values_list("actor_label", "from_value", "to_value")) == [
        ("agent", TicketStatus.NEW, TicketStatus.OPEN), ("agent", TicketStatus.OPEN, TicketStatus.CLOSED)]


def test_language_switch_reloads_the_page_in_simplified_chinese(page, live_server, agent, chinese_catalogue):
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    page.get_by_label("Language").select_option(label="简体中文")  # submits the form on change

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    # The choice is remembered: after logging in, the desk itself is in Chinese.
    page.locator("#id_username").fill("agent")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    nav = page.locator("header nav")
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(nav.get_by_role("link", name="工单")).to_be_visible()
    expect(nav.get_by_role("link", name="时限")).to_be_visible()
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("django_language") == "zh-hans"


def test_clocks_queue_shows_a_lapsed_clock_and_the_inbox_acknowledges_its_alert(page, live_server, store,
                                                                                 other_store, agent):
    now = timezone.now()
    ticket = TicketFactory(store=store, subject="Earbuds arrived broken", order__total=Decimal("1250.00"))
    dispute = DisputeFactory(store=store, order=ticket.order, ticket=ticket, requested_amount=Decimal("1250.00"))
    lapsed = ClockFactory(store=store, dispute=dispute, kind=ClockKind.DISPUTE_RESPONSE, state=ClockState.RUNNING,
                          started_at=now - datetime.timedelta(hours=30), due_at=now - datetime.timedelta(hours=6),
                          amount_at_stake=Decimal("1250.00"), currency="USD")
    ClockFactory(store=other_store)  # another store's clock never shows
    receipt = AlertReceiptFactory(user=agent, alert__clock=lapsed, alert__level=AlertLevel.BREACH,
                                  alert__raised_at=lapsed.due_at, alert__text="Dispute response lapsed")
    consequence = "Dispute lost by default: the buyer's refund of USD 1,250.00 executes."

    log_in(page, "agent")
    page.goto("/clocks/")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name=f"#{ticket.pk} Earbuds arrived broken")).to_be_visible()
    expect(row.locator("td.code")).to_have_text("ae-main")
    expect(row.locator("td.num")).to_have_text("USD 1,250.00")
    expect(row.locator("td.consequence")).to_contain_text(consequence)
    expect(row.locator("td.due .overdue")).to_have_text(re.compile(r"^overdue by 6\s+hours"))
    expect(row.locator(".badge.state-running.late")).to_have_text("Running")

    page.get_by_role("link", name="Alerts").click()
    expect(page).to_have_url(f"{live_server.url}/alerts/")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_class("unread")
    expect(row).to_contain_text("Breach")
    expect(row).to_contain_text(consequence)
    expect(row.locator("td").nth(6)).to_have_text("Unread")

    row.get_by_role("button", name="Acknowledge").click()

    expect(page).to_have_url(f"{live_server.url}/alerts/")
    expect(page.locator("ul.messages")).to_have_text("Alert acknowledged.")
    row = page.locator("table.inbox tbody tr").first
    expect(row.locator("td").nth(6)).to_have_text(re.compile(r"^Acknowledged \d{4}-\d\d-\d\d \d\d:\d\d$"))
    expect(row.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(row).not_to_have_class("unread")
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    assert receipt.read_at is not None


def test_another_stores_ticket_is_a_404_page(page, live_server, store, other_store, agent):
    own = TicketFactory(store=store, subject="Our own ticket")
    theirs = TicketFactory(store=other_store, subject="Somebody else's ticket")
    log_in(page, "agent")

    assert page.goto(f"/tickets/{own.pk}/").status == 200
    response = page.goto(f"/tickets/{theirs.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not Found")
    expect(page.locator("body")).not_to_contain_text("Somebody else's ticket")
