"""Sync out: every list takes ``updated_after`` (an aware ISO 8601 instant, else a
400 naming it) and pages by a keyset cursor over ``(updated_at, id)`` that never
skips a row and never repeats an unchanged one, even when many rows share one
``updated_at`` and rows are written between pages."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from tickets.api.filters import UPDATED_AFTER_INVALID, UPDATED_AFTER_NAIVE
from tickets.api.pagination import INVALID_CURSOR, KeysetPagination
from tickets.choices import ClockState
from tickets.models import Alert, Clock, Dispute, Order, Refund, Return, Store, Ticket, User
from tickets.services.alerts import alert_mark_read
from tickets.services.messages import message_note, message_reply

from .factories import (
    T0,
    AlertReceiptFactory,
    ClockFactory,
    DisputeFactory,
    OrderFactory,
    RefundFactory,
    ReturnFactory,
    StoreFactory,
    TicketFactory,
)
from .paging import rows, walk

pytestmark = pytest.mark.django_db

API = "/api/v1"
BEFORE, AFTER = T0 - datetime.timedelta(hours=1), T0 + datetime.timedelta(hours=1)


def ids(response) -> list[int]:
    return [row["id"] for row in rows(response)]


def stamp(model, objs, at):
    model.objects.filter(pk__in=[o.pk for o in objs]).update(updated_at=at)


def make_store(store):
    """Another store of the signed-in agent's."""
    created = StoreFactory()
    User.objects.get(username="agent").stores.add(created)
    return created


RESOURCES = {
    "stores": (Store, make_store),
    "orders": (Order, lambda store: OrderFactory(store=store)),
    "disputes": (Dispute, lambda store: DisputeFactory(store=store)),
    "returns": (Return, lambda store: ReturnFactory(store=store)),
    "refunds": (Refund, lambda store: RefundFactory(store=store)),
    "tickets": (Ticket, lambda store: TicketFactory(store=store)),
    "clocks": (Clock, lambda store: ClockFactory(store=store)),
}


# updated_after -------------------------------------------------------------------------------------
@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_every_list_takes_updated_after_at_or_after(agent_client, store, resource):
    model, make = RESOURCES[resource]
    old, edge, new = make(store), make(store), make(store)
    stamp(model, [old, store] if model is Store else [old], BEFORE)
    stamp(model, [edge], T0)
    stamp(model, [new], AFTER)
    listed = ids(agent_client.get(f"{API}/{resource}/", {"updated_after": "2025-03-10T16:00:00+08:00"}))
    assert listed == [edge.pk, new.pk]


def test_alerts_take_updated_after_and_reading_one_counts_as_a_change(agent_client, agent, store):
    old = AlertReceiptFactory(user=agent, alert__clock__store=store)
    new = AlertReceiptFactory(user=agent, alert__clock__store=store)
    stamp(Alert, [old.alert, new.alert], BEFORE)
    stamp(Alert, [new.alert], AFTER)
    assert ids(agent_client.get(f"{API}/alerts/", {"updated_after": T0.isoformat()})) == [new.alert_id]
    alert_mark_read(receipt=old, user=agent)
    listed = rows(agent_client.get(f"{API}/alerts/", {"updated_after": T0.isoformat(), "order": "updated"}))
    assert [row["id"] for row in listed] == [new.alert_id, old.alert_id]
    assert listed[1]["read"]


def test_a_reply_or_a_note_on_a_ticket_counts_as_a_change_of_the_ticket(agent_client, agent, store):
    replied, noted, quiet = (TicketFactory(store=store) for _ in range(3))
    stamp(Ticket, [replied, noted, quiet], BEFORE)
    message_reply(ticket=replied, author=agent, body="Your parcel left our warehouse today.")
    message_note(ticket=noted, author=agent, body="Called the carrier.")
    changed = ids(agent_client.get(f"{API}/tickets/", {"updated_after": T0.isoformat(), "order": "updated"}))
    assert sorted(changed) == sorted([replied.pk, noted.pk])


