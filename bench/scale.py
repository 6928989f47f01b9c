"""Scale benchmark: the real legacy data copied 10x and 100x, imported, exported, changed and served.

For each scale (BENCH_SCALES, default "1,10,100") the script writes a temporary legacy directory:
every image category file with each record copied under new names (`<key> copy<k>`), and text
`models.csv` with each row copied under `<name>-copy<k>` (display names `... copy<k>`), and a
`db.json` generated from that models.csv (so the two agree). The benchmark database
(BENCH_DATABASE_URL, recreated) is then measured:

- full import: `manage.py import_references --legacy DIR` in a fresh process (wall time, peak RSS;
  Python and Django start-up included, about 1 s);
- full export: `manage.py export_references` legacy then v2 into a temporary directory (the same);
- the production server (granian, 2 workers on CPUs 0-1, tuned as bench/run) is started; each
  text_generation document (v1, v2) is requested once so every worker holds it;
- one applied change: a moderation update of one text_generation record's description is
  proposed, approved and applied (services, in a `manage.py shell` process); 16 keep-alive
  connections (spread over both workers) poll the v1 and v2 text_generation documents' ETags; the
  figure is from the start of the apply until every connection has seen the new ETag of both;
- document p99: wrk, 4 connections, BENCH_DURATION s, gzip accepted, v2 text_generation;
- search p99: wrk, 16 connections, the v2 search endpoint (text_generation, a query);
- peak RSS (VmHWM) of each serving worker at the end.

Medians over BENCH_RUNS (3) where repeated (the change and the wrk runs); the import and export
run once per scale. Prints a table and the load average.

Usage: .venv/bin/python bench/scale.py
Environment: BENCH_SCALES (1,10,100), BENCH_RUNS (3), BENCH_DURATION (5),
BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/hmr_bench_scale), BENCH_REDIS_URL
(redis://127.0.0.1:6379/15, flushed; also the Celery broker nobody consumes), HMR_LEGACY_DATA_DIR.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr_bench_scale")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")

import readbench  # noqa: E402  (server start-up shared with the read benchmark)

SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,10,100").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
PY = str(ROOT / ".venv" / "bin" / "python")
PORT = readbench.PORT
TEXT = "/api/model_references/v1/text_generation"
TEXT_V2 = "/api/model_references/v2/text_generation"
SEARCH = "/api/model_references/v2/text_generation/search?q=llama&limit=20"
POLLERS = int(os.environ.get("BENCH_POLLERS", "16"))
CHANGED = "acrastt/Marx-3B-V3"  # the record the applied change edits (first row of models.csv)


# --- the scaled catalog -------------------------------------------------------------------------


def scaled_legacy(source: Path, target: Path, scale: int) -> None:
    """The real legacy data copied `scale` times (apps/catalog/formats/scaled.py)."""
    command = [
        PY,
        "manage.py",
        "scale_legacy",
        "--legacy",
        str(source),
        "--times",
        str(scale),
        "--out",
        str(target),
    ]
    subprocess.run([*command, "-v0"], cwd=ROOT, env=readbench.env(), check=True)


# --- measuring ----------------------------------------------------------------------------------


def run_measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=readbench.env())
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{command} failed ({process.returncode})")
    return elapsed, usage.ru_maxrss / 1024


def etag(connection: http.client.HTTPConnection, path: str) -> str:
    for _ in range(20):  # the server may close an idle keep-alive connection: reconnect
        try:
            return _etag(connection, path)
        except (http.client.HTTPException, ConnectionError):
            connection.close()
            time.sleep(0.01)
    return _etag(connection, path)


def _etag(connection: http.client.HTTPConnection, path: str) -> str:
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return response.headers["ETag"]


CHANGE_SNIPPET = """
import json, sys, time
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.catalog import selectors
from apps.moderation.services.enqueue import Proposal, change_enqueue
from apps.moderation.services.review import changes_review
from apps.moderation.services.apply import changes_apply
record['description'] = (record.get('description') or '') + ' (changed ' + TAG + ')'
requestor = Actor(AuditEvent.Origin.API_V2, id='1', name='bench-requestor')
approver = Actor(AuditEvent.Origin.API_V2, id='2', name='bench-approver')
change = change_enqueue(proposal=Proposal(Category.TEXT_GENERATION, 'update', NAME, record), actor=requestor)
changes_review(
    batch_title='bench ' + TAG, approved_ids=[change.pk], rejected_ids=[], reject_reason=None, actor=approver
)
started = time.time()
report = changes_apply(change_ids=[change.pk], job_id=None, actor=approver)
assert report.applied, report
print(json.dumps({'started': started, 'committed': time.time()}))
"""


def applied_change(tag: str) -> dict:
    """Seconds from the start of the apply until 16 connections all serve the new v1 and v2 bytes
    (from its start, not its commit: the apply returns after its after-commit hooks, and the
    first of them announces the new revision)."""
    connections = [http.client.HTTPConnection("127.0.0.1", PORT, timeout=60) for _ in range(POLLERS)]
    before = {path: etag(connections[0], path) for path in (TEXT, TEXT_V2)}
    for connection in connections:
        for path in before:
            etag(connection, path)
    seen: dict[int, float] = {}
    stop = time.time() + 120

    def poll(index: int, connection: http.client.HTTPConnection) -> None:
        while time.time() < stop:
            if all(etag(connection, path) != old for path, old in before.items()):
                seen[index] = time.time()
                return
            time.sleep(0.005)

    own = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)  # never a poller's connection
    own.request("GET", f"{TEXT_V2}/model/{CHANGED}")
    record = json.loads(own.getresponse().read())
    own.close()
    threads = [threading.Thread(target=poll, args=(i, c)) for i, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    snippet = f"NAME = {CHANGED!r}; TAG = {tag!r}; record = {record!r}\n" + CHANGE_SNIPPET
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", snippet],
        cwd=ROOT,
        env=readbench.env(),
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(out.stderr)
    times = json.loads(out.stdout.strip().splitlines()[-1])
    for thread in threads:
        thread.join()
    if len(seen) != len(connections):
        sys.exit("some connection never served the new bytes")
    return {"apply": times["committed"] - times["started"], "served": max(seen.values()) - times["started"]}


def wrk_p99(path: str, connections: int) -> float:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{DURATION}s",
        "--latency",
        "--timeout",
        "60s",
        "-H",
        "Accept-Encoding: gzip",
        f"http://127.0.0.1:{PORT}{path}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk {path}: non-2xx responses\n{out}")
    return readbench._ms(out, "99%")


def workers_rss(server: subprocess.Popen) -> list[float]:
    """VmHWM (MB) of the server's worker processes (the children of granian's main process)."""
    pids = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    # taskset execs granian, so server.pid is granian itself; its children are the workers.
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return sorted(peaks)


def measure(scale: int, source: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"hmr-scale-{scale}x-"))
    try:
        legacy = work / "legacy"
        scaled_legacy(source, legacy, scale)
        readbench.prepare_database(load=False)
        row: dict = {"scale": scale}
        row["import_s"], row["import_mb"] = run_measured(
            [PY, "manage.py", "import_references", "--legacy", str(legacy), "-v0"]
        )
        out = work / "export"
        seconds_legacy, mb_legacy = run_measured(
            [PY, "manage.py", "export_references", "--format", "legacy", "--out", str(out), "-v0"]
        )
        seconds_v2, mb_v2 = run_measured(
            [PY, "manage.py", "export_references", "--format", "v2", "--out", str(out / "v2"), "-v0"]
        )
        row["export_s"], row["export_mb"] = seconds_legacy + seconds_v2, max(mb_legacy, mb_v2)
        row["records"] = _count_records()
        row["v1_text_mb"] = (legacy / "text" / "db.json").stat().st_size / 1e6
        server = readbench.start_server(workers=2, cpus="0,1")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            started = time.perf_counter()
            etag(connection, TEXT)
            row["first_v1_s"] = time.perf_counter() - started
            started = time.perf_counter()
            etag(connection, TEXT_V2)
            row["first_v2_s"] = time.perf_counter() - started
            changes = [applied_change(f"{scale}x-{i}") for i in range(RUNS)]
            row["apply_s"] = statistics.median(c["apply"] for c in changes)
            row["served_s"] = statistics.median(c["served"] for c in changes)
            row["doc_p99_ms"] = statistics.median(wrk_p99(TEXT_V2, 4) for _ in range(RUNS))
            row["search_p99_ms"] = statistics.median(wrk_p99(SEARCH, 16) for _ in range(RUNS))
            row["workers_mb"] = workers_rss(server)
        finally:
            server.terminate()
            server.wait()
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _count_records() -> int:
    out = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            "from apps.catalog.models import ModelRecord; print(ModelRecord.objects.count())",
        ],
        cwd=ROOT,
        env=readbench.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    source = Path(readbench.LEGACY)
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", readbench.REDIS_URL)
    rows = []
    loads = []
    for scale in SCALES:
        rows.append(measure(scale, source))
        loads.append(os.getloadavg())
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(
        f"\nmachine: {os.cpu_count()} vCPU; server granian 2 workers on CPUs 0-1; medians of {RUNS} for the "
        f"change, document and search figures (wrk {DURATION} s); import/export once, process start included"
    )
    header = (
        f"{'scale':>5}{'records':>8}{'db.json MB':>11}{'import s':>9}{'import MB':>10}{'export s':>9}"
        f"{'export MB':>10}{'1st v1 s':>9}{'1st v2 s':>9}{'apply s':>8}{'served s':>9}{'doc p99 ms':>11}"
        f"{'search p99':>11}  workers peak MB   load avg (1/5/15)"
    )
    print(header)
    for row, load in zip(rows, loads, strict=True):
        print(
            f"{row['scale']:>4}x{row['records']:>8}{row['v1_text_mb']:>11.1f}{row['import_s']:>9.2f}"
            f"{row['import_mb']:>10.0f}{row['export_s']:>9.2f}{row['export_mb']:>10.0f}{row['first_v1_s']:>9.2f}"
            f"{row['first_v2_s']:>9.2f}{row['apply_s']:>8.2f}{row['served_s']:>9.2f}{row['doc_p99_ms']:>11.1f}"
            f"{row['search_p99_ms']:>11.2f}  {'/'.join(f'{m:.0f}' for m in row['workers_mb']):<17}"
            f"{load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
        )


if __name__ == "__main__":
    main()
