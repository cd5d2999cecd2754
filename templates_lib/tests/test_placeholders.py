"""Placeholders: the registry, unknown names refused at save, unfilled ones listed,
amounts and dates written the buyer's way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from templates_lib.placeholders import REGISTRY, babel_locale, fill, placeholders_validate, ticket_context
from templates_lib.rendering import template_render
from templates_lib.services import template_update

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db

SHIPPED = ["Order Number", "Order Date", "Item Name", "Product Name", "Amount", "X days", "Solution",
           "Tracking Number", "Carrier", "Buyer Name", "Store Name", "Agent Name"]


def test_the_registry_knows_every_placeholder_of_the_shipped_library():
    assert set(SHIPPED) <= set(REGISTRY)
    assert REGISTRY["Solution"].fill is None  # always the agent's to write


def test_an_unknown_placeholder_is_refused_naming_it():
    with pytest.raises(ValidationError) as info:
        placeholders_validate("Order [Order Number]: [Coupon Code] and [Solution].")
    assert "[Coupon Code]" in info.value.message_dict["body"][0]
    assert "[Order Number]" not in info.value.message_dict["body"][0].split(".")[0]


def test_saving_a_template_with_an_unknown_placeholder_fails_on_its_language():
    with pytest.raises(ValidationError) as info:
        make_template(bodies={"en": "Fine [Order Number].", "fr": "Votre [Numero Commande] arrive."})
    assert info.value.message_dict["bodies"] == ["fr: Unknown placeholder: [Numero Commande]."]


def test_an_edit_with_an_unknown_placeholder_adds_no_version():
    template = make_template()
    with pytest.raises(ValidationError):
        template_update(template=template, actor=None, bodies={"en": "Hi [Nickname]"})
    assert template.bodies.count() == 1


def test_text_in_brackets_that_is_no_placeholder_is_left_alone():
    placeholders_validate("Size [1] fits [sic] well.")  # no error


def test_what_the_ticket_cannot_fill_is_listed_as_unfilled(store):
    ticket = ticket_with_order(store)
    template = make_template(bodies={"en": "Order [Order Number]: [Solution] Track [Tracking Number] by [Date]."})

    result = template_render(template=template, ticket=ticket)

    assert result.text == "Order 8150000012345678: [Solution] Track LP00123456789CN by [Date]."
    assert result.unfilled == ["Solution", "Date"]


def test_values_fill_the_rest_and_win_over_the_ticket(store):
    ticket = ticket_with_order(store)
    template = make_template(bodies={"en": "[Solution] for [Order Number] via [Carrier]."})

    result = template_render(template=template, ticket=ticket,
                             values={"Solution": "We reship today.", "[Carrier]": "DHL"})

    assert result.text == "We reship today. for 8150000012345678 via DHL."
    assert result.unfilled == []


def test_a_ticket_without_an_order_leaves_order_placeholders_unfilled(store):
    ticket = ticket_with_order(store)
    ticket.order = None
    text, unfilled = fill("[Order Number] [Store Name]", ticket_context(ticket, language="en"))
    assert text == f"[Order Number] {store.name}"
    assert unfilled == ["Order Number"]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "€1,234.50"),
    ("de", "1.234,50\xa0€"),
    ("fr", "1\u202f234,50\xa0€"),
    ("zh-hans", "€1,234.50"),
])
def test_the_amount_is_in_the_orders_currency_and_the_buyers_locale(store, language, expected):
    ticket = ticket_with_order(store, language=language)
    text, _ = fill("[Amount]", ticket_context(ticket, language=language))
    assert text == expected


def test_usd_amounts_of_aliexpress_in_russian(store):
    ticket = ticket_with_order(store, language="ru", total=Decimal("19.90"), currency="USD")
    text, _ = fill("[Amount]", ticket_context(ticket, language="ru"))
    assert text == "19,90\xa0$"


def test_order_date_in_the_buyers_language_and_the_stores_day(store):
    ticket = ticket_with_order(store, language="de")
    # 20:00 UTC on 4 March is already 5 March in Shanghai (the store's zone).
    ticket.order.placed_at = dt.datetime(2025, 3, 4, 20, 0, tzinfo=dt.UTC)
    text, _ = fill("[Order Date]", ticket_context(ticket, language="de"))
    assert text == "5. März 2025"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "10 days"), ("de", "10 Tage"), ("ru", "10 дней"), ("zh-hans", "10天"), ("pt", "10 dias"),
])
def test_x_days_in_a_return_template_is_the_marketplaces_return_window_with_its_unit(store, language, expected):
    ticket = ticket_with_order(store)
    text, unfilled = fill("[X days]", ticket_context(ticket, language=language, scenario="return_policy"))
    assert (text, unfilled) == (expected, [])  # AliExpress: 10 days to ship a return


def test_x_days_elsewhere_is_left_to_the_agent(store):
    # A delivery estimate or a restock date is not the return window.
    ticket = ticket_with_order(store)
    assert fill("[X days]", ticket_context(ticket, language="en", scenario="logistics_delay")) == (
        "[X days]", ["X days"])


def test_amount_in_a_partial_refund_offer_is_the_offer_written_by_the_agent(store):
    ticket = ticket_with_order(store)
    assert fill("[Amount]", ticket_context(ticket, language="en", scenario="partial_refund_offer")) == (
        "[Amount]", ["Amount"])
    assert fill("[Amount]", ticket_context(ticket, language="en", scenario="refund_processing"))[1] == []


def test_item_product_buyer_store_and_agent_names(store, agent):
    ticket = ticket_with_order(store)
    agent.first_name, agent.last_name = "Li", "Wei"
    text, unfilled = fill("[Item Name]|[Product Name]|[Buyer Name]|[Store Name]|[Agent Name]",
                          ticket_context(ticket, language="en", agent=agent))
    assert text == f"Bluetooth earbuds|Bluetooth earbuds|Camille Martin|{store.name}|Li Wei"
    assert unfilled == []


def test_unknown_locales_fall_back_to_english():
    assert str(babel_locale("xx")) == "en"
    assert str(babel_locale("pt-br")) == "pt_BR"
    assert str(babel_locale("zh-hans")) == "zh_Hans"