def test_a_sync_of_clocks_lists_every_state(agent_client, store):
    running = ClockFactory(store=store)
    met = ClockFactory(store=store, state=ClockState.MET)
    breached = ClockFactory(store=store, state=ClockState.BREACHED)
    stamp(Clock, [running, met, breached], T0)
    everything = [running.pk, met.pk, breached.pk]
    assert ids(agent_client.get(f"{API}/clocks/", {"order": "updated"})) == everything
    assert ids(agent_client.get(f"{API}/clocks/", {"updated_after": BEFORE.isoformat()})) == everything
    assert ids(agent_client.get(f"{API}/clocks/", {"order": "updated", "state": "breached"})) == [breached.pk]
    assert ids(agent_client.get(f"{API}/clocks/")) == [running.pk]  # the desk's queue is unchanged


@pytest.mark.parametrize(("value", "message"), [
    ("2025-03-10T08:00:00", UPDATED_AFTER_NAIVE),
    ("2025-03-10", UPDATED_AFTER_NAIVE),
    ("yesterday", UPDATED_AFTER_INVALID),
    ("2025-02-30T08:00:00Z", UPDATED_AFTER_INVALID),
    ("1741593600", UPDATED_AFTER_INVALID),
])
@pytest.mark.parametrize("resource", ["disputes", "clocks", "alerts", "stores"])
def test_a_naive_or_bad_updated_after_is_a_400_naming_it(agent_client, resource, value, message):
    response = agent_client.get(f"{API}/{resource}/", {"updated_after": value})
    assert response.status_code == 400
    assert response.json() == {"updated_after": [str(message)]}


def test_an_unescaped_plus_in_the_offset_is_understood(agent_client, store):
    dispute = DisputeFactory(store=store)
    stamp(Dispute, [dispute], T0)
    # "+08:00" typed into a URL arrives as " 08:00".
    assert ids(agent_client.get(f"{API}/disputes/?updated_after=2025-03-10T16:00:00+08:00")) == [dispute.pk]
    assert ids(agent_client.get(f"{API}/disputes/?updated_after=2025-03-10T16:00:01+08:00")) == []


def test_a_read_by_id_ignores_updated_after(agent_client, store):
    dispute = DisputeFactory(store=store)
    stamp(Dispute, [dispute], BEFORE)
    assert agent_client.get(f"{API}/disputes/{dispute.pk}/", {"updated_after": AFTER.isoformat()}).status_code == 200


# The keyset cursor ---------------------------------------------------------------------------------------
def test_lists_the_erp_pulls_are_oldest_change_first(agent_client, store):
    first, second, third = (DisputeFactory(store=store) for _ in range(3))
    stamp(Dispute, [third], BEFORE)
    stamp(Dispute, [first, second], T0)
    assert ids(agent_client.get(f"{API}/disputes/")) == [third.pk, first.pk, second.pk]


def test_rows_sharing_one_updated_at_are_each_listed_once(agent_client, store):
    disputes = [DisputeFactory(store=store) for _ in range(23)]
    stamp(Dispute, disputes, T0)
    listed = [row["id"] for row in walk(agent_client, f"{API}/disputes/", {"page_size": 5})]
    assert listed == sorted(d.pk for d in disputes)


def test_writes_while_paging_never_skip_a_row_nor_repeat_an_unchanged_one(agent_client, store):
    """Twenty rows share one ``updated_at``, the worst case for an offset cursor (DRF's
    own skips a row here). After pages 1 and 2, one row already listed and one not
    yet listed are written: the unseen one moves behind the cursor and is listed
    once, there; the seen one comes back once more as its new version; no other
    row moves, and none is skipped."""
    disputes = [DisputeFactory(store=store) for _ in range(30)]
    stamp(Dispute, disputes[:20], T0)
    stamp(Dispute, disputes[20:], AFTER)
    # page -> (a row on a page already listed, a row of the tie not reached yet)
    writes = {1: (disputes[0], disputes[15]), 2: (disputes[4], disputes[16])}
    listed: list[dict] = []
    page = 0
    response = agent_client.get(f"{API}/disputes/", {"page_size": 4, "updated_after": BEFORE.isoformat()})
    while True:
        listed += rows(response)
        page += 1
        following = response.json()["next"]
        if not following:
            break
        for dispute in writes.get(page, ()):
            dispute.save(update_fields=["outcome_note", "updated_at"])  # auto_now restamps it
        response = agent_client.get(following)

    listed_ids = [row["id"] for row in listed]
    assert listed_ids[:8] == [d.pk for d in disputes[:8]]
    seen_then_written = {disputes[0].pk, disputes[4].pk}
    for dispute in disputes:
        assert listed_ids.count(dispute.pk) == (2 if dispute.pk in seen_then_written else 1), dispute.pk
    versions = [(row["id"], row["updated_at"]) for row in listed]
    assert len(versions) == len(set(versions)), "a version was listed twice"
    latest = {row["id"]: datetime.datetime.fromisoformat(row["updated_at"]) for row in listed}
    assert latest == {d.pk: d.updated_at for d in Dispute.objects.all()}, "every row's last version was listed"


