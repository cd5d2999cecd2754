"""``GET /api/v1/templates/{id}/versions/``: every version of the texts, scoped like the rest."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from templates_lib.services import template_update

from .helpers import make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def versions(pk):
    return reverse("api-template-versions", args=[pk])


def test_every_version_by_language_newest_first(api, store, agent):
    template = make_template(store=store, bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"})
    template_update(template=template, actor=agent,
                    bodies={"en": {"title": "Delay", "body": "Late again [Order Number]"}})

    response = api.get(versions(template.pk))

    assert response.status_code == 200
    rows = [(r["language"], r["version"], r["body"], r["is_current"]) for r in response.json()]
    assert rows == [("en", 2, "Late again [Order Number]", True), ("en", 1, "Late [Order Number]", False),
                    ("fr", 1, "Retard [Order Number]", True)]
    first = response.json()[0]
    assert set(first) >= {"id", "language", "version", "title", "body", "origin", "created_at", "is_current"}
    assert first["title"] == "Delay"
    assert first["origin"] == "edit"


def test_one_language(api, store, agent):
    template = make_template(store=store, bodies={"en": "Late [Order Number]", "fr": "Retard [Order Number]"})
    template_update(template=template, actor=agent, bodies={"fr": "En retard [Order Number]"})

    response = api.get(versions(template.pk), {"language": "FR"})

    assert [(r["language"], r["version"]) for r in response.json()] == [("fr", 2), ("fr", 1)]


def test_the_shared_library_is_readable(api):
    template = make_template()
    assert [r["version"] for r in api.get(versions(template.pk)).json()] == [1]


def test_another_stores_template_is_a_404(api, other_store):
    template = make_template(store=other_store)
    assert api.get(versions(template.pk)).status_code == 404


def test_anonymous_is_refused():
    template = make_template()
    assert APIClient().get(versions(template.pk)).status_code in (401, 403)
