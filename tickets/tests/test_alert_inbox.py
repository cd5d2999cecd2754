"""The in-app alert inbox: a user's own alerts, unread first; reading and
acknowledging them (acknowledging is audited, once); the unread badge in the nav."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.choices import AlertLevel
from tickets.models import Alert, AlertReceipt, AuditEntry
from tickets.services.alerts import NOT_YOUR_ALERT, alert_acknowledge, alert_mark_read, alerts_mark_all_read

from .factories import T0, AlertFactory, AlertReceiptFactory, ClockFactory, DisputeFactory, TicketFactory

pytestmark = pytest.mark.django_db

INBOX = "/alerts/"
# Session, user, nav badge, receipts, their tickets.
INBOX_QUERIES = 5


def read_url(receipt) -> str:
    return f"/alerts/{receipt.pk}/read/"


def ack_url(receipt) -> str:
    return f"/alerts/{receipt.pk}/ack/"


def acknowledgements(alert):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Alert), object_id=alert.pk,
                                     action="acknowledge")


def receipt_for(user, store, **kwargs) -> AlertReceipt:
    return AlertReceiptFactory(user=user, alert__clock__store=store, **kwargs)


def nav_badge(html: str) -> str | None:
    """The number in the nav's alerts link, or None without a badge."""
    start = html.index('id="nav-alerts"')
    link = html[start:html.index("</a>", start)]
    if "nav-count" not in link:
        return None
    return link.split('<span class="nav-count">')[1].split("<")[0]


@pytest.fixture
def receipt(agent, store):
    return receipt_for(agent, store)


# The list --------------------------------------------------------------------------------------
def test_inbox_requires_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={INBOX}"


def test_inbox_lists_the_user_own_alerts_unread_first(agent_client, agent, supervisor, store, other_store):
    old_unread = receipt_for(agent, store, alert__raised_at=T0)
    new_read = receipt_for(agent, store, alert__raised_at=T0 + datetime.timedelta(hours=3), read_at=T0)
    new_unread = receipt_for(agent, store, alert__raised_at=T0 + datetime.timedelta(hours=2))
    AlertReceiptFactory(alert=new_unread.alert, user=supervisor)  # the same alert in someone else's inbox
    receipt_for(supervisor, store)
    receipt_for(agent, other_store)  # a store the agent no longer works for

    response = agent_client.get(INBOX)
    assert response.status_code == 200
    assert [r.pk for r in response.context["receipts"]] == [new_unread.pk, old_unread.pk, new_read.pk]
    assert "ae-other" not in response.content.decode()


def test_inbox_row_shows_clock_level_store_subject_and_time(agent_client, agent, store):
    ticket = TicketFactory(store=store, subject="Parcel lost in customs")
    clock = ClockFactory(store=store, dispute=DisputeFactory(store=store, order=ticket.order, ticket=ticket))
    AlertReceiptFactory(user=agent, alert=AlertFactory(clock=clock, level=AlertLevel.BREACH, raised_at=T0,
                                                       text="Dispute response lapsed"))
    html = agent_client.get(INBOX).content.decode()
    assert "Dispute response" in html
    assert '<span class="badge level-breach">Breach</span>' in html
    assert "<td class=\"code\">ae-main</td>" in html
    assert f'<a href="/tickets/{ticket.pk}/">#{ticket.pk} Parcel lost in customs</a>' in html
    assert "2025-03-10 16:00</time>" in html  # T0 in Beijing time
    assert "Dispute lost by default" in html  # the consequence, in the reader's language


def test_inbox_filters_unread(agent_client, agent, store):
    unread = receipt_for(agent, store)
    receipt_for(agent, store, read_at=T0)
    response = agent_client.get(INBOX, {"unread": "1"})
    assert [r.pk for r in response.context["receipts"]] == [unread.pk]
    assert response.context["unread_only"] is True


@pytest.mark.parametrize("rows", [5, 50])
def test_inbox_queries_do_not_grow_with_rows(agent_client, agent, store, rows, django_assert_max_num_queries):
    for i in range(rows):
        ticket = TicketFactory(store=store)
        clock = (ClockFactory(store=store, dispute=DisputeFactory(store=store, order=ticket.order, ticket=ticket))
                 if i % 2 else ClockFactory(store=store, dispute=None, ticket=ticket))
        AlertReceiptFactory(user=agent, alert__clock=clock)
    with django_assert_max_num_queries(INBOX_QUERIES):
        response = agent_client.get(INBOX)
    assert len(response.context["receipts"]) == rows


# Reading and acknowledging -------------------------------------------------------------------
def test_mark_read_and_go_back(agent_client, receipt):
    response = agent_client.post(read_url(receipt), {"next": "/alerts/?unread=1"})
    assert response.status_code == 302
    assert response.url == "/alerts/?unread=1"
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    assert receipt.acknowledged_at is None
    assert not acknowledgements(receipt.alert).exists()


