"""Time the agent pages and count their SQL queries on the configured database.

Usage (after `manage.py seed_demo`, or with --seed to seed first):
    .venv/bin/python bench/pages.py [--runs 20] [--seed]

Prints, per page, the median and p95 time of a full request through Django's test
client and the number of SQL queries it ran. The query count must not grow with the
number of rows: compare it before and after seeding more data.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tickets.models import Ticket, User  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(ctx.captured_queries)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", action="store_true", help="run seed_demo first")
    args = parser.parse_args()
    if args.seed:
        call_command("seed_demo", verbosity=0)
    user = User.objects.filter(username="supervisor").first() or User.objects.filter(is_superuser=True).first()
    if user is None:
        raise SystemExit("No demo users: run `manage.py seed_demo` or pass --seed.")
    client = Client()
    client.force_login(user)
    ticket = Ticket.objects.visible_to(user).order_by("-pk").first()
    pages = [("home", "/"), ("ticket list", "/tickets/"), ("API ticket list", "/api/v1/tickets/"),
             ("clock queue", "/clocks/"), ("clock queue by loss", "/clocks/?order=loss"),
             ("API clocks", "/api/v1/clocks/"), ("alert inbox", "/alerts/"), ("API alerts", "/api/v1/alerts/")]
    if ticket:
        pages.append(("ticket detail", f"/tickets/{ticket.pk}/"))
        pages.append(("API ticket detail", f"/api/v1/tickets/{ticket.pk}/"))
    vendor = connection.vendor
    print(f"database: {vendor}; tickets visible: {Ticket.objects.visible_to(user).count()}; runs per page: {args.runs}")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages:
        median, p95, queries = measure(client, url, args.runs)
        print(f"{name:<20} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
