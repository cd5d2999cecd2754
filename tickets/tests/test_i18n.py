"""The desk speaks English and Simplified Chinese; the language switch sticks."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PROJECT_CATALOG = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_languages_are_english_and_simplified_chinese():
    codes = [code for code, _ in settings.LANGUAGES]
    assert "en" in codes
    assert "zh-hans" in codes
    assert settings.USE_I18N is True
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_english_by_default(agent_client):
    response = agent_client.get(reverse("home"))
    assert response.headers["Content-Language"] == "en"
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert '<html lang="en">' in response.content.decode()


def test_language_switch_makes_the_next_page_chinese(agent_client):
    response = agent_client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert agent_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    response = agent_client.get(reverse("home"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_back_to_english(agent_client):
    agent_client.post(reverse("set_language"), {"language": "zh-hans"})
    agent_client.post(reverse("set_language"), {"language": "en"})
    assert agent_client.get(reverse("home")).headers["Content-Language"] == "en"


def test_unknown_language_is_ignored(agent_client):
    agent_client.post(reverse("set_language"), {"language": "xx"})
    assert agent_client.get(reverse("home")).headers["Content-Language"] == "en"


def test_browser_asking_for_chinese_gets_simplified_chinese(client):
    # A Chinese team's browsers send zh-CN; Django maps it to zh-hans.
    response = client.get(reverse("login"), headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert response.headers["Content-Language"] == "zh-hans"


def test_login_page_is_chinese_after_the_switch(client):
    # "Log in" is translated in the catalogs Django ships, even before the desk's own.
    client.post(reverse("set_language"), {"language": "zh-hans"})
    page = client.get(reverse("login")).content.decode()
    assert chinese("Log in") != "Log in"
    assert chinese("Log in") in page


@pytest.mark.skipif(not PROJECT_CATALOG.exists(), reason="run `make messages` to compile the desk's translations")
def test_desk_strings_render_in_chinese(agent_client):
    agent_client.post(reverse("set_language"), {"language": "zh-hans"})
    page = agent_client.get(reverse("home")).content.decode()
    for text in ("After-sales desk", "Tickets", "Your stores"):
        assert chinese(text) != text, f"{text!r} has no Chinese translation"
        assert chinese(text) in page
