"""The Celery broker unreachable when a change is applied: the apply commits, once, within a
bounded time; the document refresh and the export still happen (`sync.tasks.queue_exports`
exports in the applying process when the broker refuses the task); when the broker is back, the
next change queues its export again, and nothing is applied or written twice.

Two shapes of the fault: the broker killed (connections refused) and the broker stopped with
SIGSTOP (the kernel still accepts connections, nothing answers: without a socket timeout a publish
would wait forever; `HMR_BROKER_TIMEOUT_SECONDS` bounds it).

The server is HMR's production server (granian) on a private PostgreSQL cluster, with
CELERY_BROKER_URL pointing at a private redis-server (append-only file on, as a broker should
run). No Celery worker runs: what reaches the broker stays in its queue, where the test reads it
and then runs each queued export itself, as a worker would.
"""

import json
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import requests
from django.conf import settings

from apps.catalog.categories import CATEGORIES, Category
from tests.fake_horde import APPROVER, REQUESTOR
from tests.faults.servers import (
    PY,
    ROOT,
    FakeHordeServer,
    PrivatePostgres,
    PrivateRedis,
    free_port,
    kill_server,
    manage,
    server_env,
    sql,
    start_server,
)

V1, V2 = "/api/model_references/v1", "/api/model_references/v2"
Q = f"{V2}/pending_queue"
QUEUE = "hmr"  # CELERY_TASK_DEFAULT_QUEUE: a Redis list on the broker
BLIP = CATEGORIES[Category.BLIP]
EXPORT = ("sync.export_category", "('blip',)")
# A publish to a Redis broker is one attempt bounded by HMR_BROKER_TIMEOUT_SECONDS (2 s); an apply
# of blip publishes one task (its export). Without the timeout, a stopped broker hangs the apply.
APPLY_BOUND_SECONDS = 5


@pytest.fixture
def stack(legacy_dir, tmp_path):
    postgres, broker, horde = PrivatePostgres(), PrivateRedis(), FakeHordeServer()
    postgres.start()
    postgres.create_database()
    broker.start()
    export_dir = tmp_path / "export"
    env = server_env(
        postgres.url, settings.CACHES["documents"]["LOCATION"], horde.url, HMR_EXPORT_DIR=str(export_dir)
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "import_references", "--legacy", str(legacy_dir), "-v0")  # eager: exports every file
    manage(env, "seed_roles")
    env["CELERY_BROKER_URL"] = broker.url
    port = free_port()
    server = start_server(env, port)
    try:
        yield SimpleNamespace(
            postgres=postgres, broker=broker, env=env, export_dir=export_dir, base=f"http://127.0.0.1:{port}"
        )
    finally:
        kill_server(server)
        broker.remove()
        horde.close()
        postgres.remove()


def call(method: str, url: str, apikey: str, body: dict | None = None) -> requests.Response:
    return requests.request(method, url, json=body, headers={"apikey": apikey}, timeout=30)


def proposed_and_approved(base: str, name: str) -> int:
    body = {"name": name, "config": {"download": []}}
    proposed = call("POST", f"{base}{V2}/blip/add", REQUESTOR.apikey, body)
    assert proposed.status_code == 202, proposed.text
    change = proposed.json()["change_id"]
    review = {"batch_title": name, "approved_ids": [change]}
    assert call("POST", f"{base}{Q}/batches", APPROVER.apikey, review).status_code == 200
    return change


def apply(base: str, change: int, job_id: str) -> requests.Response:
    return call("POST", f"{base}{Q}/changes/{change}/apply", APPROVER.apikey, {"job_id": job_id})


def queued_tasks(broker: PrivateRedis) -> list[tuple[str, str]]:
    """(task name, arguments) of every message waiting in the broker's queue, oldest first."""
    messages = redis.Redis.from_url(broker.url).lrange(QUEUE, 0, -1)
    headers = [json.loads(raw)["headers"] for raw in reversed(messages)]  # kombu LPUSHes
    return [(h["task"], h["argsrepr"]) for h in headers]


