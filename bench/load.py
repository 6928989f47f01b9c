"""Load with writes: requestors proposing, approvers reviewing and applying, readers polling.

On loopback only, for BENCH_LOAD_SECONDS (120): BENCH_REQUESTORS (20) requestors propose changes
through the v2 write endpoints, BENCH_APPROVERS (4) approvers review them through the pending
queue and apply what they approved, and BENCH_READERS (50) readers poll v1/v2 documents with
If-None-Match, single records and searches — against the production server (granian, two worker
processes on CPUs 0-1, production settings) with a Celery worker (concurrency 1) consuming the
exports the applies queue, as docker/compose.yml runs them.

Set-up: the bench database (BENCH_DATABASE_URL, recreated) with the real legacy data, its Redis
(BENCH_REDIS_URL, flushed; also the Celery broker); a minimal fake AI-Horde on loopback answers
`v2/find_user` for the 20 requestor and 4 approver keys, whose user ids `manage.py seed_roles`
grants (HMR_REQUESTOR_IDS / HMR_APPROVER_IDS). Download checks on proposal are off (they would
fetch the file hosts); exports go to a temporary directory.

- Requestors: in a loop, propose an add (a copy of a real record under a unique name) or an update
  (the description of one of a shared pool of existing records, read first), in image_generation,
  text_generation, controlnet and esrgan; pause BENCH_PROPOSE_PAUSE (1 s).
- Approvers: list pending changes, take up to 10 (mostly those with `change_id % approvers ==
  own index`, sometimes any: two approvers may then race for the same change), reject about 1 in
  7 with a reason and approve the rest as a batch (POST pending_queue/batches), then apply the
  approved ones (POST pending_queue/apply, again with the rest after a refused one); pause
  BENCH_REVIEW_PAUSE (1 s).
- Readers: a random URL of a fixed list (documents of both versions, a record, searches) with
  the ETag they last saw; pause BENCH_READ_PAUSE (0.2 s).

Every response is counted by kind and status; 4xx such as 409 (a stale update applied after
another one) or 400 (a change another approver reviewed first) are expected answers, any 5xx or
transport failure is a failure, and so is a read slower than 10 s. Afterwards the script waits
for the export queue to drain, checks that the served v2 documents and the exported v2 files of
the four categories name exactly the live records, and reconciles the database with what it was
told: every change id it received exists with the
proposal's requestor, category, name and operation; no change of a bench requestor exists that it
was not told about (unless a proposal's answer was lost); final states; each change has one
enqueue event and, if applied, one apply event and one record event of its job; each applied add
exists once; each updated record's version is 1 + its applied updates; none is left `applying`.
Then `manage.py audit_replay --verify`. Prints the report; exits 1 when a requirement fails.

Usage: .venv/bin/python bench/load.py
Environment: BENCH_LOAD_SECONDS (120), BENCH_REQUESTORS (20), BENCH_APPROVERS (4), BENCH_READERS
(50), BENCH_PROPOSE_PAUSE (1), BENCH_REVIEW_PAUSE (1), BENCH_READ_PAUSE (0.2), BENCH_WRITE_RATE
(HMR_THROTTLE_WRITE_RATE for the run, 600/minute: the production default 60/minute would
answer many approver writes 429), BENCH_SEED (1), BENCH_PORT (8180), BENCH_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/hmr_bench_load), BENCH_REDIS_URL (redis://127.0.0.1:6379/10),
HMR_LEGACY_DATA_DIR.
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr_bench_load")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")

import readbench  # noqa: E402  (database and server set-up shared with the read benchmark)

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
REQUESTORS = int(os.environ.get("BENCH_REQUESTORS", "20"))
APPROVERS = int(os.environ.get("BENCH_APPROVERS", "4"))
READERS = int(os.environ.get("BENCH_READERS", "50"))
PROPOSE_PAUSE = float(os.environ.get("BENCH_PROPOSE_PAUSE", "1"))
REVIEW_PAUSE = float(os.environ.get("BENCH_REVIEW_PAUSE", "1"))
READ_PAUSE = float(os.environ.get("BENCH_READ_PAUSE", "0.2"))
WRITE_RATE = os.environ.get("BENCH_WRITE_RATE", "600/minute")
SEED = int(os.environ.get("BENCH_SEED", "1"))
# A port of its own: other benchmarks on this machine use readbench's 8100 (and 8150, 8170).
readbench.PORT = int(os.environ.get("BENCH_PORT", "8180"))
BASE = f"http://127.0.0.1:{readbench.PORT}/api/model_references"
PY = str(readbench.PY)
TIMEOUT = 60  # seconds per request; a request slower than this counts as a transport failure

CATEGORIES = ("image_generation", "text_generation", "controlnet", "esrgan")
UPDATE_POOL = 30  # existing records per category the requestors update (shared: updates collide)
BATCH = 10  # changes an approver reviews at once
REJECT_SHARE = 1 / 7
SLOWEST_READ = 10.0  # seconds; a slower read fails the run (as in bench/soak.py)
READ_KINDS = ("document", "record", "search")

READ_URLS = [
    ("document", "/v1/stable_diffusion"),
    ("document", "/v2/image_generation"),
    ("document", "/v1/text_generation"),
    ("document", "/v2/text_generation"),
    ("document", "/v2/controlnet"),
    ("document", "/v1/esrgan"),
    ("record", "/v2/text_generation/model/anthracite-org/magnum-12b-v2"),
    ("record", "/v2/image_generation/model/stable_diffusion"),
    ("search", "/v2/image_generation/search?baseline=stable_diffusion_xl&nsfw=false&limit=20"),
    ("search", "/v2/text_generation/search?q=llama&limit=20"),
    ("search", "/v2/search?q=loadbench&limit=20"),
    ("search", "/v2/controlnet/search?q=canny&limit=20"),
]


# --- identities: a minimal AI-Horde (v2/find_user) on loopback ----------------------------------


def requestor(i: int) -> tuple[str, str]:
    return f"load-requestor-key-{i:04d}", f"LoadRequestor{i}#{51000 + i}"


def approver(i: int) -> tuple[str, str]:
    return f"load-approver-key-{i:04d}", f"LoadApprover{i}#{52000 + i}"


def user_id(username: str) -> str:
    return username.rsplit("#", 1)[1]


class _FindUser(BaseHTTPRequestHandler):
    users: dict[str, str] = {}
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # AI-Horde's GET /api/v2/find_user: the key's user, or 404
        username = (
            self.users.get(self.headers.get("apikey", "")) if self.path == "/api/v2/find_user" else None
        )
        status = 200 if username else 404
        body = {"username": username, "id": 1, "kudos": 0} if username else {"message": "User not found"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def start_fake_horde() -> tuple[ThreadingHTTPServer, str]:
    _FindUser.users = dict(
        [requestor(i) for i in range(REQUESTORS)] + [approver(i) for i in range(APPROVERS)]
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FindUser)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/"


# --- measurements -------------------------------------------------------------------------------


class Tally:
    """Responses by kind and status, and latencies by kind; one per client thread, merged."""

    def __init__(self) -> None:
        self.status: collections.Counter = collections.Counter()
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.failures: list[str] = []
        self.slow: list[tuple[float, float, str, str]] = []  # (seconds, started at, kind, path) over 1 s
        self.started = 0.0  # perf_counter at the run's start (the merged tally)
        self.cpu: dict[str, float] = {}

    def call(self, session: requests.Session, kind: str, method: str, path: str, raw=False, **kwargs):
        """One request; `raw`: read the body as sent (gzip stays compressed, as a cache would keep it)."""
        started = time.perf_counter()
        try:
            response = session.request(method, BASE + path, timeout=TIMEOUT, stream=raw, **kwargs)
            body = response.raw.read(decode_content=False) if raw else response.content
        except requests.RequestException as exc:
            self.status[(kind, type(exc).__name__)] += 1
            self.failures.append(f"{method} {path}: {type(exc).__name__}: {exc}")
            return None
        took = time.perf_counter() - started
        self.latency[kind].append(took)
        if took > 1:
            self.slow.append((took, started, kind, f"{method} {path} {response.status_code}"))
        self.status[(kind, response.status_code)] += 1
        if response.status_code >= 500:
            self.failures.append(f"{method} {path}: {response.status_code} {body[:300]!r}")
        return response

    def merge(self, other: Tally) -> None:
        self.status.update(other.status)
        for kind, values in other.latency.items():
            self.latency[kind] += values
        self.failures += other.failures
        self.slow += other.slow


class Ledger:
    """What the server told the clients: proposals by change id, applies reported, lost answers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proposed: dict[int, dict] = {}
        self.unanswered = 0  # proposals whose answer never came (a change may exist for them)
        self.applied_reports: collections.Counter = collections.Counter()  # change id -> times applied
        self.apply_refusals: collections.Counter = collections.Counter()  # (status, first words)
        self.review_refusals: collections.Counter = collections.Counter()


