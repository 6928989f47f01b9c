"""Time a full import of the real legacy data and a full export, on PostgreSQL (median of N runs).

Each run empties the catalog (and its audit rows) of the benchmark database with TRUNCATE, then
imports `HMR_LEGACY_DATA_DIR` with `manage.py import_references`'s code path, then exports legacy
and v2 files to a temporary directory with `export_references`'s code path. Timings are taken in
one process, so Python start-up and Django set-up are not counted. The exports an import queues
after its commit go to a Redis broker that nobody consumes (flushed at the end).

Usage: .venv/bin/python bench/import_export.py   (BENCH_DATABASE_URL, BENCH_RUNS=3)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import readbench  # noqa: E402  (database set-up shared with the read benchmark)

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def main() -> None:
    readbench.prepare_database()
    os.environ.update(readbench.env())
    # As in production: the after-commit exports go to a broker (nobody consumes them here) instead
    # of running eagerly inside the timed import.
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.audit.models import AuditEvent
    from apps.audit.services import Actor
    from apps.catalog.imports import import_references

    imports, exports = [], []
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE catalog_modelrecord, catalog_recordtag, catalog_downloadfile, "
                "catalog_sourceformat, catalog_categorymetadata, audit_auditevent CASCADE"
            )
        started = time.perf_counter()
        report, _ = import_references(
            actor=Actor(AuditEvent.Origin.IMPORT, name="bench"), legacy_dir=Path(readbench.LEGACY)
        )
        imports.append(time.perf_counter() - started)
        assert report.totals().created == 913, report.totals()
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            call_command("export_references", "--format", "legacy", "--out", out, verbosity=0)
            call_command("export_references", "--format", "v2", "--out", out + "/v2", verbosity=0)
            exports.append(time.perf_counter() - started)
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    print(
        f"full import of {readbench.LEGACY} (913 records, 913 audit events): "
        f"median {statistics.median(imports):.2f} s over {RUNS} runs {[round(t, 2) for t in imports]}"
    )
    print(
        f"full export (12 legacy files + 15 v2 files): median {statistics.median(exports):.2f} s "
        f"{[round(t, 2) for t in exports]}"
    )


if __name__ == "__main__":
    main()