def run_queued_exports(env: dict, tasks: list[tuple[str, str]]) -> list[dict]:
    """What a worker would do with the queued exports: run each task, in a process of its own."""
    calls = "; ".join(f"print(json.dumps(export_category{args}))" for _, args in tasks)
    script = f"import json; from apps.sync.tasks import export_category; {calls}"
    env = {k: v for k, v in env.items() if k != "CELERY_BROKER_URL"}
    done = subprocess.run(
        [PY, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def trail(url: str, name: str, change: int) -> list[tuple]:
    """The record's audit events and its change's queue steps (named by change id), in order."""
    return sql(
        url,
        "SELECT category, operation, payload::jsonb->'after'->>'action' FROM audit_auditevent"
        " WHERE (category = 'blip' AND model_name = %s) OR (category = 'pending_queue' AND model_name = %s)"
        " ORDER BY id",
        (name, str(change)),
    )


def documents(base: str) -> dict[str, requests.Response]:
    return {
        "v1": requests.get(f"{base}{V1}/{Category.BLIP.value}", timeout=10),
        "v2": requests.get(f"{base}{V2}/{Category.BLIP.value}", timeout=10),
    }


def exported(export_dir: Path) -> dict:
    """The exported files: the legacy file's bytes (what v1 serves, byte for byte) and the v2 file's
    data (v2 serves it compact, the export indented)."""
    return {
        "v1": (export_dir / "legacy" / "image" / BLIP.legacy_file).read_bytes(),
        "v2": json.loads((export_dir / "v2" / BLIP.v2_file).read_bytes()),
    }


def served(responses: dict[str, requests.Response]) -> dict:
    return {"v1": responses["v1"].content, "v2": responses["v2"].json()}


@pytest.mark.parametrize("fault", ["killed", "stopped"])
def test_an_apply_with_the_broker_down_commits_once_is_served_and_exported(stack, fault):
    s = stack
    # The broker up: the apply queues its export (no worker runs: the files stay as they were).
    files_at_start = exported(s.export_dir)
    first = proposed_and_approved(s.base, "BEFORE_THE_FAULT")
    assert apply(s.base, first, "job-before").status_code == 200
    assert queued_tasks(s.broker) == [EXPORT]
    assert exported(s.export_dir) == files_at_start
    before = documents(s.base)
    assert "BEFORE_THE_FAULT" in before["v2"].json()

    name = "DURING_THE_FAULT"
    change = proposed_and_approved(s.base, name)
    s.broker.kill() if fault == "killed" else s.broker.pause()
    started = time.monotonic()
    applied = apply(s.base, change, "job-during")
    took = time.monotonic() - started
    assert applied.status_code == 200, applied.text
    record = applied.json()["record"]
    assert (record["status"], record["applied_job_id"], record["model_name"]) == (
        "applied",
        "job-during",
        name,
    )
    assert took < APPLY_BOUND_SECONDS, f"the apply waited {took:.1f} s for the broker"
    # Committed once: one record, one record event, one apply step in the audit trail.
    assert sql(s.postgres.url, "SELECT count(*) FROM catalog_modelrecord WHERE name = %s", (name,)) == [(1,)]
    steps = [
        ("pending_queue", "update", "enqueue"),
        ("pending_queue", "update", "approve"),
        ("blip", "create", None),
        ("pending_queue", "update", "apply"),
    ]
    assert trail(s.postgres.url, name, change) == steps
    # The document refresh: both documents serve the new record, under a new ETag.
    during = documents(s.base)
    for version in ("v1", "v2"):
        assert during[version].status_code == 200
        assert during[version].headers["ETag"] != before[version].headers["ETag"]
        assert set(during[version].json()) - set(before[version].json()) == {name}
    # The export, done in the applying process: the files on disk hold the bytes now served.
    assert exported(s.export_dir) == served(during)

    s.broker.start() if fault == "killed" else s.broker.resume()
    again = apply(s.base, change, "job-during")  # a client's retry of the same job
    assert (again.status_code, again.json()["record"]) == (200, record)
    other_job = apply(s.base, change, "job-other")
    assert (other_job.status_code, other_job.json()) == (
        400,
        {"detail": f"Change {change} is not approved (status=applied)."},
    )
    assert trail(s.postgres.url, name, change) == steps
    # The broker kept the export queued before the fault. Stopped, it also received the publish
    # that timed out (sent on the connection the first apply opened) and carries it out once it
    # runs again: that export is done twice, here and by a worker. Run now, they write nothing.
    left = queued_tasks(s.broker)
    assert left == ([EXPORT] if fault == "killed" else [EXPORT, EXPORT])
    outcomes = run_queued_exports(s.env, left)
    assert outcomes == [{"category": "blip", "result": "unchanged", "written": []}] * len(left)
    assert exported(s.export_dir) == served(documents(s.base))

    # The next apply queues its export on the broker again (no restart) instead of exporting here.
    later = proposed_and_approved(s.base, "AFTER_THE_FAULT")
    assert apply(s.base, later, "job-after").status_code == 200
    assert queued_tasks(s.broker) == [*left, EXPORT]
    after = documents(s.base)
    assert set(after["v2"].json()) - set(during["v2"].json()) == {"AFTER_THE_FAULT"}
    assert exported(s.export_dir) == served(during)
