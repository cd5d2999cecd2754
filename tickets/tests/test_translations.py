"""The Simplified Chinese catalogue is complete, well-formed and actually served.

The .po file is checked directly (no database, no compiled catalogue needed): every
entry translated, nothing fuzzy, every placeholder kept. The page test needs the
compiled .mo, which `make messages` (run by `make test` and CI) produces; it is
skipped only where the .mo has not been compiled.
"""

import re
from collections import Counter

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOG_DIR = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"
needs_mo = pytest.mark.skipif(not MO_FILE.exists(), reason="run `make messages` to compile locale/zh_Hans")

# printf-style conversions as Python's % operator reads them: %(name)s, %s, %d, %.2f, %%...
PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)
# str.format fields: {name}, {0}, {name!r:>10}; "{{" and "}}" are literal braces.
BRACE_FORMAT = re.compile(r"(?<!\{)\{(?P<field>[^{}]*)\}(?!\})")


def load_catalog():
    with PO_FILE.open("rb") as fh:
        return read_po(fh)


def entries():
    return [message for message in load_catalog() if message.id]


def label(message) -> str:
    return message.id[0] if message.pluralizable else message.id


def translations(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def python_placeholders(text: str) -> Counter:
    return Counter(m.group(0) for m in PYTHON_FORMAT.finditer(text) if m.group("type") != "%")


def brace_placeholders(text: str) -> Counter:
    return Counter(m.group("field") for m in BRACE_FORMAT.finditer(text))


def as_key(value):
    """Plural ids and strings come as lists from read_mo and tuples from read_po."""
    return tuple(value) if isinstance(value, list | tuple) else value


def context_of(message) -> str | None:
    """read_mo gives the msgctxt as bytes, read_po as text."""
    context = message.context
    return context.decode() if isinstance(context, bytes) else context


def test_catalog_header_is_simplified_chinese_with_one_plural_form():
    catalog = load_catalog()
    assert not catalog.fuzzy, "the header is still marked fuzzy"
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == "zh_Hans"
    assert "charset=utf-8" in headers["Content-Type"].lower()
    assert headers["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_catalog_is_not_empty():
    # A sanity floor: makemessages found the desk's strings.
    assert len(entries()) > 300


def test_every_entry_is_translated():
    untranslated = [label(m) for m in entries() if not all(s.strip() for s in translations(m))]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"


def test_no_entry_is_fuzzy():
    fuzzy = [label(m) for m in entries() if m.fuzzy]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_plural_entries_have_exactly_one_chinese_form():
    wrong = [label(m) for m in entries() if m.pluralizable and len(m.string) != 1]
    assert not wrong, f"Chinese has one plural form; these have another count: {wrong}"


def test_python_format_placeholders_are_kept():
    problems = []
    for message in entries():
        ids = list(message.id) if message.pluralizable else [message.id]
        if "python-format" not in message.flags and not any(python_placeholders(i) for i in ids):
            continue
        # Every form of the translation must carry what the source carries. With one
        # Chinese form standing for singular and plural, the plural msgid is the reference.
        expected = python_placeholders(ids[-1])
        for text in translations(message):
            found = python_placeholders(text)
            if found != expected:
                problems.append((label(message), dict(expected), dict(found)))
    assert not problems, "placeholders differ (msgid, expected, found): " + repr(problems)


def test_brace_placeholders_are_kept():
    problems = []
    for message in entries():
        ids = list(message.id) if message.pluralizable else [message.id]
        if "python-brace-format" not in message.flags:
            continue
        expected = brace_placeholders(ids[-1])
        for text in translations(message):
            if brace_placeholders(text) != expected:
                problems.append(label(message))
    assert not problems, f"brace placeholders differ: {problems}"


def test_named_placeholders_appear_in_every_translation():
    # Independent of flags: a %(name)s in the source that the translation drops is a
    # KeyError-free but silently wrong message, or a KeyError if it adds one.
    named = re.compile(r"%\((\w+)\)")
    problems = []
    for message in entries():
        source = message.id[-1] if message.pluralizable else message.id
        expected = set(named.findall(source))
        for text in translations(message):
            if set(named.findall(text)) != expected:
                problems.append(label(message))
    assert not problems, f"named placeholders differ: {problems}"


@needs_mo
def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as fh:
        # Keyed by context too: "Admin" the nav link and "Admin" the role are two entries.
        compiled = {(context_of(m), as_key(m.id)): as_key(m.string) for m in read_mo(fh) if m.id}
    stale = [label(m) for m in entries() if compiled.get((context_of(m), as_key(m.id))) != as_key(m.string)]
    assert not stale, f"django.mo is older than django.po; run `make messages`. Differs on: {stale[:10]}"


@needs_mo
@pytest.mark.django_db
def test_login_page_is_chinese_after_switching_language(client):
    with translation.override("zh-hans"):
        log_in = translation.gettext("Log in")
        desk = translation.gettext("After-sales desk")
    assert log_in == "登录"
    assert desk == "售后工作台"  # from the desk's own catalogue, not Django's

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert f"<h1>{log_in}</h1>" in page
    assert f"<title>{log_in}</title>" in page
    assert desk in page
    for english in ("Log in", "Username", "Password"):
        assert f">{english}<" not in page
    assert reverse("login") == "/accounts/login/"