# --- clients ------------------------------------------------------------------------------------


def session(apikey: str | None = None) -> requests.Session:
    s = requests.Session()
    if apikey:
        s.headers["apikey"] = apikey
    return s


def run_requestor(index: int, templates: dict, pool: dict, ledger: Ledger, stop: threading.Event) -> Tally:
    tally, rng = Tally(), random.Random(SEED * 1000 + index)
    key, username = requestor(index)
    http = session(key)
    serial = 0
    while not stop.is_set():
        serial += 1
        category = rng.choice(CATEGORIES)
        if rng.random() < 0.6:
            body = dict(rng.choice(templates[category]))
            name = (
                f"loadbench/r{index:02d}-n{serial:04d}"
                if category == "text_generation"
                else f"loadbench r{index:02d} n{serial:04d}"
            )
            body["name"] = name
            body["description"] = f"Added by the load bench (requestor {index}, proposal {serial})."
            kind, method, path = "propose add", "POST", f"/v2/{category}/add"
            operation = "create"
        else:
            name = rng.choice(pool[category])
            path = f"/v2/{category}/model/{quote(name)}"
            current = tally.call(http, "read before update", "GET", path)
            if current is None or current.status_code != 200:
                stop.wait(PROPOSE_PAUSE)
                continue
            body = current.json()
            body["description"] = (
                f"{(body.get('description') or '').split(' [load')[0]} [load r{index} p{serial}]"
            )
            kind, method, operation = "propose update", "PUT", "update"
        response = tally.call(http, kind, method, path, json=body)
        if response is None:
            with ledger.lock:
                ledger.unanswered += 1
        elif response.status_code == 202:
            change = response.json()
            with ledger.lock:
                ledger.proposed[change["change_id"]] = {
                    "requested_by": user_id(username),
                    "category": category,
                    "model_name": name,
                    "operation": operation,
                }
        stop.wait(PROPOSE_PAUSE)
    return tally


