"""``POST /api/v1/tickets/{id}/reply/``: a reply through the same service as the desk,
its template use recorded, refusals as field errors, another store's ticket a 404."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from templates_lib.models import TemplateUse
from templates_lib.tests.helpers import make_template, ticket_with_order
from tickets.choices import DisputeOutcome, DisputeStatus, MessageKind
from tickets.services.api_keys import api_key_create

from .factories import DisputeFactory

pytestmark = pytest.mark.django_db


def reply_url(ticket):
    return reverse("api-ticket-reply", args=[ticket.pk])


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def test_a_reply_is_sent_and_returned(api, store, agent):
    ticket = ticket_with_order(store)

    response = api.post(reply_url(ticket), {"body": "Your parcel 8150000012345678 ships today."}, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == MessageKind.AGENT_REPLY
    assert data["author"] == agent.get_username()
    assert data["body"] == "Your parcel 8150000012345678 ships today."
    message = ticket.messages.get()
    assert data["id"] == message.pk
    ticket.refresh_from_db()
    assert ticket.first_replied_at == message.sent_at
    assert not TemplateUse.objects.exists()


def test_a_reply_from_a_template_records_its_use(api, store, agent):
    template = make_template(store=store, bodies={"en": "Order [Order Number] ships today.",
                                                  "fr": "La commande [Order Number] part aujourd'hui."})
    body = template.bodies.get(language="fr")
    ticket = ticket_with_order(store, language="fr")

    response = api.post(reply_url(ticket), {"body": "La commande 8150000012345678 part aujourd'hui.",
                                            "template_body": body.pk}, format="json")

    assert response.status_code == 201, response.json()
    use = TemplateUse.objects.get()
    assert (use.template, use.body, use.language, use.agent, use.ticket, use.message_id) == (
        template, body, "fr", agent, ticket, response.json()["id"])
    assert response.json()["language"] == "fr"


def test_the_use_shows_in_the_effectiveness_figures(api, store):
    template = make_template(store=store)
    ticket = ticket_with_order(store)
    api.post(reply_url(ticket), {"body": "Order 8150000012345678 is on its way with Cainiao.",
                                 "template_body": template.bodies.get().pk}, format="json")
    DisputeFactory(store=store, order=ticket.order, ticket=ticket, status=DisputeStatus.RESOLVED,
                   outcome=DisputeOutcome.SELLER_WON)

    response = api.get(reverse("api-template-effectiveness", args=[template.pk]))

    assert response.status_code == 200
    assert [(r["template"], r["language"], r["uses"], r["disputed"], r["won"]) for r in response.json()] == [
        (template.pk, "en", 1, 1, 1)]


@pytest.mark.parametrize(("body", "message"), [
    ("Order 815: [Solution] by [Date].", "Fill in [Solution], [Date] before sending."),
    ("Pay by PayPal and get it faster.", "“Payment outside the platform” forbids: paypal"),
    ("We give you 5 dollars for a 5-star review.", "“Reward for a review” forbids: "),
    ("Pay here: bit.ly/pay123", "“Link outside the marketplace” forbids: bit.ly/pay123"),
])
def test_unfilled_placeholders_and_compliance_are_400_on_body(api, store, body, message):
    ticket = ticket_with_order(store)

    response = api.post(reply_url(ticket), {"body": body}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["body"], errors
    assert any(e.startswith(message) for e in errors["body"]), errors
    assert not ticket.messages.exists()


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "   "}, {"body": "Hi", "template_body": "x"}])
def test_a_missing_or_malformed_field_is_400(api, store, payload):
    ticket = ticket_with_order(store)
    response = api.post(reply_url(ticket), payload, format="json")
    assert response.status_code == 400
    assert not ticket.messages.exists()


def test_an_unknown_field_is_a_400_naming_it_with_the_other_bad_fields(api, store):
    ticket = ticket_with_order(store)
    response = api.post(reply_url(ticket), {"body": "", "extra": 1}, format="json")
    assert response.status_code == 400
    assert {"body", "extra"} <= set(response.json())
    assert not ticket.messages.exists()


def test_another_stores_template_text_is_refused(api, store, other_store):
    theirs = make_template(store=other_store, code="theirs")
    ticket = ticket_with_order(store)

    response = api.post(reply_url(ticket), {"body": "Order 815 ships today.",
                                            "template_body": theirs.bodies.get().pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["template_body"], response.json()
    assert not ticket.messages.exists()


def test_another_stores_ticket_is_a_404(api, other_store):
    ticket = ticket_with_order(other_store)
    response = api.post(reply_url(ticket), {"body": "Hello"}, format="json")
    assert response.status_code == 404
    assert not ticket.messages.exists()


def test_an_api_key_replies_without_an_author(store):
    _, secret = api_key_create(name="erp", stores=[store], actor="system:test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    template = make_template()  # the shared library
    ticket = ticket_with_order(store)

    response = client.post(reply_url(ticket), {"body": "Order 8150000012345678 ships today.",
                                               "template_body": template.bodies.get().pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["author"] is None
    use = TemplateUse.objects.get()
    assert (use.agent, use.ticket, use.template) == (None, ticket, template)


def test_the_schema_documents_reply_and_template_versions(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    reply = schema["paths"]["/api/v1/tickets/{id}/reply/"]["post"]
    assert "201" in reply["responses"]
    assert "ReplyRequest" in str(reply["requestBody"])
    versions = schema["paths"]["/api/v1/templates/{id}/versions/"]["get"]
    assert [p["name"] for p in versions["parameters"] if p["in"] == "query"] == ["language"]
