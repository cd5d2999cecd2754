"""``create_api_key NAME --store CODE [--store CODE] [--admin] [--expires-days N]``: print a new key once."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.models import Store
from tickets.services.api_keys import api_key_create


class Command(BaseCommand):
    help = ("Create an API key for an integration, limited to the given stores, and print it. The key is stored "
            "only as a hash: copy it now, it cannot be shown again.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses the key, e.g. erp-main")
        parser.add_argument("--store", dest="stores", action="append", required=True, metavar="CODE",
                            help="a store code the key may read and write (repeat for several)")
        parser.add_argument("--admin", action="store_true", help="the key may also manage stores")
        parser.add_argument("--expires-days", type=int, default=None, metavar="N",
                            help="the key stops working after N days (default: never)")

    def handle(self, *args, name: str, stores: list[str], admin: bool, expires_days: int | None, **options):
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        codes = list(dict.fromkeys(stores))
        found = {store.code: store for store in Store.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise CommandError(f"Unknown store code: {', '.join(unknown)}.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        key, raw = api_key_create(name=name, stores=list(found.values()), is_admin=admin, expires_at=expires_at,
                                  actor="system:create_api_key")
        self.stdout.write(raw)
        self.stderr.write(f"API key {key.name} ({key.prefix}…) for {', '.join(codes)}"
                          f"{' with store management' if admin else ''}"
                          f"{f', expires {expires_at:%Y-%m-%d %H:%M} UTC' if expires_at else ''}. "
                          "It is shown only this once.")