def run_approver(index: int, ledger: Ledger, stop: threading.Event) -> Tally:
    tally, rng = Tally(), random.Random(SEED * 2000 + index)
    key, _ = approver(index)
    http = session(key)
    cycle = 0
    while not stop.is_set():
        cycle += 1
        page = tally.call(http, "queue list", "GET", "/v2/pending_queue/changes?statuses=pending&limit=100")
        if page is None or page.status_code != 200:
            stop.wait(REVIEW_PAUSE)
            continue
        ids = [c["change_id"] for c in page.json()["items"]]
        if rng.random() < 0.15:
            chosen = rng.sample(ids, min(BATCH, len(ids)))  # any: may race another approver
        else:
            chosen = [i for i in ids if i % APPROVERS == index][:BATCH]
        if not chosen:
            stop.wait(REVIEW_PAUSE)
            continue
        rejected = [i for i in chosen if rng.random() < REJECT_SHARE]
        approved = [i for i in chosen if i not in rejected]
        review = {
            "batch_title": f"load a{index} c{cycle}",
            "approved_ids": approved,
            "rejected_ids": rejected,
        }
        if rejected:
            review["reject_reason"] = "Rejected by the load bench."
        answer = tally.call(http, "review", "POST", "/v2/pending_queue/batches", json=review)
        if answer is None or answer.status_code != 200:
            if answer is not None:
                with ledger.lock:
                    ledger.review_refusals[(answer.status_code, _first_words(answer))] += 1
            stop.wait(REVIEW_PAUSE)
            continue
        left = [c["change_id"] for c in answer.json()["approved"]]
        attempt = 0
        while left:  # apply in order; after a refused change, the rest again (they moved to a split batch)
            attempt += 1
            body = {"change_ids": left, "job_id": f"load-a{index}-c{cycle}-{attempt}"}
            answer = tally.call(http, "apply", "POST", "/v2/pending_queue/apply", json=body)
            if answer is None or answer.status_code == 429 or answer.status_code >= 500:
                break  # left approved: accounted for at the end
            report = answer.json()
            done = [c["change_id"] for c in report.get("applied", [])]
            with ledger.lock:
                ledger.applied_reports.update(done)
                if answer.status_code != 200:
                    ledger.apply_refusals[(answer.status_code, _first_words(answer))] += 1
            failed = report.get("failed_change_id")
            if "applied" not in report:  # an error envelope: the request itself was refused
                break
            left = [i for i in left if i not in done and i != failed]
        stop.wait(REVIEW_PAUSE)
    return tally


