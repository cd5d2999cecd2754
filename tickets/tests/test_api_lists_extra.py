"""API list and schema gaps: the template list syncs like every other list (``updated_after``,
a keyset cursor over ``(updated_at, id)``), a page size above the maximum is a 400, and
the schema says what the sync bodies refuse (unknown fields, more than 1,000 items)."""

import base64
import datetime
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from templates_lib.models import ReplyTemplate
from templates_lib.services import template_update
from templates_lib.tests.helpers import make_template
from tickets.api.filters import UPDATED_AFTER_INVALID, UPDATED_AFTER_NAIVE
from tickets.api.pagination import INVALID_CURSOR, KeysetPagination
from tickets.services.api_keys import api_key_create
from tickets.services.sync.batch import MAX_ITEMS

from .factories import T0, DisputeFactory
from .paging import rows, walk

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/templates/"
BEFORE, AFTER = T0 - datetime.timedelta(hours=1), T0 + datetime.timedelta(hours=1)
SYNC_KINDS = ("orders", "disputes", "returns", "messages")


def codes(response) -> list[str]:
    return [row["code"] for row in rows(response)]


def stamp(templates, at):
    ReplyTemplate.objects.filter(pk__in=[t.pk for t in templates]).update(updated_at=at)


def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


# The template list ---------------------------------------------------------------------------------------
def test_the_template_list_pages_by_code_behind_a_cursor(agent_client, store, other_store):
    for code in ("d", "b", "a", "c"):
        make_template(store=store, code=code)
    make_template(store=other_store, code="theirs")
    first = agent_client.get(TEMPLATES, {"page_size": 3}).json()
    assert set(first) == {"next", "previous", "results"}
    assert [row["code"] for row in walk(agent_client, TEMPLATES, {"page_size": 3})] == ["a", "b", "c", "d"]


def test_changed_since_lists_only_later_changes_oldest_first(agent_client, store):
    old, late, early = (make_template(store=store, code=code) for code in ("a-old", "b-late", "c-early"))
    stamp([old], BEFORE)
    stamp([late], AFTER)
    stamp([early], T0)
    assert codes(agent_client.get(TEMPLATES, {"updated_after": T0.isoformat()})) == ["c-early", "b-late"]
    # The desk's order stays available with order=code.
    assert codes(agent_client.get(TEMPLATES, {"updated_after": T0.isoformat(), "order": "code"})) == [
        "b-late", "c-early"]


def test_an_edit_while_paging_lists_the_template_again_and_skips_none(agent_client, agent, store):
    templates = [make_template(store=store, code=f"t{i:02}") for i in range(9)]
    stamp(templates, T0)  # one shared updated_at: the case an offset cursor gets wrong

    def edit(page):
        if page == 1:  # one template already listed, one not reached yet
            for template in (templates[0], templates[6]):
                template_update(template=template, actor=agent, bodies={"en": f"New text of {template.code}."})

    listed = [row["id"] for row in walk(agent_client, TEMPLATES, {"page_size": 3, "order": "updated"},
                                        between_pages=edit)]
    assert listed[:3] == [t.pk for t in templates[:3]]
    for template in templates:
        assert listed.count(template.pk) == (2 if template is templates[0] else 1), template.code
    assert listed[-2:] == [templates[0].pk, templates[6].pk]


def test_the_next_link_keeps_the_search_and_filters(agent_client, store):
    for i in range(3):
        make_template(store=store, code=f"late-{i}", tags="delay", bodies={"fr": f"Retard {i}"})
    make_template(store=store, code="other", scenario="exchange", tags="size")
    params = {"q": "retard", "tag": "delay", "language": "fr", "scenario": "logistics_delay",
              "updated_after": BEFORE.isoformat(), "page_size": 2}
    first = agent_client.get(TEMPLATES, params).json()
    query = parse_qs(urlparse(first["next"]).query)
    assert (query["q"], query["updated_after"]) == (["retard"], [BEFORE.isoformat()])
    assert [r["code"] for r in walk(agent_client, TEMPLATES, params)] == ["late-0", "late-1", "late-2"]


@pytest.mark.parametrize(("value", "message"), [
    ("2025-03-10T08:00:00", UPDATED_AFTER_NAIVE), ("yesterday", UPDATED_AFTER_INVALID)])
def test_a_bad_updated_after_is_a_400_naming_it(agent_client, store, value, message):
    response = agent_client.get(TEMPLATES, {"updated_after": value})
    assert (response.status_code, response.json()) == (400, {"updated_after": [str(message)]})


def test_an_unknown_order_is_a_400_naming_it(agent_client, store):
    response = agent_client.get(TEMPLATES, {"order": "score"})
    assert response.status_code == 400
    assert list(response.json()) == ["order"]


