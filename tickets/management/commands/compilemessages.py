"""``compilemessages`` that also works where GNU gettext is not installed.

Django's command needs the ``msgfmt`` program. A laptop with only Python may not
have it, so without ``msgfmt`` the .po files are compiled with Babel instead.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands.compilemessages import Command as DjangoCompileMessages
from django.core.management.utils import find_command


class Command(DjangoCompileMessages):
    def handle(self, **options):
        catalogues = [po for root in settings.LOCALE_PATHS for po in Path(root).rglob("*.po")]
        if not catalogues:
            # A checkout without catalogues has nothing to compile; Django would stop with an error.
            if options["verbosity"] > 0:
                self.stdout.write("No translation catalogues under LOCALE_PATHS; nothing to compile.")
            return None
        if find_command(self.program):
            return super().handle(**options)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in catalogues:
            with po_path.open("rb") as fh:
                catalog = read_po(fh)
            with po_path.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)
        if options["verbosity"] > 0:
            self.stdout.write(f"msgfmt not found: compiled {len(catalogues)} catalogue(s) with Babel.")
        return None