def _first_words(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:60]
    message = body.get("failed_error") or body.get("detail") or body.get("message") or json.dumps(body)
    return normalized(str(message))


def normalized(message: str) -> str:
    """A refusal without its names and numbers, so refusals of one kind count together."""
    message = re.sub(r"Model '.*' in category '(\w+)'", r"Model '…' in category '\1'", message)
    return re.sub(r"\d+", "N", re.sub(r"(?<!category )'[^'\s]*'", "'…'", message))


def run_reader(index: int, stop: threading.Event) -> Tally:
    tally, rng = Tally(), random.Random(SEED * 3000 + index)
    http = session()
    etags: dict[str, str] = {}
    while not stop.is_set():
        kind, path = rng.choice(READ_URLS)
        headers = {"Accept-Encoding": "gzip"}
        if path in etags:
            headers["If-None-Match"] = etags[path]
        response = tally.call(http, kind, "GET", path, raw=True, headers=headers)
        if response is not None and response.status_code == 200 and response.headers.get("ETag"):
            etags[path] = response.headers["ETag"]
        stop.wait(READ_PAUSE)
    return tally


# --- the run ------------------------------------------------------------------------------------


def templates_and_pool() -> tuple[dict, dict]:
    """Records to copy for adds (the first 5 of each category) and names to update (the next 30)."""
    templates, pool = {}, {}
    with session() as http:
        documents = {c: http.get(f"{BASE}/v2/{c}", timeout=TIMEOUT).json() for c in CATEGORIES}
    for category, document in documents.items():
        names = list(document)
        templates[category] = [document[n] for n in names[:5]]
        pool[category] = names[5 : 5 + UPDATE_POOL]
    return templates, pool


