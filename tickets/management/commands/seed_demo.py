"""``seed_demo``: load the demo stores, team and after-sales data, and print the logins.

Idempotent and fast on a re-run (a store that has its demo orders is skipped; only
the passwords are reset), so ``make run`` calls it every time.
"""

from django.core.management.base import BaseCommand, CommandError

from tickets.demo import DEFAULT_ORDERS_PER_STORE, SeedReport, seed_demo


class Command(BaseCommand):
    help = ("Create the demo stores (ae-main, amz-eu), users, orders, tickets, disputes, returns, refunds, clocks "
            "and alerts. Safe to run again: seeded stores are skipped and the demo passwords reset.")

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS_PER_STORE,
                            help=f"demo orders per store on the first run (default {DEFAULT_ORDERS_PER_STORE})")

    def handle(self, *args, orders: int, verbosity: int, **options):
        if orders < 1:
            raise CommandError("--orders must be at least 1.")
        report = seed_demo(orders_per_store=orders)
        if verbosity > 0:
            self.stdout.write(format_report(report))


def format_report(report: SeedReport) -> str:
    lines = []
    for code, created in report.stores:
        if created is None:
            lines.append(f"{code}: already has its demo orders, left as it is.")
        else:
            lines.append(f"{code}: seeded {created} demo orders.")
    lines += ["", f"{'rows':<16} {'created':>8} {'total':>8}"]
    lines += [f"{label:<16} {created:>8} {total:>8}" for label, (created, total) in report.counts.items()]
    widths = [max(len(str(row[i])) for row in [*report.logins, ("username", "password", "role", "stores")])
              for i in range(4)]
    header = ("username", "password", "role", "stores")
    lines += ["", "Demo logins (passwords are reset on every run):"]
    lines += ["  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
              for row in [header, *report.logins]]
    return "\n".join(lines)
