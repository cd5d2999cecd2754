"""Import and export, CSV and JSON: a round trip, and errors by row and column with
nothing half-imported."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from templates_lib.io import (
    CSV_COLUMNS,
    ImportFailed,
    export_csv,
    export_json,
    export_queryset,
    parse_csv,
    parse_json,
    templates_import,
)
from templates_lib.models import BodyOrigin, ReplyTemplate, TemplateBody

from .helpers import make_template

pytestmark = pytest.mark.django_db


def csv_text(*rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


GOOD = ["late", "Parcel late", "logistics_delay", "aliexpress,ebay", "shipping, delay", "true", "en",
        "Order [Order Number] is late."]


def test_csv_round_trip(store):
    make_template(store=store, code="late", title="Parcel late", marketplaces=["aliexpress"], tags="shipping",
                  bodies={"en": {"title": "Parcel late", "body": "Order [Order Number] is late."},
                          "fr": {"title": "Colis en retard", "body": "Commande [Order Number] en retard."}})
    text = export_csv(export_queryset(ReplyTemplate.objects.filter(store=store)))
    ReplyTemplate.objects.all().delete()

    rows, errors = parse_csv(text)
    report = templates_import(rows=rows, store=store, actor=None)

    assert (errors, report.created) == ([], ["late"])
    template = ReplyTemplate.objects.get(store=store, code="late")
    assert (template.title, template.marketplaces, template.tags) == ("Parcel late", ["aliexpress"], "shipping")
    fr = template.bodies.get(language="fr")
    assert (fr.title, fr.body, fr.origin) == ("Colis en retard", "Commande [Order Number] en retard.",
                                              BodyOrigin.IMPORT)


def test_json_round_trip_and_reimport_changes_nothing(store):
    make_template(store=store, code="late", bodies={"en": "Late [Order Number]", "ru": "Задержка [Order Number]"})
    data = export_json(export_queryset(ReplyTemplate.objects.filter(store=store)))
    assert data[0]["bodies"] == {"en": "Late [Order Number]", "ru": "Задержка [Order Number]"}

    rows, _ = parse_json(json.dumps(data))
    report = templates_import(rows=rows, store=store, actor=None)

    assert (report.created, report.updated, report.unchanged) == ([], [], ["late"])
    assert TemplateBody.objects.count() == 2


def test_an_import_updating_a_text_adds_a_version(store):
    make_template(store=store, code="late", title="Parcel late", bodies={"en": "Old [Order Number]"},
                  marketplaces=["aliexpress", "ebay"], tags="shipping, delay")
    rows, _ = parse_csv(csv_text(GOOD))
    report = templates_import(rows=rows, store=store, actor=None)
    assert report.updated == ["late"]
    assert list(TemplateBody.objects.order_by("version").values_list("version", "is_current")) == [
        (1, False), (2, True)]


def test_errors_are_reported_by_row_and_column_and_nothing_is_imported(store):
    rows, errors = parse_csv(csv_text(
        GOOD,
        ["ok-too", "Fine", "exchange", "", "", "yes", "fr", "Échange [Order Number]."],
        ["bad code!", "", "small_talk", "wish", "", "maybe", "english", "Pay by PayPal [Coupon]"],
        ["late", "Parcel late", "logistics_delay", "aliexpress,ebay", "shipping, delay", "true", "en", "Again"],
    ))
    assert errors == []

    with pytest.raises(ImportFailed) as info:
        templates_import(rows=rows, store=store, actor=None)

    found = {(e.row, e.column) for e in info.value.errors}
    assert {(4, "code"), (4, "title"), (4, "scenario"), (4, "marketplaces"), (4, "is_active"), (4, "language"),
            (4, "body"), (5, "language")} <= found
    assert not any(row in (2, 3) for row, _ in found)
    body_errors = [e.message for e in info.value.errors if (e.row, e.column) == (4, "body")]
    assert any("[Coupon]" in m for m in body_errors)
    assert any("paypal" in m for m in body_errors)
    assert not ReplyTemplate.objects.exists()  # the good rows were not imported either


def test_a_missing_column_is_an_error_of_the_header():
    rows, errors = parse_csv("code,title\nx,y\n")
    assert rows == []
    assert {(e.row, e.column) for e in errors} == {(1, c) for c in CSV_COLUMNS[2:]}


def test_json_errors_name_the_template_and_language():
    rows, errors = parse_json([{"code": "a", "scenario": "exchange", "titles": {"en": "A"},
                                "bodies": {"en": "ok [Order Number]", "de": "[Bestellnummer]"}},
                               {"code": "b", "bodies": {}}, "nonsense"])
    assert [(e.row, e.column) for e in errors] == [(2, "bodies"), (3, "json")]
    with pytest.raises(ImportFailed) as info:
        templates_import(rows=rows, store=None, actor=None)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "bodies.de")]
    assert parse_json("{not json")[1][0].column == "json"


def test_the_commands(tmp_path, store):
    path = tmp_path / "in.csv"
    path.write_text(csv_text(GOOD), encoding="utf-8")
    call_command("import_templates", str(path), "--store", store.code, stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_templates", "--store", store.code, "--format", "csv", stdout=out)
    assert "Order [Order Number] is late." in out.getvalue()

    path.write_text(csv_text(["x y", "T", "exchange", "", "", "true", "en", "Hi"]), encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, code"):
        call_command("import_templates", str(path), stdout=io.StringIO())
