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
        if find_command(self.program):
            return super().handle(**options)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        roots = [Path(p) for p in settings.LOCALE_PATHS]
        count = 0
        for root in roots:
            for po_path in root.rglob("*.po"):
                with po_path.open("rb") as fh:
                    catalog = read_po(fh)
                with po_path.with_suffix(".mo").open("wb") as fh:
                    write_mo(fh, catalog)
                count += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"msgfmt not found: compiled {count} catalogue(s) with Babel.")
        return None
