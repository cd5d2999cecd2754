"""The template picker on the ticket page, without a browser: suggestions, search,
rendering into the reply box, and sending (or being refused)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from templates_lib.models import TemplateUse
from tickets.choices import MessageKind, TicketCategory
from tickets.tests.factories import MessageFactory

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(store):
    ticket = ticket_with_order(store, language="fr", category=TicketCategory.LOGISTICS)
    MessageFactory(ticket=ticket, body="Où est mon colis ? Pas reçu")
    return ticket


@pytest.fixture
def late(ticket):
    return make_template(code="late", title="Parcel late", tags="shipping", bodies={
        "en": "Order [Order Number] is late. [Solution]",
        "fr": "La commande [Order Number] est en retard. [Solution]"})


def page(client, ticket, **params):
    return client.get(reverse("ticket-detail", args=[ticket.pk]), params)


def test_the_page_suggests_templates_for_the_ticket(agent_client, ticket, late):
    make_template(code="feedback", scenario="feedback_request", bodies={"en": "Thanks [Buyer Name]"})
    response = page(agent_client, ticket)
    assert [s.template.code for s in response.context["suggestions"]] == ["late"]
    assert f'href="/tickets/{ticket.pk}/?template={late.pk}#reply"' in response.content.decode()


def test_search_box(agent_client, ticket, late, other_store):
    make_template(code="theirs", store=other_store, bodies={"en": "en retard aussi"})
    response = page(agent_client, ticket, tq="retard")
    assert [t.code for t in response.context["template_results"]] == ["late"]
    assert [t.code for t in page(agent_client, ticket, tq="nothing-like-it").context["template_results"]] == []


def test_choosing_a_template_renders_it_into_the_reply_box(agent_client, ticket, late):
    response = page(agent_client, ticket, template=late.pk)
    form = response.context["reply_form"]
    assert form.initial["body"] == "La commande 8150000012345678 est en retard. [Solution]"
    assert form.initial["template_body"] == late.bodies.get(language="fr").pk
    html = response.content.decode()
    assert "Still to fill before sending:" in html
    assert "[Solution]" in html


def test_a_fallback_is_said(agent_client, ticket):
    template = make_template(code="en-only", bodies={"en": "Order [Order Number]."})
    ticket.language = "ru"
    ticket.save(update_fields=["language"])
    html = page(agent_client, ticket, template=template.pk).content.decode()
    assert "No text in the buyer's language (ru): this is the English text." in html


def test_another_stores_template_is_not_rendered(agent_client, ticket, other_store):
    theirs = make_template(code="theirs", store=other_store, bodies={"en": "Theirs [Order Number]"})
    response = page(agent_client, ticket, template=theirs.pk)
    assert response.context["rendered"] is None


def test_sending_with_a_placeholder_left_is_refused(agent_client, ticket, late):
    body = late.bodies.get(language="fr")
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {
        "body": "La commande 8150000012345678 est en retard. [Solution]", "template_body": body.pk})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"] == ["Fill in [Solution] before sending."]
    assert not ticket.messages.filter(kind=MessageKind.AGENT_REPLY).exists()


def test_sending_a_forbidden_reply_is_refused(agent_client, ticket):
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "Add me on WhatsApp"})
    assert response.status_code == 400
    assert "“Messaging app contact” forbids: whatsapp" in response.content.decode()


def test_after_a_refused_reply_every_form_and_template_link_still_points_at_the_ticket(agent_client, ticket, late):
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "Add me on WhatsApp"})
    html = response.content.decode()
    detail = reverse("ticket-detail", args=[ticket.pk])
    # The page now sits at .../reply/: a form or link without its own address would go there.
    assert f'action="{detail}" class="card" id="status-form"' in html
    assert f'href="{detail}?template={late.pk}#reply"' in html
    assert "Add me on WhatsApp" in html  # the draft is kept

    status = agent_client.post(detail, {"status": "open", "reason": "picked up"})
    assert status.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_sending_from_a_template_records_the_use(agent_client, agent, ticket, late):
    body = late.bodies.get(language="fr")
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {
        "body": "La commande 8150000012345678 est en retard. Nous renvoyons le colis demain.",
        "template_body": body.pk})
    assert response.status_code == 302
    use = TemplateUse.objects.get()
    assert (use.body, use.ticket, use.agent, use.language) == (body, ticket, agent, "fr")
    assert "Reply sent." in agent_client.get(response.url).content.decode()


def test_a_plain_reply_records_no_use(agent_client, ticket):
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "On s'en occupe."})
    assert response.status_code == 302
    assert ticket.messages.filter(kind=MessageKind.AGENT_REPLY).count() == 1
    assert not TemplateUse.objects.exists()


def test_another_stores_template_body_is_refused_on_send(agent_client, ticket, other_store):
    theirs = make_template(code="theirs", store=other_store, bodies={"en": "Theirs"})
    response = agent_client.post(reverse("ticket-reply", args=[ticket.pk]), {
        "body": "Hello", "template_body": theirs.bodies.get().pk})
    assert response.status_code == 400
    assert "template_body" in response.context["reply_form"].errors


def test_another_stores_ticket_is_a_404(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "x"}).status_code == 404


@pytest.mark.parametrize("with_template", [False, True])
def test_the_page_costs_the_same_queries_for_5_or_50_templates(agent_client, ticket, with_template):
    def count():
        params = {"tq": "late"}
        if with_template:
            params["template"] = first.pk
        with CaptureQueriesContext(connection) as queries:
            assert page(agent_client, ticket, **params).status_code == 200
        return len(queries)

    first = make_template(code="late-0", bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"})
    for i in range(1, 5):
        make_template(code=f"late-{i}", bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"})
    five = count()
    for i in range(5, 50):
        make_template(code=f"late-{i}", bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"})
    assert count() == five