def run_clients(templates: dict, pool: dict, ledger: Ledger) -> tuple[Tally, float]:
    stop = threading.Event()
    tallies: list[Tally] = []
    lock = threading.Lock()

    def keep(function, *args):
        def target():
            result = function(*args, stop)
            with lock:
                tallies.append(result)

        return threading.Thread(target=target, daemon=True)

    threads = (
        [keep(run_requestor, i, templates, pool, ledger) for i in range(REQUESTORS)]
        + [keep(run_approver, i, ledger) for i in range(APPROVERS)]
        + [keep(run_reader, i) for i in range(READERS)]
    )
    started = time.perf_counter()
    total = Tally()
    total.started = started
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT + 10)
    elapsed = time.perf_counter() - started
    for tally in tallies:
        total.merge(tally)
    if len(tallies) != len(threads):
        total.failures.append(f"{len(threads) - len(tallies)} client thread(s) did not finish")
    return total, elapsed


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of `pids` so far (their waited-for children included)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """`pid` and its descendants."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [p for child in children for p in family(int(child))]


def _self_cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, others' too: /proc/stat)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def port_free_or_exit(port: int) -> None:
    """Exit when something listens on `port` already: its answers would be taken for ours."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a listener refuses, TIME_WAIT not
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"127.0.0.1:{port} is in use; set BENCH_PORT")


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "hmr_site",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=readbench.env(),
        stdout=subprocess.DEVNULL,
    )


def drain_exports(limit: float = 120) -> float | None:
    """Seconds until the broker holds no task, queued or running (None: not within `limit`)."""
    broker = redis.Redis.from_url(readbench.REDIS_URL)
    queue = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "hmr")
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if broker.llen(queue) == 0 and broker.hlen("unacked") == 0:  # acks_late: running ones are unacked
            return time.perf_counter() - started
        time.sleep(0.5)
    return None


def caught_up(export_dir: Path) -> list[str]:
    """Problems: a category whose served v2 document (4 fresh connections, so both workers are
    likely asked) or exported v2 file does not name exactly the live records."""
    problems = []
    with psycopg.connect(readbench.DATABASE_URL) as db:
        live = collections.defaultdict(set)
        for category, name in db.execute(
            "SELECT category, name FROM catalog_modelrecord WHERE category = ANY(%s)", (list(CATEGORIES),)
        ):
            live[category].add(name)
    for category in CATEGORIES:
        for attempt in range(4):
            with session() as http:
                served = set(http.get(f"{BASE}/v2/{category}", timeout=TIMEOUT).json())
            if served != live[category]:
                problems.append(
                    f"served v2 {category} (request {attempt + 1}): {len(served - live[category])} names not "
                    f"live, {len(live[category] - served)} live names missing"
                )
        file = (
            export_dir
            / "v2"
            / ("stable_diffusion.json" if category == "image_generation" else f"{category}.json")
        )
        exported = set(json.loads(file.read_text())) if file.exists() else set()
        if exported != live[category]:
            problems.append(
                f"exported {file.name}: {len(exported - live[category])} names not live, "
                f"{len(live[category] - exported)} live names missing"
            )
    return problems


# --- reconciling ------------------------------------------------------------------------------


