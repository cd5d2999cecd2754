"""``import_templates``: read templates from CSV or JSON, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from templates_lib.io import ImportFailed, parse_csv, parse_json, templates_import, validate_rows
from tickets.models import Store


class Command(BaseCommand):
    help = ("Import reply templates from a CSV or JSON file into a store (--store) or the shared library. "
            "Every row is checked first; on any error nothing is imported and the errors are listed by row "
            "and column.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--store", help="store code (default: the shared library)")
        parser.add_argument("--format", choices=["csv", "json"], help="default: from the file's extension")

    def handle(self, *args, path, store=None, format=None, verbosity=1, **options):
        store_obj = None
        if store:
            store_obj = Store.objects.filter(code=store).first()
            if store_obj is None:
                raise CommandError(f"No store {store!r}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path!r}.")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
        format = format or ("csv" if file.suffix.lower() == ".csv" else "json")
        rows, errors = parse_csv(text) if format == "csv" else parse_json(text)
        try:
            if errors:  # with the other rows' problems too: one answer lists them all
                raise ImportFailed(sorted(errors + validate_rows(rows), key=lambda e: e.row))
            report = templates_import(rows=rows, store=store_obj, actor=None)
        except ImportFailed as exc:
            raise CommandError("Nothing imported:\n" + "\n".join(str(e) for e in exc.errors)) from exc
        if verbosity > 0:
            self.stdout.write(f"templates: {len(report.created)} created, {len(report.updated)} updated, "
                              f"{len(report.unchanged)} unchanged")