def test_previous_goes_back_to_the_page_before(agent_client, store):
    disputes = [DisputeFactory(store=store) for _ in range(7)]
    stamp(Dispute, disputes, T0)
    first = agent_client.get(f"{API}/disputes/", {"page_size": 3}).json()
    assert first["previous"] is None
    second = agent_client.get(first["next"]).json()
    back = agent_client.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    assert back["previous"] is None
    assert agent_client.get(back["next"]).json()["results"] == second["results"]


def test_the_clock_queue_pages_by_due_time_too(agent_client, store):
    clocks = [ClockFactory(store=store, due_at=T0 + datetime.timedelta(hours=30 - i % 2)) for i in range(9)]
    listed = [row["id"] for row in walk(agent_client, f"{API}/clocks/", {"page_size": 2})]
    assert listed == [c.pk for c in sorted(clocks, key=lambda c: (c.due_at, c.pk))]


def test_the_next_link_keeps_the_filters(agent_client, store):
    disputes = [DisputeFactory(store=store) for _ in range(3)]
    stamp(Dispute, disputes, AFTER)
    following = agent_client.get(f"{API}/disputes/", {"page_size": 2, "updated_after": T0.isoformat(),
                                                      "status": "open"}).json()["next"]
    query = parse_qs(urlparse(following).query)
    assert (query["updated_after"], query["status"], query["page_size"]) == ([T0.isoformat()], ["open"], ["2"])


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJ2IjpbMV19", "W10="])
def test_a_bad_cursor_is_a_400_naming_it(agent_client, store, cursor):
    response = agent_client.get(f"{API}/disputes/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": [str(INVALID_CURSOR)]}


