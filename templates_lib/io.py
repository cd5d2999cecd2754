"""Import and export of templates, CSV and JSON, so stores can share a library.

Both formats become the same rows (one per template and language) before anything
is written: every row is validated first, errors are reported by row and column,
and only a clean file is applied, in one transaction, so nothing is half-imported.
The shipped library (``library/*.json``) is loaded through the same path.

CSV: a header row, then ``code,title,scenario,marketplaces,tags,is_active,language,body``
(marketplaces and tags comma-separated inside their cell). JSON: a list of
``{"code", "scenario", "marketplaces": [...], "tags": [...], "is_active",
"titles": {language: title}, "bodies": {language: text}}``.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.choices import Marketplace
from tickets.models.stores import language_validator

from .models import BodyOrigin, ReplyTemplate, Scenario, TemplateBody
from .services import template_create, template_update, text_errors

CSV_COLUMNS = ["code", "title", "scenario", "marketplaces", "tags", "is_active", "language", "body"]
TRUE, FALSE = {"1", "true", "yes", "y"}, {"0", "false", "no", "n", ""}
LIBRARY_DIR = Path(__file__).resolve().parent / "library"


@dataclass(frozen=True)
class RowError:
    row: int  # CSV: the line number (the header is 1); JSON: the template's position, from 1
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, %(column)s: %(message)s") % {"row": self.row, "column": self.column,
                                                              "message": self.message}


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # codes with a new version or changed fields
    unchanged: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)  # "code/language" left as a person edited them


# Export ------------------------------------------------------------------------------------
def _current_bodies(template) -> list[TemplateBody]:
    bodies = getattr(template, "current_bodies", None)
    if bodies is None:
        bodies = [b for b in template.bodies.all() if b.is_current]
    return sorted(bodies, key=lambda b: b.language)


def export_queryset(templates):
    """``templates`` with their current texts, in two queries."""
    from django.db.models import Prefetch

    return templates.order_by("code").prefetch_related(
        Prefetch("bodies", queryset=TemplateBody.objects.filter(is_current=True), to_attr="current_bodies"))


def export_json(templates) -> list[dict]:
    return [{
        "code": t.code, "scenario": t.scenario, "marketplaces": list(t.marketplaces),
        "tags": [x.strip() for x in t.tags.split(",") if x.strip()], "is_active": t.is_active,
        "titles": {b.language: b.title or t.title for b in _current_bodies(t)},
        "bodies": {b.language: b.body for b in _current_bodies(t)},
    } for t in templates]


def export_csv(templates) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for t in templates:
        for b in _current_bodies(t):
            writer.writerow([t.code, b.title or t.title, t.scenario, ",".join(t.marketplaces), t.tags,
                             "true" if t.is_active else "false", b.language, b.body])
    return out.getvalue()


# Parsing -----------------------------------------------------------------------------------
def parse_csv(text: str) -> tuple[list[dict], list[RowError]]:
    """Rows of a CSV file, each with its line number; a missing column is an error of row 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, c, _("This column is missing.")) for c in missing]
    rows = []
    for number, raw in enumerate(reader, start=2):
        rows.append({
            "row": number, "code": (raw["code"] or "").strip(), "title": (raw["title"] or "").strip(),
            "scenario": (raw["scenario"] or "").strip(),
            "marketplaces": [m.strip() for m in (raw["marketplaces"] or "").split(",") if m.strip()],
            "tags": (raw["tags"] or "").strip(), "is_active": (raw["is_active"] or "").strip().lower(),
            "language": (raw["language"] or "").strip().lower(), "body": raw["body"] or "",
            "columns": {name: name for name in CSV_COLUMNS},
        })
    return rows, []


