"""``export_templates``: write templates (every language) as CSV or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from templates_lib.io import export_csv, export_json, export_queryset
from templates_lib.models import ReplyTemplate
from tickets.models import Store


class Command(BaseCommand):
    help = "Export reply templates as CSV or JSON: the shared library, or a store's own with --store."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        parser.add_argument("--store", help="store code (default: the shared library)")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, format, store=None, output=None, **options):
        store_obj = None
        if store:
            store_obj = Store.objects.filter(code=store).first()
            if store_obj is None:
                raise CommandError(f"No store {store!r}.")
        templates = export_queryset(ReplyTemplate.objects.filter(store=store_obj))
        if format == "csv":
            text = export_csv(templates)
        else:
            text = json.dumps(export_json(templates), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