def test_a_cursor_of_another_order_is_refused(agent_client, store):
    for _ in range(3):
        ClockFactory(store=store)
    following = agent_client.get(f"{API}/clocks/", {"page_size": 1, "order": "loss"}).json()["next"]
    cursor = parse_qs(urlparse(following).query)["cursor"][0]
    response = agent_client.get(f"{API}/clocks/", {"cursor": cursor, "order": "updated"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_tampered_cursor_value_is_a_400(agent_client, store):
    import base64
    import json

    raw = base64.urlsafe_b64encode(json.dumps({"v": ["soon", 1], "o": ["updated_at", "id"]}).encode()).decode()
    response = agent_client.get(f"{API}/disputes/", {"cursor": raw})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("values", [["1e999999", "2026-10-26T13:23:43+00:00", 27], ["NaN", "2026-10-26T13:23:43Z", 1],
                                    ["5.00", "2026-10-26T13:23:43Z", 2 ** 70], [1.5, "2026-10-26T13:23:43Z", 1]])
def test_a_cursor_number_beyond_any_column_is_a_400_not_a_500(agent_client, store, values):
    import base64
    import json

    ClockFactory(store=store)
    raw = base64.urlsafe_b64encode(json.dumps({"v": values, "o": ["-loss_key", "due_at", "id"]}).encode()).decode()
    response = agent_client.get(f"{API}/clocks/", {"cursor": raw, "order": "loss"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_page_number_is_refused_rather_than_ignored(agent_client):
    response = agent_client.get(f"{API}/disputes/", {"page": 2})
    assert response.status_code == 400
    assert "page" in response.json()


def test_page_size_is_checked(agent_client, store, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "max_page_size", 3)
    for _ in range(5):
        DisputeFactory(store=store)
    assert len(ids(agent_client.get(f"{API}/disputes/", {"page_size": 3}))) == 3
    # Over the maximum is refused rather than quietly cut: a client counting on its
    # page size would otherwise miss rows.
    for bad in ("0", "-2", "many", "4", "500"):
        response = agent_client.get(f"{API}/disputes/", {"page_size": bad})
        assert response.status_code == 400
        assert "page_size" in response.json()


def test_the_schema_documents_updated_after_and_the_cursor(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("stores", "orders", "disputes", "returns", "refunds", "tickets", "clocks", "alerts"):
        operation = schema["paths"][f"/api/v1/{path}/"]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["updated_after"]["schema"] == {"type": "string", "format": "date-time"}, path
        assert {"cursor", "page_size"} <= set(params), path
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
        assert {"next", "previous", "results"} <= set(body["properties"]), path
    assert "post" in schema["paths"]["/api/v1/stores/"]


def test_times_in_the_cursor_keep_their_microseconds(agent_client, store):
    # Two rows a microsecond apart must not collapse into one position.
    a, b, c = (DisputeFactory(store=store) for _ in range(3))
    stamp(Dispute, [a], T0)
    stamp(Dispute, [b], T0 + datetime.timedelta(microseconds=1))
    stamp(Dispute, [c], T0 + datetime.timedelta(microseconds=2))
    listed = [row["id"] for row in walk(agent_client, f"{API}/disputes/", {"page_size": 1})]
    assert listed == [a.pk, b.pk, c.pk]
    assert timezone.is_aware(Dispute.objects.get(pk=b.pk).updated_at)


def test_the_alerts_inbox_pages_unread_first_then_newest(agent_client, agent, store):
    receipts = [AlertReceiptFactory(user=agent, alert__clock__store=store,
                                    alert__raised_at=T0 + datetime.timedelta(minutes=i % 3),
                                    read_at=T0 if i % 2 else None) for i in range(7)]
    expected = sorted(receipts, key=lambda r: (r.read_at is not None, -r.alert.raised_at.timestamp(), -r.pk))
    listed = [row["id"] for row in walk(agent_client, f"{API}/alerts/", {"page_size": 2})]
    assert listed == [r.alert_id for r in expected]


def test_clocks_changed_since_come_in_change_order_whatever_their_due_times(agent_client, store):
    late_due = ClockFactory(store=store, due_at=T0 + datetime.timedelta(days=9))
    early_due = ClockFactory(store=store, due_at=T0 + datetime.timedelta(days=1))
    stamp(Clock, [late_due], T0)
    stamp(Clock, [early_due], AFTER)
    response = agent_client.get(f"{API}/clocks/", {"updated_after": BEFORE.isoformat()})
    assert ids(response) == [late_due.pk, early_due.pk]
    assert rows(response)[0]["updated_at"] is not None


# An API key pulls the alerts of its stores ------------------------------------------------
@pytest.fixture
def key_client(client, store, admin_user):
    from tickets.services.api_keys import api_key_create

    _key, raw = api_key_create(name="erp", stores=[store], actor=admin_user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def test_an_api_key_lists_and_reads_every_alert_of_its_stores(key_client, store, other_store):
    mine = AlertReceiptFactory(alert__clock__store=store, alert__store=store).alert
    theirs = AlertReceiptFactory(alert__clock__store=other_store, alert__store=other_store).alert
    listed = rows(key_client.get(f"{API}/alerts/", {"updated_after": BEFORE.isoformat()}))
    assert [row["id"] for row in listed] == [mine.pk]
    assert listed[0]["store"] == store.code
    assert key_client.get(f"{API}/alerts/{mine.pk}/").json()["id"] == mine.pk
    assert key_client.get(f"{API}/alerts/{theirs.pk}/").status_code == 404
    assert key_client.post(f"{API}/alerts/{mine.pk}/acknowledge/").status_code == 403