def reconcile(ledger: Ledger) -> tuple[dict, list[str]]:
    """The database against the ledger: (figures, problems)."""
    problems: list[str] = []
    requestor_ids = [user_id(requestor(i)[1]) for i in range(REQUESTORS)]
    with psycopg.connect(readbench.DATABASE_URL) as db:
        rows = db.execute(
            "SELECT id, requested_by, category, model_name, operation, status, applied_job_id, last_error "
            "FROM moderation_pendingchange WHERE requested_by = ANY(%s)",
            (requestor_ids,),
        ).fetchall()
        changes = {r[0]: r for r in rows}
        queue_events = collections.Counter(
            (int(name), action)
            for name, action in db.execute(
                "SELECT model_name, payload::jsonb->'after'->>'action' FROM audit_auditevent "
                "WHERE category = 'pending_queue'"
            )
        )
        record_events = collections.Counter(
            db.execute(
                "SELECT request_id, category, model_name FROM audit_auditevent "
                "WHERE category <> 'pending_queue' AND request_id LIKE 'load-%%'"
            ).fetchall()
        )
        records = collections.Counter(
            db.execute(
                "SELECT category, name FROM catalog_modelrecord WHERE name LIKE 'loadbench%%'"
            ).fetchall()
        )
        versions = dict(
            ((c, n), v)
            for c, n, v in db.execute("SELECT category, name, version FROM catalog_modelrecord").fetchall()
        )
    for change_id, proposal in ledger.proposed.items():
        row = changes.get(change_id)
        if row is None:
            problems.append(f"change {change_id} was answered 202 but is not in the database (lost)")
            continue
        stored = dict(zip(("requested_by", "category", "model_name", "operation"), row[1:5], strict=True))
        if stored != proposal:
            problems.append(f"change {change_id}: proposed {proposal}, stored {stored}")
    unknown = sorted(set(changes) - set(ledger.proposed))
    if len(unknown) > ledger.unanswered:
        problems.append(
            f"{len(unknown)} change(s) in the database that no answer named, only {ledger.unanswered} "
            f"proposal(s) unanswered: {unknown[:10]}"
        )
    states = collections.Counter(r[5] for r in changes.values())
    if states.get("applying"):
        problems.append(f"{states['applying']} change(s) left in 'applying'")
    approved_errors = collections.Counter(
        normalized(r[7] or "never tried") for r in changes.values() if r[5] == "approved"
    )
    applied_updates: collections.Counter = collections.Counter()
    for change_id, row in changes.items():
        _, _, category, name, operation, status, job, _ = row
        if queue_events[(change_id, "enqueue")] != 1:
            problems.append(f"change {change_id}: {queue_events[(change_id, 'enqueue')]} enqueue events")
        applies = queue_events[(change_id, "apply")]
        if status == "applied":
            if applies != 1:
                problems.append(f"change {change_id} applied with {applies} apply events")
            if record_events[(job, category, name)] != 1:
                count = record_events[(job, category, name)]
                problems.append(f"change {change_id}: {count} record events of its job {job}")
            if ledger.applied_reports[change_id] != 1:
                problems.append(
                    f"change {change_id}: reported applied {ledger.applied_reports[change_id]} times"
                )
            if operation == "create" and records[(category, name)] != 1:
                problems.append(
                    f"change {change_id}: added {category}/{name} exists {records[(category, name)]} times"
                )
            if operation == "update":
                applied_updates[(category, name)] += 1
        else:
            if applies:
                problems.append(f"change {change_id} is {status} but has {applies} apply event(s)")
            if ledger.applied_reports[change_id]:
                problems.append(f"change {change_id} is {status} but was reported applied")
            if operation == "create" and records[(category, name)]:
                problems.append(f"change {change_id}: {category}/{name} exists but its add is {status}")
        if status == "rejected" and queue_events[(change_id, "reject")] != 1:
            problems.append(
                f"change {change_id}: rejected with {queue_events[(change_id, 'reject')]} reject events"
            )
    for (category, name), count in applied_updates.items():
        if versions.get((category, name)) != 1 + count:
            problems.append(
                f"{category}/{name}: version {versions.get((category, name))} after {count} applied update(s)"
            )
    by_operation = collections.Counter((r[4], r[5]) for r in changes.values())
    figures = {
        "changes": len(changes),
        "told": len(ledger.proposed),
        "unanswered": ledger.unanswered,
        "states": dict(states),
        "by_operation": {f"{op} {st}": n for (op, st), n in sorted(by_operation.items())},
        "approved_not_applied": dict(approved_errors),
        "records_added": sum(records.values()),
        "records_updated": len(applied_updates),
    }
    return figures, problems