def test_acknowledge_marks_read_and_is_audited_once(agent_client, agent, receipt):
    response = agent_client.post(ack_url(receipt), {"next": INBOX})
    assert response.status_code == 302
    assert response.url == INBOX
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    assert receipt.read_at == receipt.acknowledged_at
    entry = acknowledgements(receipt.alert).get()
    assert (entry.actor, entry.store_id, entry.field) == (agent, receipt.alert.store_id, "acknowledged_at")
    assert entry.to_value == receipt.acknowledged_at.isoformat()

    agent_client.post(ack_url(receipt))  # a second click changes nothing
    assert acknowledgements(receipt.alert).count() == 1
    assert AlertReceipt.objects.get(pk=receipt.pk).acknowledged_at == receipt.acknowledged_at


def test_acknowledge_keeps_the_first_read_time(agent, store):
    receipt = receipt_for(agent, store, read_at=T0)
    assert alert_acknowledge(receipt=receipt, user=agent) is True
    receipt.refresh_from_db()
    assert receipt.read_at == T0
    assert receipt.acknowledged_at > T0


def test_unsafe_next_goes_back_to_the_inbox(agent_client, receipt):
    response = agent_client.post(read_url(receipt), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == INBOX


@pytest.mark.parametrize("url", [read_url, ack_url])
def test_someone_else_receipt_is_not_found(agent_client, agent, supervisor, store, other_store, url):
    colleague = receipt_for(supervisor, store)  # same store, another person's inbox
    foreign = receipt_for(agent, other_store)  # the agent's own receipt, from a store not theirs
    for receipt in (colleague, foreign):
        assert agent_client.post(url(receipt)).status_code == 404
        receipt.refresh_from_db()
        assert (receipt.read_at, receipt.acknowledged_at) == (None, None)
    assert not AuditEntry.objects.filter(action="acknowledge").exists()


@pytest.mark.parametrize("url", [read_url, ack_url])
def test_actions_take_a_post(agent_client, receipt, url):
    assert agent_client.get(url(receipt)).status_code == 405


@pytest.mark.parametrize("url", [read_url, ack_url])
def test_actions_check_the_csrf_token(agent, receipt, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(url(receipt)).status_code == 403
    receipt.refresh_from_db()
    assert receipt.read_at is None


def test_actions_require_login(client, receipt):
    response = client.post(ack_url(receipt))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_mark_all_read_marks_only_the_user_own(agent_client, agent, supervisor, store):
    mine = [receipt_for(agent, store) for _ in range(3)]
    theirs = receipt_for(supervisor, store)
    response = agent_client.post("/alerts/read-all/", {"next": INBOX})
    assert response.status_code == 302
    assert all(AlertReceipt.objects.get(pk=r.pk).read_at for r in mine)
    assert AlertReceipt.objects.get(pk=theirs.pk).read_at is None


def test_only_the_recipient_can_acknowledge(supervisor, receipt):
    with pytest.raises(PermissionDenied) as excinfo:
        alert_acknowledge(receipt=receipt, user=supervisor)
    assert str(excinfo.value) == str(NOT_YOUR_ALERT)
    with pytest.raises(PermissionDenied):
        alert_mark_read(receipt=receipt, user=supervisor)


def test_mark_all_read_service_counts(agent, store):
    receipt_for(agent, store)
    receipt_for(agent, store, read_at=T0)
    assert alerts_mark_all_read(user=agent) == 1
    assert alerts_mark_all_read(user=agent) == 0


# The nav badge --------------------------------------------------------------------------------
def test_nav_badge_counts_unread_alerts(agent_client, agent, store, other_store):
    first = receipt_for(agent, store)
    receipt_for(agent, store)
    receipt_for(agent, store, read_at=T0)
    receipt_for(agent, other_store)
    assert nav_badge(agent_client.get("/tickets/").content.decode()) == "2"

    agent_client.post(read_url(first))
    assert nav_badge(agent_client.get("/tickets/").content.decode()) == "1"
    agent_client.post("/alerts/read-all/")
    assert nav_badge(agent_client.get("/tickets/").content.decode()) is None


def test_nav_badge_costs_one_query(agent_client, agent, store):
    receipt_for(agent, store)
    with CaptureQueriesContext(connection) as ctx:
        html = agent_client.get("/").content.decode()
    assert nav_badge(html) == "1"
    receipt_queries = [q["sql"] for q in ctx.captured_queries if "tickets_alertreceipt" in q["sql"]]
    assert len(receipt_queries) == 1  # the badge and the home tile share it
    assert receipt_queries[0].startswith("SELECT COUNT(*)")


def test_a_bad_unread_value_is_a_400_naming_it(agent_client):
    response = agent_client.get(INBOX, {"unread": "maybe"})
    assert response.status_code == 400
    assert "Enter true or false" in response.content.decode()
    assert response.context["receipts"] == []
