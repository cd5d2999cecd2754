"""Run the deadline sweep once and print what it did (for cron and operations)."""

import argparse

from django.core.management.base import BaseCommand

from tickets.services.sweep import sweep


class Command(BaseCommand):
    help = "Breach lapsed clocks, raise warnings and escalations, apply lapse consequences; print the counts."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=_positive, default=5000,
                            help="Clocks claimed per transaction (at least 1).")

    def handle(self, *args, **options):
        result = sweep(batch_size=options["batch_size"])
        self.stdout.write(f"Sweep done: {result.as_line()}; {result.statements} SQL statements.")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number