def audit_replay() -> tuple[int, str]:
    out = subprocess.run(
        [PY, "manage.py", "audit_replay", "--verify"],
        cwd=ROOT,
        env=readbench.env(),
        capture_output=True,
        text=True,
    )
    return out.returncode, (out.stdout + out.stderr).strip()


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def report(
    tally: Tally,
    elapsed: float,
    ledger: Ledger,
    figures: dict,
    problems: list[str],
    lagging: list[str],
    replay: tuple[int, str],
    drained: float | None,
) -> bool:
    load = os.getloadavg()
    print(
        f"\nload bench: {REQUESTORS} requestors, {APPROVERS} approvers, {READERS} readers for {elapsed:.1f} s"
        f" (pauses {PROPOSE_PAUSE}/{REVIEW_PAUSE}/{READ_PAUSE} s, write throttle {WRITE_RATE});"
        f" granian 2 workers on CPUs 0-1, 1 Celery worker; {os.cpu_count()} vCPU;"
        f" load average {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
    )
    cpu = tally.cpu
    print(
        f"CPU seconds during the run (of {2 * elapsed:.0f} on 2 vCPU): server workers {cpu['server']:.1f},"
        f" Celery {cpu['celery']:.1f}, this client {cpu['client']:.1f};"
        f" the whole machine {cpu['machine']:.1f} (PostgreSQL, Redis and other people's work included)"
    )
    kinds = sorted({kind for kind, _ in tally.status})
    print(f"\n{'requests':<20}{'total':>7}{'req/s':>7}  by status")
    for kind in kinds:
        counts = {status: n for (k, status), n in tally.status.items() if k == kind}
        total = sum(counts.values())
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(counts.items(), key=lambda x: str(x[0])))
        print(f"{kind:<20}{total:>7}{total / elapsed:>7.1f}  {shown}")
    total = sum(tally.status.values())
    errors = sum(n for (_, s), n in tally.status.items() if not isinstance(s, int) or s >= 500)
    print(f"{'all':<20}{total:>7}{total / elapsed:>7.1f}  server errors and transport failures: {errors}")
    print(f"\n{'latency ms':<20}{'n':>7}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    groups = {
        "reads: documents": ["document"],
        "reads: records": ["record"],
        "reads: search": ["search"],
        "reads: all": ["document", "record", "search"],
        "writes: proposals": ["propose add", "propose update"],
        "writes: review": ["review"],
        "writes: apply": ["apply"],
        "queue list": ["queue list"],
    }
    for label, members in groups.items():
        values = [v for m in members for v in tally.latency.get(m, [])]
        print(
            f"{label:<20}{len(values):>7}{percentile(values, 0.5):>8.1f}{percentile(values, 0.9):>8.1f}"
            f"{percentile(values, 0.99):>8.1f}{percentile(values, 1.0):>8.1f}"
        )
    if tally.slow:
        print(f"\nrequests slower than 1 s: {len(tally.slow)}; the slowest (seconds into the run):")
        for took, started, kind, what in sorted(tally.slow, reverse=True)[:8]:
            print(f"  {took:6.2f} s at {started - tally.started:6.1f} s  {kind}: {what}")
    print(
        f"\nproposals: {figures['told']} answered 202, {figures['unanswered']} unanswered; "
        f"{figures['changes']} changes of the bench requestors in the database"
    )
    print("  final states: " + ", ".join(f"{s}: {n}" for s, n in sorted(figures["states"].items())))
    print("  by operation: " + ", ".join(f"{k}: {n}" for k, n in figures["by_operation"].items()))
    if figures["approved_not_applied"]:
        print("  approved, not applied (why):")
        for why, n in sorted(figures["approved_not_applied"].items(), key=lambda x: -x[1]):
            print(f"    {n:>5}  {why}")
    print(
        f"  records added: {figures['records_added']}; existing records updated: {figures['records_updated']}"
    )
    for title, refusals in (
        ("reviews refused (the whole review; the approver lists again)", ledger.review_refusals),
        ("applies stopped at a refused change (the rest applied in the next call)", ledger.apply_refusals),
    ):
        if refusals:
            print(f"  {title}:")
            for (status, why), n in sorted(refusals.items(), key=lambda x: -x[1]):
                print(f"    {n:>5}  {status} {why}")
    print(
        "  exports queued by the applies drained "
        + (f"in {drained:.1f} s" if drained is not None else "NOT within 120 s")
    )
    code, output = replay
    print(f"\naudit_replay --verify (exit {code}):\n  " + output.replace("\n", "\n  "))
    too_slow = [r for r in tally.slow if r[2] in READ_KINDS and r[0] > SLOWEST_READ]
    requirements = [
        ("no server error (5xx) and no transport failure", errors == 0, f"{errors}"),
        (
            "every proposal accounted for, none lost, none applied twice",
            not problems,
            f"{len(problems)} problem(s)",
        ),
        ("audit_replay --verify clean", code == 0, f"exit {code}"),
        (
            "exports drained; served and exported documents name exactly the live records",
            drained is not None and not lagging,
            f"{len(lagging)} problem(s)",
        ),
        (f"no read slower than {SLOWEST_READ:.0f} s", not too_slow, f"{len(too_slow)}"),
    ]
    print("\nrequirements:")
    for label, ok, detail in requirements:
        print(f"  {'met   ' if ok else 'FAILED'}  {label} ({detail})")
    details = problems + lagging + tally.failures
    for line in details[:40]:
        print(f"    - {line}")
    if len(details) > 40:
        print(f"    … and {len(details) - 40} more")
    return all(ok for _, ok, _ in requirements)


