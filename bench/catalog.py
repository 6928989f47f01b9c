"""Public catalog benchmark: category and record pages on the production server, cached, with wrk.

Starts the production server as bench/readbench.py does (granian, production settings, one
worker on CPU 0, PostgreSQL and Redis loaded with the real legacy data) and runs wrk on CPU 1
against pages of the public catalog (apps/site): each page is requested once first (the render,
timed), then measured from the page cache (16 connections, 15 s, median of 3 runs) as a browser
asks for it (gzip accepted), and once more as a conditional GET answered 304. Target: p99 <= 20 ms
for a cached page.

Environment as bench/readbench.py (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_DURATION,
BENCH_RUNS, BENCH_CONNECTIONS), plus BENCH_PORT (8100). Run: `.venv/bin/python bench/catalog.py`.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request

import readbench as rb

rb.PORT = int(os.environ.get("BENCH_PORT", rb.PORT))
GZIP = {"Accept-Encoding": "gzip"}
PAGES = [
    ("image category (cards)", "/image_generation/", GZIP),
    ("image category filtered", "/image_generation/?baseline=stable_diffusion_xl&nsfw=show&view=table", GZIP),
    ("text category (grouped)", "/text_generation/", GZIP),
    ("image record", "/image_generation/model/Anything%20Diffusion", GZIP),
    ("text record", "/text_generation/model/anthracite-org/magnum-12b-v2", GZIP),
    ("image category 304", "/image_generation/", {**GZIP, "If-None-Match": "ETAG"}),
]


def first_request(path: str) -> tuple[float, str, int]:
    """The first request of a page (rendered now): milliseconds, its gzip ETag, its size."""
    request = urllib.request.Request(f"http://127.0.0.1:{rb.PORT}{path}", headers=GZIP)
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        body = response.read()
        etag = response.headers["ETag"]
    return (time.perf_counter() - started) * 1000, etag, len(body)


def main() -> None:
    rb.need("wrk", "wrk")
    rb.prepare_database()
    server = rb.start_server()
    rows = []
    try:
        rendered = {path: first_request(path) for _, path, _ in PAGES}
        for label, path, headers in PAGES:
            headers = {k: rendered[path][1] if v == "ETAG" else v for k, v in headers.items()}
            measured = rb.median_of(
                [rb.wrk(f"http://127.0.0.1:{rb.PORT}{path}", headers) for _ in range(rb.RUNS)]
            )
            rows.append((label, path, measured))
            print(f"  measured {label}", file=sys.stderr)
    finally:
        server.terminate()
    print(
        f"\nserver: {rb.SERVER} on CPU 0 (1 worker, production settings), wrk on CPU 1, "
        f"{rb.CONNECTIONS} connections, {rb.DURATION} s, median of {rb.RUNS}; gzip accepted"
    )
    print(f"{'page':<26}{'first ms':>10}{'gzip kB':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for label, path, measured in rows:
        first_ms, _, size = rendered[path]
        print(
            f"{label:<26}{first_ms:>10.1f}{size / 1024:>9.1f}{measured['rps']:>9.0f}"
            f"{measured['p50']:>9.2f}{measured['p99']:>9.2f}"
            + (f"  ({measured['errors']:.0f} errors)" if measured["errors"] else "")
        )
    worst = max(measured["p99"] for _, _, measured in rows)
    print(
        f"worst p99 of a cached page: {worst:.2f} ms (target <= 20 ms): {'met' if worst <= 20 else 'MISSED'}"
    )
    print(json.dumps({label: measured for label, _, measured in rows}), file=sys.stderr)


if __name__ == "__main__":
    main()
