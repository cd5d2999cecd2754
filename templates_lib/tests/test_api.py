"""The template API: scoping, filters, create/update with versions, render, suggestions,
effectiveness, import/export, and 400s that name the field."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from templates_lib.models import ReplyTemplate, TemplateBody
from tickets.choices import DisputeOutcome, DisputeStatus, TicketCategory
from tickets.services.api_keys import api_key_create
from tickets.tests.factories import DisputeFactory, MessageFactory, TemplateUseFactory, TicketFactory

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db

LIST = reverse("api-template-list")


def detail(pk, action=None):
    return reverse(f"api-template-{action or 'detail'}", args=[pk])


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def library(store, other_store):
    return {
        "shared": make_template(code="late", tags="shipping, delay",
                                bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"}),
        "ours": make_template(store=store, code="ours", scenario="exchange", tags="size",
                              bodies={"en": "Exchange for [Order Number]: [Solution]"}),
        "theirs": make_template(store=other_store, code="theirs", bodies={"en": "Theirs [Order Number]"}),
    }


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_is_refused():
    assert APIClient().get(LIST).status_code == 401


def test_the_list_holds_the_library_and_my_stores_only(api, library):
    assert codes(api.get(LIST)) == ["late", "ours"]
    assert api.get(detail(library["theirs"].pk)).status_code == 404


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "retard"}, ["late"]), ({"q": "EXCHANGE"}, ["ours"]), ({"scenario": "exchange"}, ["ours"]),
    ({"tag": "delay"}, ["late"]), ({"tag": "del"}, []), ({"language": "fr"}, ["late"]),
])
def test_filters(api, library, query, expected):
    assert codes(api.get(LIST, query)) == expected


def test_a_bad_filter_value_is_a_400_naming_it(api, library):
    response = api.get(LIST, {"scenario": "small_talk"})
    assert response.status_code == 400
    assert "scenario" in response.json()


def test_read_has_the_current_texts(api, library):
    body = api.get(detail(library["shared"].pk)).json()
    assert body["languages"] == ["en", "fr"]
    assert [(b["language"], b["version"], b["body"]) for b in body["bodies"]] == [
        ("en", 1, "Late [Order Number]"), ("fr", 1, "Retard [Order Number]")]


def test_create_in_my_store(api, store):
    response = api.post(LIST, {"store": store.pk, "code": "new", "title": "New", "scenario": "exchange",
                               "marketplaces": ["aliexpress"], "bodies": {"en": "Hi [Buyer Name]",
                                                                          "ru": {"title": "Новый", "body": "Привет"}}},
                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["languages"] == ["en", "ru"]
    assert ReplyTemplate.objects.get(code="new").store == store


@pytest.mark.parametrize(("payload", "field"), [
    ({"bodies": {"en": "Hi [Voucher]"}}, "bodies"),
    ({"bodies": {"en": "Pay with PayPal"}}, "bodies"),
    ({"bodies": {}}, "bodies"),
    ({"bodies": {"en": 5}}, "bodies"),
    ({"scenario": "small_talk"}, "scenario"),
    ({"marketplaces": ["wish"]}, "marketplaces"),
    ({"code": "has space"}, "code"),
    ({"store": None}, "store"),
    ({"store": 999999}, "store"),
    ({"code": "ours"}, "code"),
])
def test_bad_input_is_a_400_naming_the_field(api, store, library, payload, field):
    data = {"store": store.pk, "code": "x", "title": "X", "scenario": "exchange", "bodies": {"en": "Hi"}, **payload}
    response = api.post(LIST, data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ReplyTemplate.objects.filter(code="x").exists()


def test_the_other_stores_store_is_refused(api, other_store):
    response = api.post(LIST, {"store": other_store.pk, "code": "x", "title": "X", "scenario": "exchange",
                               "bodies": {"en": "Hi"}}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["store"])


def test_update_adds_a_version(api, library):
    template = library["ours"]
    response = api.patch(detail(template.pk), {"bodies": {"en": "Exchange now for [Order Number]: [Solution]"},
                                               "tags": "size, exchange"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["bodies"][0]["version"] == 2
    assert response.json()["tags"] == "size, exchange"
    assert response.json()["scenario"] == "exchange"  # untouched by a partial update
    assert TemplateBody.objects.filter(template=template).count() == 2


def test_only_admins_edit_the_shared_library(api, admin_api, library):
    url = detail(library["shared"].pk)
    assert api.patch(url, {"title": "Mine"}, format="json").status_code == 403
    assert admin_api.patch(url, {"title": "Ours now"}, format="json").status_code == 200


def test_the_code_cannot_change(api, library):
    response = api.patch(detail(library["ours"].pk), {"code": "renamed"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["code"])


def test_render(api, store, library):
    ticket = ticket_with_order(store, language="fr")
    response = api.post(detail(library["shared"].pk, "render"), {"ticket": ticket.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["language"], body["fell_back"], body["unfilled"], body["version"]) == (
        "Retard 8150000012345678", "fr", False, [], 1)
    assert body["template_body"] == library["shared"].bodies.get(language="fr").pk


def test_render_with_values_and_fallback(api, store, library):
    ticket = ticket_with_order(store, language="de")
    response = api.post(detail(library["ours"].pk, "render"), {"ticket": ticket.pk, "values": {}}, format="json")
    assert (response.json()["fell_back"], response.json()["unfilled"]) == (True, ["Solution"])
    response = api.post(detail(library["ours"].pk, "render"),
                        {"ticket": ticket.pk, "values": {"Solution": "we send a new size"}}, format="json")
    assert response.json()["text"] == "Exchange for 8150000012345678: we send a new size"


def test_render_for_another_stores_ticket_is_a_404(api, other_store, library):
    ticket = TicketFactory(store=other_store)
    response = api.post(detail(library["shared"].pk, "render"), {"ticket": ticket.pk}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("payload", [{}, {"ticket": "abc"}, {"ticket": 1, "values": "x"}])
def test_render_bad_input_is_a_400(api, library, payload):
    response = api.post(detail(library["shared"].pk, "render"), payload, format="json")
    assert response.status_code == 400


def test_suggestions(api, store, library):
    ticket = ticket_with_order(store, category=TicketCategory.LOGISTICS)
    MessageFactory(ticket=ticket, body="Where is my parcel? Still waiting")
    response = api.get(reverse("api-template-suggestions"), {"ticket": ticket.pk})
    assert response.status_code == 200
    assert [s["template"]["code"] for s in response.json()] == ["late"]
    assert response.json()[0]["reasons"][0] == "category:logistics"


def test_suggestions_bad_or_foreign_ticket(api, other_store):
    assert api.get(reverse("api-template-suggestions")).status_code == 400
    other = TicketFactory(store=other_store)
    assert api.get(reverse("api-template-suggestions"), {"ticket": other.pk}).status_code == 404


def test_effectiveness(api, store, other_store, library):
    body = library["shared"].bodies.get(language="en")
    use = TemplateUseFactory(ticket__store=store, body=body)
    DisputeFactory(store=store, order=use.ticket.order, ticket=use.ticket, status=DisputeStatus.RESOLVED,
                   outcome=DisputeOutcome.SELLER_WON)
    TemplateUseFactory(ticket__store=other_store, body=body)  # another store's: not counted

    response = api.get(detail(library["shared"].pk, "effectiveness"))

    assert response.status_code == 200
    assert [(r["language"], r["uses"], r["disputed"], r["won_share"]) for r in response.json()] == [
        ("en", 1, 1, 1.0)]
    assert len(api.get(reverse("api-template-effectiveness-all")).json()) == 1


def test_export_and_import(api, store, library):
    exported = api.get(reverse("api-template-export"), {"store": store.pk}).json()
    assert [t["code"] for t in exported] == ["ours"]
    csv_response = api.get(reverse("api-template-export"), {"as": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert b"late" in csv_response.content

    exported[0]["code"] = "ours-copy"
    response = api.post(reverse("api-template-import"), {"store": store.pk, "templates": exported}, format="json")
    assert (response.status_code, response.json()["created"]) == (200, ["ours-copy"])

    bad = api.post(reverse("api-template-import"),
                   {"store": store.pk, "csv": "code,title,scenario,marketplaces,tags,is_active,language,body\n"
                                              "a,A,exchange,,,true,en,Hi [Nope]\n"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["rows"][0]["row"] == 2
    assert bad.json()["rows"][0]["column"] == "body"
    assert not ReplyTemplate.objects.filter(code="a").exists()


@pytest.mark.parametrize("store_value", ["abc", True, [1], {"id": 1}])
def test_import_with_a_bad_store_is_a_400(api, store_value):
    response = api.post(reverse("api-template-import"), {"store": store_value, "templates": []}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["store"])


def test_an_api_key_renders_without_an_agent_name(store, library):
    _, secret = api_key_create(name="erp", stores=[store], actor="system:test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    template = make_template(store=store, code="signed", bodies={"en": "Regards, [Agent Name] [Order Number]"})
    ticket = ticket_with_order(store)
    response = client.post(detail(template.pk, "render"), {"ticket": ticket.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["unfilled"] == ["Agent Name"]
