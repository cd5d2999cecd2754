"""Throughput of the ERP sync API on the configured database (use PostgreSQL).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desk .venv/bin/python bench/api.py [--batches 10] [--size 1000]

Each request goes through the whole stack in-process (Django's test client: API key
authentication, JSON parsing, the sync services, the database), without a network.
It prints:

- bulk upsert throughput of orders with two items (order lines) each: new orders,
  the same payload again (all unchanged), and the payload with a changed tracking
  number (all updated); orders and items per second, median over the batches,
  after one warm-up request that is not counted (it pays for first-use costs:
  imports, caches, the first plans);
- the disputes list at 50 per page with their clocks: median and p95 ms, and the
  number of SQL queries at 5 and at 50 per page (they must be equal).

It writes into a store of its own (code ``bench-api``), created when missing, with
fresh order numbers on every run.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.database import database_ready  # noqa: E402
from tickets.models import Dispute, Store  # noqa: E402
from tickets.services.api_keys import api_key_create  # noqa: E402

STORE = "bench-api"


def order(run: str, n: int, tracking: str = "LP0001") -> dict:
    return {
        "store": STORE, "order_number": f"{run}-{n:05d}", "status": "shipped",
        "buyer": {"id": f"{run}-b{n:05d}", "name": "Bench Buyer", "country": "US", "language": "en"},
        "items": [{"sku": "SKU-A", "title": "Phone case", "quantity": 1, "unit_price": "7.50"},
                  {"sku": "SKU-B", "title": "Screen protector", "quantity": 2, "unit_price": "3.25"}],
        "total": "14.00", "currency": "USD", "carrier": "Cainiao", "tracking_number": tracking,
        "placed_at": "2026-11-01T10:00:00-08:00", "paid_at": "2026-11-01T10:05:00-08:00",
        "shipped_at": "2026-11-02T09:00:00-08:00",
    }


def post(client: Client, headers: dict, path: str, items: list) -> tuple[float, dict]:
    body = json.dumps(items)
    start = time.perf_counter()
    response = client.post(path, body, content_type="application/json", **headers)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:500]}")
    return elapsed, response.json()["summary"]


def upserts(client, headers, batches: list[list[dict]], expect: str) -> float:
    rates = []
    for items in batches:
        elapsed, summary = post(client, headers, "/api/v1/sync/orders/", items)
        if summary[expect] != len(items):
            raise SystemExit(f"expected {len(items)} {expect}, got {summary}")
        rates.append(len(items) / elapsed)
    return statistics.median(rates)


def get(client, headers, url: str, runs: int) -> tuple[float, float, int]:
    timings, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        counts.append(len(ctx.captured_queries))
    timings.sort()
    # The fewest: an API key's last-used stamp is written at most once a minute and
    # adds one query to whichever request happens to carry it.
    queries = min(counts)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--size", type=int, default=1000, help="orders per request (at most 1000)")
    parser.add_argument("--runs", type=int, default=20, help="requests per list measurement")
    args = parser.parse_args()
    database_ready()

    store, _ = Store.objects.get_or_create(code=STORE, defaults={
        "name": "Bench store", "marketplace": "aliexpress", "timezone": "Asia/Shanghai"})
    _key, raw = api_key_create(name=f"bench-{uuid.uuid4().hex[:6]}", stores=[store], actor="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    run = uuid.uuid4().hex[:8]
    print(f"database: {connection.vendor}; {args.batches} batches of {args.size} orders with 2 items each")
    post(client, headers, "/api/v1/sync/orders/", [order(f"{run}w", n) for n in range(args.size)])  # warm-up

    batches = [[order(f"{run}{b}", n) for n in range(args.size)] for b in range(args.batches)]
    new = upserts(client, headers, batches, "created")
    unchanged = upserts(client, headers, batches, "unchanged")
    changed = [[{**item, "tracking_number": "LP0002"} for item in items] for items in batches]
    updated = upserts(client, headers, changed, "updated")
    print(f"{'sync orders':<28} {'orders/s':>10} {'items/s':>10}   (items: order lines, 2 per order)")
    for label, rate in (("new", new), ("unchanged (same payload)", unchanged), ("updated (tracking)", updated)):
        print(f"  {label:<26} {rate:>10.0f} {rate * 2:>10.0f}")

    missing = 60 - Dispute.objects.filter(store=store).count()
    if missing > 0:
        numbers = [item["order_number"] for item in batches[0][:missing]]
        disputes = [{"store": STORE, "dispute_id": f"{run}-D{n}", "order_number": number,
                     "family": "not_received", "reason": "lost", "requested_solution": "full_refund",
                     "requested_amount": "14.00", "opened_at": "2026-11-20T06:00:00Z"}
                    for n, number in enumerate(numbers)]
        post(client, headers, "/api/v1/sync/disputes/", disputes)
    base = "/api/v1/disputes/?store=" + STORE
    _, _, small = get(client, headers, base + "&page_size=5", 3)
    median, p95, queries = get(client, headers, base + "&page_size=50", args.runs)
    print(f"{'disputes list, 50 per page':<28} median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"{50 / median * 1000:.0f} disputes/s; queries: {small} at 5 per page, {queries} at 50")


if __name__ == "__main__":
    main()