def parse_json(data) -> tuple[list[dict], list[RowError]]:
    """Rows of the JSON format: one per template and language, numbered by template."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            return [], [RowError(1, "json", _("Not valid JSON: %(error)s") % {"error": exc})]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], [RowError(1, "json", _("Expected a list of templates."))]
    rows, errors = [], []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "json", _("Expected an object.")))
            continue
        bodies, titles = item.get("bodies"), item.get("titles") or {}
        if not isinstance(bodies, dict) or not bodies:
            errors.append(RowError(number, "bodies", _("Give the text in at least one language.")))
            continue
        if not isinstance(titles, dict):
            errors.append(RowError(number, "titles", _("Expected an object of titles by language.")))
            continue
        marketplaces = item.get("marketplaces") or []
        tags = item.get("tags") or []
        active = item.get("is_active", True)
        for language, body in bodies.items():
            rows.append({
                "row": number, "code": str(item.get("code") or "").strip(),
                "title": str(titles.get(language) or titles.get("en") or item.get("title") or "").strip()[:300],
                "scenario": str(item.get("scenario") or "").strip(),
                "marketplaces": marketplaces if isinstance(marketplaces, list) else [str(marketplaces)],
                "tags": ", ".join(str(t) for t in tags) if isinstance(tags, list) else None,
                "is_active": "true" if active is True else "false" if active is False else repr(active),
                "language": str(language).strip().lower(), "body": body if isinstance(body, str) else None,
                "columns": {"title": f"titles.{language}", "body": f"bodies.{language}",
                            "language": f"bodies.{language}"},
            })
    return rows, errors


# Validation and writing ----------------------------------------------------------------------
def _col(row: dict, name: str) -> str:
    return row["columns"].get(name, name)


def validate_rows(rows: list[dict]) -> list[RowError]:
    """Every problem of every row, without writing anything."""
    errors = []
    seen, template_fields = set(), {}
    for row in rows:
        def error(name, message, row=row):
            errors.append(RowError(row["row"], _col(row, name), str(message)))

        try:
            validate_slug(row["code"])
        except ValidationError:
            error("code", _("Enter a code of letters, digits, hyphens or underscores."))
        if not row["title"]:
            error("title", _("This field is required."))
        elif len(row["title"]) > 200:
            error("title", _("At most 200 characters."))
        if row["scenario"] not in Scenario.values:
            error("scenario", _("Unknown scenario: %(value)s.") % {"value": row["scenario"] or "—"})
        unknown = [str(m) for m in row["marketplaces"] if m not in Marketplace.values]
        if unknown:
            error("marketplaces", _("Unknown marketplace: %(names)s.") % {"names": ", ".join(unknown)})
        if row["tags"] is None:
            error("tags", _("Expected a list of tags."))
        elif len(row["tags"]) > 200:
            error("tags", _("At most 200 characters."))
        if row["is_active"] not in TRUE | FALSE:
            error("is_active", _("Write true or false."))
        try:
            language_validator(row["language"])
        except ValidationError as exc:
            error("language", exc.messages[0])
        if (row["code"], row["language"]) in seen:
            error("language", _("This template already has a text in this language above."))
        seen.add((row["code"], row["language"]))
        if row["body"] is None:
            error("body", _("Expected text."))
        elif not row["body"].strip():
            error("body", _("This field is required."))
        else:
            for message in text_errors(row["body"]):
                error("body", message)
        if "\x00" in row["title"]:
            error("title", _("Null characters are not allowed."))
        # A template's own fields must agree across its languages' rows.
        shared = (row["scenario"], tuple(row["marketplaces"]), row["tags"], row["is_active"])
        first = template_fields.setdefault(row["code"], shared)
        if first != shared:
            error("scenario", _("The rows of one template must agree on scenario, marketplaces, tags and "
                                "active flag."))
    return errors


def _group(rows: list[dict]) -> dict[str, dict]:
    templates = {}
    for row in rows:
        spec = templates.setdefault(row["code"], {
            "row": row["row"], "title": row["title"], "scenario": row["scenario"],
            "marketplaces": list(row["marketplaces"]), "tags": row["tags"],
            "is_active": row["is_active"] in TRUE, "bodies": {},
        })
        if row["language"] == "en":
            spec["title"] = row["title"]
        spec["bodies"][row["language"]] = {"title": row["title"], "body": row["body"]}
    return templates


def templates_import(*, rows: list[dict], store, actor, origin: str = BodyOrigin.IMPORT,
                     keep_edits: bool = False, set_active: bool = True) -> ImportReport:
    """Create or update the templates of ``rows`` in ``store`` (None: the shared library).

    All rows are validated before anything is written; any error raises ``ImportFailed``
    with all of them. With ``keep_edits`` (the shipped library), a language whose current
    text a person wrote is left alone. Raises ``ImportFailed`` if a write fails too, after
    rolling back everything.
    """
    errors = validate_rows(rows)
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    specs = _group(rows)
    existing = {t.code: t for t in ReplyTemplate.objects.filter(store=store, code__in=list(specs))
                .prefetch_related("bodies")}
    try:
        with transaction.atomic():
            for code, spec in specs.items():
                _apply(code, spec, existing.get(code), store=store, actor=actor, origin=origin,
                       keep_edits=keep_edits, set_active=set_active, report=report)
    except ValidationError as exc:
        spec = specs.get(getattr(exc, "code_of", ""), next(iter(specs.values())))
        raise ImportFailed([RowError(spec["row"], field_name, message)
                            for field_name, messages in exc.message_dict.items() for message in messages]) from exc
    return report


def _apply(code, spec, template, *, store, actor, origin, keep_edits, set_active, report) -> None:
    bodies = spec["bodies"]
    try:
        if template is None:
            template_create(store=store, code=code, title=spec["title"], scenario=spec["scenario"],
                            marketplaces=spec["marketplaces"], tags=spec["tags"], is_active=spec["is_active"],
                            bodies=bodies, actor=actor, origin=origin)
            report.created.append(code)
            return
        if keep_edits:
            current = {b.language: b for b in template.bodies.all() if b.is_current}
            for language in list(bodies):
                body = current.get(language)
                if body is not None and body.origin != BodyOrigin.LIBRARY and body.body != bodies[language]["body"]:
                    report.kept_edits.append(f"{code}/{language}")
                    del bodies[language]
        fields = {name: spec[name] for name in ("title", "scenario", "marketplaces", "tags")
                  if getattr(template, name) != spec[name]}
        if set_active and template.is_active != spec["is_active"]:
            fields["is_active"] = spec["is_active"]
        added = template_update(template=template, actor=actor, bodies=bodies, origin=origin, **fields)
    except ValidationError as exc:
        exc.code_of = code
        raise
    (report.updated if added or fields else report.unchanged).append(code)


def library_rows(directory: Path | str | None = None) -> tuple[list[dict], list[RowError]]:
    """The rows of every ``*.json`` file of the shipped library, each error naming its file."""
    directory = Path(directory) if directory else LIBRARY_DIR
    rows, errors = [], []
    for path in sorted(directory.glob("*.json")):
        file_rows, file_errors = parse_json(path.read_text(encoding="utf-8"))
        for row in file_rows:
            row["columns"] = {name: f"{path.name}:{column}" for name, column in row["columns"].items()}
            row["columns"].update({n: f"{path.name}:{n}" for n in CSV_COLUMNS if n not in row["columns"]})
        rows += file_rows
        errors += [RowError(e.row, f"{path.name}:{e.column}", e.message) for e in file_errors]
    return rows, errors


def library_load(directory: Path | str | None = None, *, actor=None) -> ImportReport:
    """Load the shipped library into the shared library, idempotently.

    A re-run changes nothing; a changed shipped text becomes a new version of the
    shared template, unless a person edited that language there (their text stays).
    Stores' own templates are never touched, nor is a template's active flag.
    """
    rows, errors = library_rows(directory)
    if errors:
        raise ImportFailed(errors)
    return templates_import(rows=rows, store=None, actor=actor, origin=BodyOrigin.LIBRARY, keep_edits=True,
                            set_active=False)
