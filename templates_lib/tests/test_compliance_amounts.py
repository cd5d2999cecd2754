"""Money for a review written as an amount, bare links, and spaced spellings of
payment and messaging apps: through the check, a template save (API) and a reply."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from templates_lib.compliance import compliance_check
from templates_lib.io import LIBRARY_DIR
from templates_lib.models import ComplianceRule
from tickets.services.messages import message_reply

from .helpers import ticket_with_order

pytestmark = pytest.mark.django_db

migration = importlib.import_module("templates_lib.migrations.0005_review_reward_amounts")

REFUSED = [
    ("We give you 5 dollars for a 5-star review of [Order Number]", "review-reward-amounts"),
    ("$5 for a 5-star review", "review-reward-amounts"),
    ("5 USD for a positive review", "review-reward-amounts"),
    ("We will pay you for a good review", "review-reward-amounts"),
    ("Leave a 5-star review and get $5 back", "review-reward-amounts"),
    ("5 euros pour un avis 5 étoiles", "review-reward-amounts"),
    ("5 долларов за отзыв 5 звезд", "review-reward-amounts"),
    ("Le damos 5 dólares por una reseña de 5 estrellas", "review-reward-amounts"),
    ("Für eine 5-Sterne-Bewertung erhalten Sie 5 €", "review-reward-amounts"),
    ("Ganhe R$10 por uma avaliação de 5 estrelas", "review-reward-amounts"),
    ("五星好评送5元", "review-reward-amounts"),
    ("Pay here: bit.ly/pay123", "outside-links"),
    ("Message us at wa.me/123", "outside-links"),
    ("Our bot: t.me/sellerbot", "outside-links"),
    ("Checkout at shop-example.com/pay", "outside-links"),
    ("Cheaper at shop-example.com today", "outside-links"),
    ("You can pay by Pay Pal.", "outside-payment-methods"),
    ("Write to us on What's App.", "messaging-apps"),
    ("Write to us on What’s App.", "messaging-apps"),
    ("Write to us on Whats App.", "messaging-apps"),
]
ALLOWED = [
    "Your refund of US $12.50 has been processed.",
    "Thanks for your feedback, your refund of $5 was sent.",
    "The refund of $5 was sent. If you are happy, we would be grateful for a review.",
    "We will review your photos and refund $5 within 3 days.",
    "If you are happy with the earbuds, we would be grateful for your feedback.",
    "Please check the size chart first, e.g. the chest width; it is 3.5 cm wider.",
    "Tracking LP00123456789CN, order 8150000012345678.",
    "Track it on aliexpress.com/p/order or global.cainiao.com/detail?id=LP00123456789CN.",
]


def _texts(value):
    return value["body"] if isinstance(value, dict) else value


@pytest.mark.parametrize(("text", "rule"), REFUSED)
def test_the_check_finds_it(text, rule):
    assert rule in {v.code for v in compliance_check(text)}


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_texts_pass(text):
    assert compliance_check(text) == []


def test_the_domain_of_an_email_is_the_email_rule_only():
    assert [v.code for v in compliance_check("Write to help@shop.io or info.shop@mail.com")] == ["email-address"]


def test_every_shipped_library_text_passes():
    broken = []
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for language, value in data["bodies"].items():
            found = compliance_check(_texts(value))
            if found:
                broken.append((path.name, language, [str(v) for v in found]))
    assert broken == []


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.mark.parametrize(("text", "rule"), REFUSED)
def test_a_template_save_through_the_api_is_refused(api, store, text, rule):
    response = api.post(reverse("api-template-list"),
                        {"store": store.pk, "code": "bribe", "title": "Bribe", "scenario": "feedback_request",
                         "bodies": {"en": text}}, format="json")
    assert response.status_code == 400, response.json()
    name = ComplianceRule.objects.get(code=rule).name
    assert any(name in message for message in json.dumps(response.json(), ensure_ascii=False).split('"')), \
        response.json()


@pytest.mark.parametrize("text", ALLOWED)
def test_a_template_save_through_the_api_passes(api, store, text):
    response = api.post(reverse("api-template-list"),
                        {"store": store.pk, "code": "fine", "title": "Fine", "scenario": "feedback_request",
                         "bodies": {"en": text}}, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(("text", "rule"), REFUSED)
def test_a_reply_is_refused_and_nothing_is_written(store, agent, text, rule):
    ticket = ticket_with_order(store)
    text = text.replace("[Order Number]", "8150000012345678")
    with pytest.raises(ValidationError) as info:
        message_reply(ticket=ticket, author=agent, body=text)
    name = ComplianceRule.objects.get(code=rule).name
    assert any(message.startswith(f"“{name}” forbids: ") for message in info.value.message_dict["body"])
    assert not ticket.messages.exists()


@pytest.mark.parametrize("text", ALLOWED)
def test_an_ordinary_reply_is_sent(store, agent, text):
    ticket = ticket_with_order(store)
    message_reply(ticket=ticket, author=agent, body=text)
    assert ticket.messages.count() == 1


def test_the_migration_leaves_an_edited_rule_alone():
    rule = ComplianceRule.objects.get(code="messaging-apps")
    rule.pattern = "whatsapp\nsignal"
    rule.save()
    untouched = ComplianceRule.objects.get(code="outside-payment-methods")
    untouched.pattern = migration.ORIGINAL["outside-payment-methods"]
    untouched.save()
    migration.forwards(apps, None)
    assert ComplianceRule.objects.get(code="messaging-apps").pattern == "whatsapp\nsignal"
    assert ComplianceRule.objects.get(code="outside-payment-methods").pattern.endswith("\npay pal")


def test_the_migration_adds_to_untouched_rules_and_can_be_reversed():
    assert ComplianceRule.objects.get(code="messaging-apps").pattern.endswith("what’s app")
    migration.backwards(apps, None)
    assert ComplianceRule.objects.get(code="messaging-apps").pattern == migration.ORIGINAL["messaging-apps"]
    assert not ComplianceRule.objects.filter(code="review-reward-amounts").exists()
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    assert ComplianceRule.objects.filter(code="review-reward-amounts").count() == 1
    assert ComplianceRule.objects.get(code="messaging-apps").pattern.count("whats app") == 1
