"""Rendering in the buyer's language, with the English fallback said out loud."""

import pytest
from django.core.exceptions import ValidationError

from templates_lib.rendering import language_candidates, template_render
from tickets.tests.factories import BuyerFactory

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db

BODIES = {"en": "Order [Order Number] is late.", "fr": "La commande [Order Number] est en retard.",
          "pt": "O pedido [Order Number] está atrasado.", "zh-hans": "订单 [Order Number] 延误了。"}


def test_it_renders_in_the_tickets_language(store):
    ticket = ticket_with_order(store, language="fr")
    result = template_render(template=make_template(bodies=BODIES), ticket=ticket)
    assert (result.text, result.language, result.fell_back) == (
        "La commande 8150000012345678 est en retard.", "fr", False)


def test_it_falls_back_to_english_and_says_so(store):
    ticket = ticket_with_order(store, language="ru")
    result = template_render(template=make_template(bodies=BODIES), ticket=ticket)
    assert (result.language, result.fell_back, result.wanted_language) == ("en", True, "ru")
    assert result.text == "Order 8150000012345678 is late."


@pytest.mark.parametrize(("language", "found"), [("pt-BR", "pt"), ("zh-CN", "zh-hans"), ("zh", "zh-hans"),
                                                  ("zh-Hans", "zh-hans"), ("en-GB", "en")])
def test_regional_tags_use_their_base_language(store, language, found):
    ticket = ticket_with_order(store, language=language)
    result = template_render(template=make_template(bodies=BODIES), ticket=ticket)
    assert (result.language, result.fell_back) == (found, False)


def test_without_a_ticket_language_the_buyers_then_the_stores(store):
    ticket = ticket_with_order(store, language="")
    ticket.buyer = BuyerFactory(store=store, language="pt")
    assert template_render(template=make_template(bodies=BODIES), ticket=ticket).language == "pt"
    ticket.buyer = None
    store.default_language = "zh-Hans"
    assert template_render(template=make_template(code="b", bodies=BODIES), ticket=ticket).language == "zh-hans"


def test_an_explicit_language_wins(store):
    ticket = ticket_with_order(store, language="fr")
    result = template_render(template=make_template(bodies=BODIES), ticket=ticket, language="pt")
    assert result.language == "pt"


def test_no_text_in_the_language_nor_english_is_an_error_on_language(store):
    ticket = ticket_with_order(store, language="ru")
    template = make_template(bodies={"fr": "Commande [Order Number]."})
    with pytest.raises(ValidationError) as info:
        template_render(template=template, ticket=ticket)
    assert list(info.value.message_dict) == ["language"]


def test_language_candidates():
    assert language_candidates("pt-BR") == ["pt-br", "pt"]
    assert language_candidates("zh-TW") == ["zh-hant", "zh"]
    assert language_candidates("") == []