def main() -> None:
    horde, horde_url = start_fake_horde()
    export_dir = tempfile.mkdtemp(prefix="hmr-load-export-")
    os.environ.update(
        {
            "HMR_AI_HORDE_URL": horde_url,
            "HMR_REQUESTOR_IDS": ",".join(user_id(requestor(i)[1]) for i in range(REQUESTORS)),
            "HMR_APPROVER_IDS": ",".join(user_id(approver(i)[1]) for i in range(APPROVERS)),
            "HMR_VERIFY_ON_PROPOSAL": "false",
            "HMR_EXPORT_DIR": export_dir,
            "CELERY_BROKER_URL": readbench.REDIS_URL,
            "HMR_THROTTLE_WRITE_RATE": WRITE_RATE,
            # Every client comes from 127.0.0.1: the per-IP look-up limit would count all 24 keys as one
            # client's guesses.
            "HMR_THROTTLE_KEY_LOOKUP_RATE": "1000/minute",
        }
    )
    print("preparing the database (migrate, import the real data, seed roles)…", file=sys.stderr)
    readbench.prepare_database()
    subprocess.run(
        [PY, "manage.py", "seed_roles"], cwd=ROOT, env=readbench.env(), check=True, stdout=subprocess.DEVNULL
    )
    port_free_or_exit(readbench.PORT)
    worker = start_worker()
    server = readbench.start_server(workers=2, cpus="0,1")
    if server.poll() is not None:
        sys.exit(f"the server exited ({server.returncode})")
    try:
        templates, pool = templates_and_pool()
        ledger = Ledger()
        print(f"running for {SECONDS:.0f} s…", file=sys.stderr)
        before = {
            "server": cpu_seconds(family(server.pid)),
            "celery": cpu_seconds(family(worker.pid)),
            "client": _self_cpu(),
            "machine": machine_busy(),
        }
        tally, elapsed = run_clients(templates, pool, ledger)
        cpu = {
            "server": cpu_seconds(family(server.pid)) - before["server"],
            "celery": cpu_seconds(family(worker.pid)) - before["celery"],
            "client": _self_cpu() - before["client"],
            "machine": machine_busy() - before["machine"],
        }
        tally.cpu = cpu
        drained = drain_exports()
        lagging = caught_up(Path(export_dir))
    finally:
        server.terminate()
        server.wait()
        worker.terminate()
        worker.wait()
        horde.shutdown()
    figures, problems = reconcile(ledger)
    shutil.rmtree(export_dir, ignore_errors=True)
    ok = report(tally, elapsed, ledger, figures, problems, lagging, audit_replay(), drained)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
