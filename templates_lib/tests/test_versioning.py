"""Edits keep earlier versions; a sent reply records the exact version it used."""

import pytest
from django.core.exceptions import ValidationError

from templates_lib.models import BodyOrigin, TemplateBody, TemplateUse
from templates_lib.services import template_copy, template_create, template_update
from tickets.choices import MessageKind
from tickets.services.messages import message_reply
from tickets.tests.factories import ReplyTemplateFactory, TemplateBodyFactory

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db


def test_an_edit_adds_a_version_and_keeps_the_old_one(agent):
    template = make_template(bodies={"en": "v1 [Order Number]", "fr": "v1 fr [Order Number]"}, actor=agent)

    added = template_update(template=template, actor=agent, bodies={"en": "v2 [Order Number]",
                                                                    "fr": "v1 fr [Order Number]"})

    assert [(b.language, b.version) for b in added] == [("en", 2)]
    versions = list(TemplateBody.objects.filter(template=template, language="en").order_by("version")
                    .values_list("version", "body", "is_current", "created_by"))
    assert versions == [(1, "v1 [Order Number]", False, agent.pk), (2, "v2 [Order Number]", True, agent.pk)]
    assert TemplateBody.objects.get(template=template, language="fr").version == 1


def test_an_unchanged_text_adds_nothing():
    template = make_template()
    assert template_update(template=template, actor=None, bodies={
        "en": "Your order [Order Number] is on its way with [Carrier]."}) == []
    assert template.bodies.count() == 1


def test_fields_change_without_a_version():
    template = make_template()
    template_update(template=template, actor=None, title="Late parcel", tags="shipping, delay",
                    marketplaces=["aliexpress"])
    template.refresh_from_db()
    assert (template.title, template.tags, template.marketplaces) == ("Late parcel", "shipping, delay",
                                                                      ["aliexpress"])
    assert template.bodies.count() == 1


def test_bad_fields_are_refused_by_name(store):
    make_template(store=store, code="dup")
    with pytest.raises(ValidationError) as info:
        make_template(store=store, code="dup", scenario="small_talk", marketplaces=["wish"])
    assert set(info.value.message_dict) == {"code", "scenario", "marketplaces"}
    with pytest.raises(ValidationError) as info:
        template_create(store=None, code="none", title="None", scenario="other", bodies={}, actor=None)
    assert list(info.value.message_dict) == ["bodies"]


def test_a_sent_reply_records_the_version_it_used(store, agent):
    ticket = ticket_with_order(store)
    template = make_template(bodies={"en": "Order [Order Number] ships today."})
    first = template.bodies.get()
    template_update(template=template, actor=agent, bodies={"en": "Order [Order Number] shipped today."})

    message = message_reply(ticket=ticket, author=agent, body="Order 8150000012345678 ships today.",
                            template_body=first)

    use = TemplateUse.objects.get(message=message)
    assert (use.template, use.body, use.body.version, use.language, use.agent, use.ticket, use.store) == (
        template, first, 1, "en", agent, ticket, store)
    assert use.sent_at == message.sent_at
    assert message.kind == MessageKind.AGENT_REPLY


def test_a_reply_cannot_record_another_stores_template(store, other_store, agent):
    ticket = ticket_with_order(store)
    foreign = TemplateBodyFactory(template=ReplyTemplateFactory(store=other_store), body="Hello.")
    with pytest.raises(ValidationError) as info:
        message_reply(ticket=ticket, author=agent, body="Hello.", template_body=foreign)
    assert list(info.value.message_dict) == ["template_body"]
    assert not ticket.messages.exists()


def test_a_store_copy_is_independent_of_the_library(store, agent):
    library = make_template(bodies={"en": "Library [Order Number]", "fr": "Bibliothèque [Order Number]"})
    copy = template_copy(template=library, store=store, actor=agent)
    template_update(template=copy, actor=agent, bodies={"en": "Ours [Order Number]"})
    assert library.bodies.get(language="en", is_current=True).body == "Library [Order Number]"
    assert copy.bodies.get(language="en", is_current=True).origin == BodyOrigin.EDIT
    assert copy.bodies.filter(is_current=True).count() == 2
