"""Time the text-model routes on the real data (median of N requests each, in one process).

The benchmark database is recreated and loaded as for the read benchmark (readbench.py). Each
route is called through Django's test client (no server, no network), so the figure is the
route's own cost: queries, parsing the names, computing the groups, rendering the JSON. The
`include_group` document is timed twice: rendered from the records (what a new revision costs
once) and served from the document cache (every later request).

Usage: .venv/bin/python bench/text_routes.py   (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_RUNS=30)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import readbench  # noqa: E402  (database set-up shared with the read benchmark)

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
T = "/api/model_references/v2/text_generation"
ROUTES = [
    ("parse_name", f"{T}/parse_name", {"name": "anthracite-org/magnum-12b-v2"}),
    ("groups", f"{T}/groups", {}),
    ("group magnum", f"{T}/group", {"name": "magnum"}),
    ("groups/summary", f"{T}/groups/summary", {}),
    ("groups/health", f"{T}/groups/health", {}),
    ("families/detect", f"{T}/families/detect", {}),
    ("v1 include_group (cached)", "/api/model_references/v1/text_generation", {"include_group": "true"}),
]


def median_ms(call) -> float:
    for _ in range(3):
        call()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    readbench.prepare_database()
    os.environ.update(readbench.env())
    import django

    django.setup()
    from django.test import Client

    from apps.catalog import selectors
    from apps.catalog.categories import Category
    from apps.catalog.formats.render import V1_GROUPED, document_body

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"median of {RUNS} requests, {os.cpu_count()} CPUs")
    for label, path, params in ROUTES:
        response = client.get(path, params)
        assert response.status_code == 200, (label, response.status_code)
        took = median_ms(lambda p=path, q=params: client.get(p, q))
        print(f"{label:32} {took:8.1f} ms  ({len(response.content)} bytes)")
    snapshot = selectors.category_records(Category.TEXT_GENERATION)
    render = median_ms(lambda: document_body(snapshot, V1_GROUPED))
    print(f"{'v1 include_group (render)':32} {render:8.1f} ms")


if __name__ == "__main__":
    main()
