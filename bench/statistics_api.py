"""Statistics benchmark: statistics, with-stats and deletion-risk on the real data, against the
production server (granian, production settings), p50/p99 over 200 requests each.

Like bench/readbench.py: a bench database loaded with the real legacy data, the server pinned to
CPU 0, the client on CPU 1. The usage snapshot is collected once, before the server starts, from
a local fake AI-Horde serving the realistic payloads of tests/analytics/horde_payloads.py
(`manage.py refresh_usage`); requests never call AI-Horde. Each URL is asked once cold (its first
answer computes and caches it; reported apart), then 200 times in a row on one keep-alive
connection. Targets: statistics p99 <= 20 ms, with-stats and deletion-risk p99 <= 50 ms.

    .venv/bin/python bench/statistics_api.py

Environment: as bench/readbench.py (BENCH_DATABASE_URL, BENCH_REDIS_URL, HMR_LEGACY_DATA_DIR),
BENCH_REQUESTS (200), BENCH_PORT (8170; the fake AI-Horde listens on the next port).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file's name is the standard library's `statistics`: keep its folder off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import http.client  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics as stats  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from tests.analytics.horde_payloads import PAYLOADS  # noqa: E402

_spec = importlib.util.spec_from_file_location("readbench", HERE / "readbench.py")
readbench = importlib.util.module_from_spec(_spec)  # the server and database set-up of the read benchmark
_spec.loader.exec_module(readbench)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
readbench.PORT = int(os.environ.get("BENCH_PORT", "8170"))  # apart from readbench's, which may run too
FAKE_PORT = readbench.PORT + 1
S = "/api/model_references/statistics"
URLS = [
    ("statistics", "image_generation", f"{S}/image_generation", 20),
    ("statistics", "text_generation", f"{S}/text_generation", 20),
    ("with-stats", "image_generation", f"{S}/image_generation/with-stats", 50),
    ("with-stats", "text_generation", f"{S}/text_generation/with-stats", 50),
    ("deletion-risk", "image_generation", f"{S}/image_generation/deletion-risk", 50),
    ("deletion-risk", "text_generation", f"{S}/text_generation/deletion-risk", 50),
]


class FakeHorde(BaseHTTPRequestHandler):
    """The four AI-Horde usage calls, answered from the test payloads."""

    def do_GET(self):
        url = urlsplit(self.path)
        query = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
        path = url.path.removeprefix("/api/v2/")
        if path.startswith("stats/"):
            key = "stats/image" if path == "stats/img/models" else "stats/text"
        else:
            key = f"{path.split('/')[0]}/{query.get('type')}"
        body = json.dumps(PAYLOADS.get(key, {})).encode()
        self.send_response(200 if key in PAYLOADS else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def collect_snapshot() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", FAKE_PORT), FakeHorde)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    environment = {**readbench.env(), "HMR_AI_HORDE_URL": f"http://127.0.0.1:{FAKE_PORT}/api/"}
    subprocess.run(
        [readbench.PY, "manage.py", "refresh_usage"], cwd=readbench.ROOT, env=environment, check=True
    )
    server.shutdown()


def timed(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def measure(path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", readbench.PORT, timeout=30)
    cold, status, size = timed(connection, path)
    if status != 200:
        sys.exit(f"{path} answered {status}")
    times = sorted(timed(connection, path)[0] for _ in range(REQUESTS))
    connection.close()
    return {
        "cold": cold,
        "p50": stats.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "bytes": size,
    }


def main() -> None:
    readbench.prepare_database()
    collect_snapshot()
    server = readbench.start_server()
    try:
        rows = [(name, category, target, measure(path)) for name, category, path, target in URLS]
    finally:
        server.terminate()
        server.wait()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n{REQUESTS} requests per URL, granian (1 worker, CPU 0), client on CPU 1; load average {load}\n")
    header = ("endpoint", "category", "bytes", "cold ms", "p50 ms", "p99 ms", "target")
    print("{:<14} {:<17} {:>8} {:>8} {:>7} {:>7} {:>7}".format(*header))
    for name, category, target, row in rows:
        verdict = "ok" if row["p99"] <= target else "MISSED"
        print(
            f"{name:<14} {category:<17} {row['bytes']:>8} {row['cold']:>8.1f} {row['p50']:>7.2f} "
            f"{row['p99']:>7.2f} {'<=' + str(target):>5} {verdict}"
        )


if __name__ == "__main__":
    main()
