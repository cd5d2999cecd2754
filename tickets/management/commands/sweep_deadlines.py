"""Run the deadline sweep once and print what it did (for cron and operations)."""

from django.core.management.base import BaseCommand

from tickets.services.sweep import sweep


class Command(BaseCommand):
    help = "Breach lapsed clocks, raise warnings and escalations, apply lapse consequences; print the counts."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        result = sweep(batch_size=options["batch_size"])
        self.stdout.write(f"Sweep done: {result.as_line()}; {result.statements} SQL statements.")