@pytest.mark.parametrize("values", [["a\x00b", 1], ["a", "b"], ["a", 2**70]])
def test_a_hand_made_code_cursor_is_a_400_or_an_empty_page_never_a_500(agent_client, store, values):
    make_template(store=store, code="a")
    raw = base64.urlsafe_b64encode(json.dumps({"v": values, "o": ["code", "id"]}).encode()).decode()
    response = agent_client.get(TEMPLATES, {"cursor": raw})
    if response.status_code == 400:
        assert response.json() == {"cursor": [str(INVALID_CURSOR)]}
    else:
        assert rows(response) == []


def test_list_filters_do_not_hide_a_template_read_by_id(agent_client, store):
    template = make_template(store=store, code="a")
    stamp([template], BEFORE)
    url = reverse("api-template-detail", args=[template.pk])
    assert agent_client.get(url, {"updated_after": AFTER.isoformat(), "q": "nothing"}).status_code == 200


def test_the_schema_documents_the_template_list_as_a_sync_list(client):
    operation = schema(client)["paths"][TEMPLATES]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["updated_after"]["schema"] == {"type": "string", "format": "date-time"}
    assert params["order"]["schema"]["enum"] == ["code", "updated"]
    assert {"cursor", "page_size", "q", "scenario", "tag", "language"} <= set(params)
    assert "page" not in params


# Page size -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/disputes/", TEMPLATES])
def test_a_page_size_above_the_maximum_is_a_400_naming_it_and_the_maximum(agent_client, store, url):
    response = agent_client.get(url, {"page_size": 100000})
    maximum = KeysetPagination.max_page_size
    assert (response.status_code, response.json()) == (
        400, {"page_size": [f"Enter a whole number from 1 to {maximum}."]})
    assert agent_client.get(url, {"page_size": maximum}).status_code == 200


def test_the_maximum_page_size_is_a_full_page(agent_client, store, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "max_page_size", 3)
    for _ in range(4):
        DisputeFactory(store=store)
    page = agent_client.get("/api/v1/disputes/", {"page_size": 3}).json()
    assert len(page["results"]) == 3
    assert page["next"]
    assert agent_client.get("/api/v1/disputes/", {"page_size": 4}).status_code == 400


# What the schema says about sync bodies ----------------------------------------------------------------
def _reachable_objects(node, components, seen=None) -> set[str]:
    """Names of the components reachable from ``node`` through ``$ref``s."""
    seen = set() if seen is None else seen
    if isinstance(node, list):
        for value in node:
            _reachable_objects(value, components, seen)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if ref and ref.rsplit("/", 1)[1] not in seen:
            seen.add(ref.rsplit("/", 1)[1])
            _reachable_objects(components[ref.rsplit("/", 1)[1]], components, seen)
        for value in node.values():
            _reachable_objects(value, components, seen)
    return seen


def test_the_schema_says_sync_bodies_hold_at_most_1000_items_without_unknown_fields(client):
    document = schema(client)
    components = document["components"]["schemas"]
    closed = set()
    for kind in SYNC_KINDS:
        body = document["paths"][f"/api/v1/sync/{kind}/"]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["type"] == "array"
        assert body["schema"]["maxItems"] == MAX_ITEMS == 1000, kind
        assert "minItems" not in body["schema"], kind  # an empty list is accepted (see below)
        objects = {name for name in _reachable_objects(body["schema"], components)
                   if components[name].get("type") == "object"}
        assert objects, kind
        for name in objects:
            assert name.startswith("Sync"), name
            assert components[name]["additionalProperties"] is False, name
        closed |= objects
    # The nested shapes too: an order's buyer and lines refuse unknown fields as the order does.
    assert {"SyncOrderRequest", "SyncBuyerRequest", "SyncOrderLineRequest", "SyncDisputeRequest",
            "SyncReturnRequest", "SyncMessageRequest"} <= closed
    # Responses and other objects keep their open schemas.
    assert "additionalProperties" not in components["SyncReport"]
    assert "additionalProperties" not in components["Ticket"]


@pytest.fixture
def erp(client, store, admin_user):
    raw = api_key_create(name="erp", stores=[store], actor=admin_user)[1]

    def post(kind, items):
        return client.post(reverse(f"api-sync-{kind}"), items, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    return post


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_the_sync_endpoints_do_what_the_schema_says(erp, kind):
    assert erp(kind, []).json()["results"] == []
    unknown = erp(kind, [{"store": "ae-main", "unknown_field": 1}]).json()["results"][0]
    assert unknown["status"] == "error"
    assert unknown["errors"]["unknown_field"] == ["Unknown field."]
    assert erp(kind, [{}] * (MAX_ITEMS + 1)).status_code == 413
