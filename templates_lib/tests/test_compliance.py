"""Compliance rules: each default rule, on template save and on every outgoing reply."""

import pytest
from django.core.exceptions import ValidationError

from templates_lib.compliance import compliance_check
from templates_lib.models import ComplianceRule
from templates_lib.services import template_update
from tickets.services.messages import message_reply

from .helpers import make_template, ticket_with_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "rule", "words"), [
    ("Please pay by PayPal to save fees.", "outside-payment-methods", ("paypal",)),
    ("You can send a Western Union transfer.", "outside-payment-methods", ("western union",)),
    ("请通过银行转账付款。", "outside-payment-methods", ("银行转账",)),
    ("Bitte per Banküberweisung zahlen.", "outside-payment-methods", ("bankuberweisung",)),
    ("Pay at https://pay.example.com/x now", "outside-links", ("https://pay.example.com/x",)),
    ("See www.cheap-deals.net.", "outside-links", ("www.cheap-deals.net",)),
    ("Write to seller.help@gmail.com please", "email-address", ("seller.help@gmail.com",)),
    ("Call us on +86 138 1234 5678 today", "phone-number", ("+86 138 1234 5678",)),
    ("Add me on WhatsApp for faster help", "messaging-apps", ("whatsapp",)),
    ("加我微信聊", "messaging-apps", ("微信", "加我")),
    ("We can refund you directly if you close it", "outside-refund", ("refund you directly",)),
    ("我们可以私下退款给您", "outside-refund", ("私下退款",)),
    ("We send a $5 gift card for a 5-star review!", "review-reward-phrases", None),
    ("Leave a positive feedback and get a coupon", "review-reward-phrases", None),
    ("好评返现5美元", "review-reward-words", ("好评返现", "返现")),
    ("Подарок за отзыв в 5 звезд", "review-reward-words", ("подарок за отзыв",)),
])
def test_each_default_rule_finds_its_words(text, rule, words):
    found = {v.code: v.words for v in compliance_check(text)}
    assert rule in found, found
    if words is not None:
        assert found[rule] == words


@pytest.mark.parametrize("text", [
    "Your order 8150000012345678 ships with tracking LP00123456789CN.",
    "Track it on https://global.cainiao.com/detail?id=LP00123456789CN or www.aliexpress.com/p/order.",
    "We have issued the refund through AliExpress. Thank you for your feedback!",
    "If you are happy with the earbuds, we would be grateful for your feedback.",
    "The refund of €12.50 will reach you in 3-5 days.",
    "Our telephone hours are 9-18.",
])
def test_ordinary_replies_pass(text):
    assert compliance_check(text) == []


def test_a_template_text_breaking_a_rule_is_refused_naming_rule_and_words():
    with pytest.raises(ValidationError) as info:
        make_template(bodies={"en": "Refund via PayPal: write to help@shop.io"})
    messages = info.value.message_dict["bodies"]
    assert "en: “Email address” forbids: help@shop.io" in messages
    assert "en: “Payment outside the platform” forbids: paypal" in messages


def test_an_edit_breaking_a_rule_is_refused():
    template = make_template()
    with pytest.raises(ValidationError):
        template_update(template=template, actor=None, bodies={"en": "Add me on Telegram [Order Number]"})
    assert template.bodies.count() == 1


def test_a_reply_breaking_a_rule_is_refused_and_nothing_is_written(store, agent):
    ticket = ticket_with_order(store)
    with pytest.raises(ValidationError) as info:
        message_reply(ticket=ticket, author=agent, body="Pay by PayPal and get it faster.")
    assert info.value.message_dict == {"body": ["“Payment outside the platform” forbids: paypal"]}
    assert not ticket.messages.exists()


def test_an_automatic_reply_is_checked_too(store, agent):
    ticket = ticket_with_order(store)
    with pytest.raises(ValidationError):
        message_reply(ticket=ticket, author=agent, body="Auto: contact us on WhatsApp", is_automatic=True)


def test_a_reply_with_a_placeholder_left_is_refused(store, agent):
    ticket = ticket_with_order(store)
    with pytest.raises(ValidationError) as info:
        message_reply(ticket=ticket, author=agent, body="Order 815: [Solution] by [Date].")
    assert info.value.message_dict == {"body": ["Fill in [Solution], [Date] before sending."]}
    message_reply(ticket=ticket, author=agent, body="Order 815: we reship today [ref 2].")


def test_rules_are_editable_data(store, agent):
    ComplianceRule.objects.filter(code="messaging-apps").update(is_active=False)
    assert compliance_check("Add me on WhatsApp") == []
    ComplianceRule.objects.create(code="no-competitor", name="Competitor", category="outside_link",
                                  kind="keywords", pattern="temu\nshein")
    assert [v.code for v in compliance_check("Cheaper on Temu")] == ["no-competitor"]


def test_an_invalid_regex_is_refused_on_pattern():
    rule = ComplianceRule(code="x", name="X", category="contact_details", kind="regex", pattern="([a-")
    with pytest.raises(ValidationError) as info:
        rule.full_clean()
    assert list(info.value.message_dict) == ["pattern"]


def test_an_overlong_reply_is_refused_by_length_before_any_rule_runs(store, agent):
    ticket = ticket_with_order(store)
    with pytest.raises(ValidationError) as info:
        message_reply(ticket=ticket, author=agent, body="x" * 200_000)
    assert info.value.message_dict == {"body": ["Keep it to 5000 characters; this text has 200000."]}
    assert not ticket.messages.exists()


def test_the_email_rule_is_linear_on_a_long_word():
    # A run of word characters with no "@" used to be tried from every position.
    word = "x" * 4900
    assert compliance_check(word) == []
    assert [v.code for v in compliance_check(word + " write to me@example.com")] == ["email-address"]
