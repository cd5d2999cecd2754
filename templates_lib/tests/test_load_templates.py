"""``load_templates``: the shipped library, loaded idempotently, never over people's edits."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from templates_lib.io import LIBRARY_DIR, library_load, library_rows
from templates_lib.models import BodyOrigin, ReplyTemplate, TemplateBody
from templates_lib.services import template_copy, template_update

pytestmark = pytest.mark.django_db

LANGUAGES = {"en", "zh-hans", "ru", "es", "fr", "pt", "de"}


@pytest.fixture
def library(tmp_path, library_dir):
    target = tmp_path / "library"
    shutil.copytree(library_dir, target)
    return target


def load(directory):
    out = io.StringIO()
    call_command("load_templates", str(directory), stdout=out)
    return out.getvalue()


def test_it_loads_every_file_into_the_shared_library(library):
    assert load(library).startswith("templates: 2 created, 0 updated, 0 unchanged")
    template = ReplyTemplate.objects.get(code="partial-refund-offer")
    assert (template.store, template.title, template.scenario, template.marketplaces, template.tags) == (
        None, "Partial refund offer", "partial_refund_offer", ["aliexpress"], "refund, quality")
    de = template.bodies.get(language="de")
    assert (de.title, de.version, de.origin, de.created_by) == ("Angebot einer Teilerstattung", 1,
                                                                BodyOrigin.LIBRARY, None)


def test_a_second_run_changes_nothing(library):
    load(library)
    before = list(TemplateBody.objects.values_list("pk", "version", "is_current"))
    assert load(library).startswith("templates: 0 created, 0 updated, 2 unchanged")
    assert list(TemplateBody.objects.values_list("pk", "version", "is_current")) == before


def test_a_changed_shipped_text_is_a_new_version_of_the_library_only(library, store, agent):
    load(library)
    shared = ReplyTemplate.objects.get(code="logistics-delay")
    ours = template_copy(template=shared, store=store, actor=agent)
    template_update(template=ours, actor=agent, bodies={"en": "Our own words [Order Number]."})
    path = library / "logistics-delay.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["bodies"]["fr"] = "Bonjour, votre commande [Order Number] est retardée. [Solution]"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    assert load(library).startswith("templates: 0 created, 1 updated, 1 unchanged")

    fr = shared.bodies.filter(language="fr").order_by("version")
    assert [(b.version, b.is_current) for b in fr] == [(1, False), (2, True)]
    assert ours.bodies.get(language="en", is_current=True).body == "Our own words [Order Number]."
    assert ours.bodies.get(language="fr", is_current=True).version == 1


def test_a_persons_edit_of_a_library_text_is_kept(library, admin_user):
    load(library)
    shared = ReplyTemplate.objects.get(code="logistics-delay")
    template_update(template=shared, actor=admin_user, bodies={"en": "Edited by us [Order Number]."})
    data = json.loads((library / "logistics-delay.json").read_text(encoding="utf-8"))
    data["bodies"]["en"] = "A new shipped text [Order Number]."
    (library / "logistics-delay.json").write_text(json.dumps(data), encoding="utf-8")

    out = load(library)

    assert "kept a person's edit of logistics-delay/en" in out
    assert shared.bodies.get(language="en", is_current=True).body == "Edited by us [Order Number]."


def test_a_deactivated_library_template_stays_deactivated(library):
    load(library)
    ReplyTemplate.objects.filter(code="logistics-delay").update(is_active=False)
    load(library)
    assert not ReplyTemplate.objects.get(code="logistics-delay").is_active


def test_a_bad_file_loads_nothing_and_names_file_and_field(library):
    (library / "zz-bad.json").write_text(json.dumps({
        "code": "zz-bad", "scenario": "exchange", "titles": {"en": "Bad"},
        "bodies": {"en": "Add me on WhatsApp [Order Number]", "fr": "Commande [Numéro]"}}), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        load(library)
    assert "zz-bad.json:bodies.en" in str(info.value)
    assert "WhatsApp".lower() in str(info.value).lower()
    assert not ReplyTemplate.objects.exists()


def test_the_shipped_library_is_complete_and_valid():
    """The library we ship: at least 24 templates, each in the seven languages, each
    text valid (placeholders known, compliance rules passed)."""
    rows, errors = library_rows(LIBRARY_DIR)
    if not rows and not errors:
        pytest.skip("the shipped texts are not in templates_lib/library yet")
    assert errors == []
    by_code = {}
    for row in rows:
        by_code.setdefault(row["code"], set()).add(row["language"])
    assert len(by_code) >= 24
    assert {code: langs for code, langs in by_code.items() if langs != LANGUAGES} == {}
    report = library_load()
    assert len(report.created) == len(by_code)
    again = library_load()
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], len(by_code))
