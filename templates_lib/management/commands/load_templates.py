"""``load_templates``: load the shipped reply-template library (``templates_lib/library``).

Safe to run again: unchanged texts change nothing, a changed shipped text becomes a
new version, and texts a person edited (and stores' own templates) are left alone.
"""

from django.core.management.base import BaseCommand, CommandError

from templates_lib.io import ImportFailed, library_load


class Command(BaseCommand):
    help = "Load the shipped reply templates into the shared library (idempotent; keeps people's edits)."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="a directory of <code>.json files (default: the shipped one)")

    def handle(self, *args, directory=None, verbosity=1, **options):
        try:
            report = library_load(directory)
        except ImportFailed as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from exc
        if verbosity > 0:
            self.stdout.write(f"templates: {len(report.created)} created, {len(report.updated)} updated, "
                              f"{len(report.unchanged)} unchanged")
            for kept in report.kept_edits:
                self.stdout.write(f"kept a person's edit of {kept}")
