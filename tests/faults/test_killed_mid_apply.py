"""HMR's production server killed (SIGKILL, granian and its worker) in the middle of an apply:
nothing of the apply is left, the audit trail and the live records agree (`manage.py audit_replay
--verify`), a new server serves the old bytes, and the same apply done again succeeds exactly once.
A batch apply killed in its second change keeps the first (its own committed transaction) and
nothing of the second; the batch applied again applies the second only.

Killed in the middle: the apply blocks on the test's lock of the change's review batch row, the
last statement of its transaction, when the change marked applied, the record, its audit events
and the category metadata are written but not committed (tests/faults/killing.py). Everything
runs on a private PostgreSQL cluster; the state compared is every row of every table.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fake_horde import APPROVER, REQUESTOR
from tests.faults.killing import (
    RowLock,
    assert_trail_rebuilds_the_records,
    blocked_writer,
    database_state,
    wait_gone,
)
from tests.faults.servers import kill_server, sql

V2 = "/api/model_references/v2"
Q = f"{V2}/pending_queue"


def call(method: str, url: str, apikey: str, body: dict | None = None) -> requests.Response:
    return requests.request(method, url, json=body, headers={"apikey": apikey}, timeout=30)


def test_a_server_killed_in_the_middle_of_an_apply_leaves_nothing_and_the_apply_succeeds_later(catalog_stack):
    url, base = catalog_stack.postgres.url, catalog_stack.serve()
    name = "KILLED_MID_APPLY"
    proposed = call(
        "POST", f"{base}{V2}/blip/add", REQUESTOR.apikey, {"name": name, "config": {"download": []}}
    )
    assert proposed.status_code == 202, proposed.text
    change = proposed.json()["change_id"]
    review = call(
        "POST", f"{base}{Q}/batches", APPROVER.apikey, {"batch_title": "Kill", "approved_ids": [change]}
    )
    assert review.status_code == 200, review.text
    batch = review.json()["batch_id"]
    document = requests.get(f"{base}{V2}/blip", timeout=10)
    before = database_state(url)

    lock = RowLock(url, "SELECT id FROM moderation_reviewbatch WHERE id = %s", (batch,))
    with ThreadPoolExecutor(1) as pool:
        body = {"job_id": "job-killed"}
        applying = pool.submit(call, "POST", f"{base}{Q}/changes/{change}/apply", APPROVER.apikey, body)
        try:
            pid, xid, statement = blocked_writer(url)
            kill_server(catalog_stack.servers.pop())
        finally:
            lock.release()
        with pytest.raises(requests.ConnectionError):  # the client: the connection dropped, no answer
            applying.result()
    wait_gone(url, pid)

    assert database_state(url) == before
    # Killed at the transaction's last statement, everything else written (not committed).
    assert xid is not None and statement.startswith('UPDATE "moderation_reviewbatch" SET "applied_at"'), (
        statement
    )
    assert sql(
        url, "SELECT status, applied_job_id FROM moderation_pendingchange WHERE id = %s", (change,)
    ) == [("approved", None)]
    assert_trail_rebuilds_the_records(catalog_stack.env, url)
    base = catalog_stack.serve()  # a new process: it reads what PostgreSQL committed
    still = requests.get(f"{base}{V2}/blip", timeout=10)
    assert (still.status_code, still.content, still.headers["ETag"]) == (
        200,
        document.content,
        document.headers["ETag"],
    )

    again = call("POST", f"{base}{Q}/changes/{change}/apply", APPROVER.apikey, {"job_id": "job-killed"})
    assert again.status_code == 200, again.text
    assert (again.json()["record"]["status"], again.json()["record"]["applied_job_id"]) == (
        "applied",
        "job-killed",
    )
    assert sql(url, "SELECT count(*) FROM catalog_modelrecord WHERE name = %s", (name,)) == [(1,)]
    applies = sql(
        url,
        "SELECT count(*) FROM audit_auditevent WHERE category = 'pending_queue' AND model_name = %s"
        " AND payload::jsonb->'after'->>'action' = 'apply'",
        (str(change),),
    )
    assert applies == [(1,)]
    assert sql(
        url, "SELECT count(*) FROM audit_auditevent WHERE category = 'blip' AND model_name = %s", (name,)
    ) == [(1,)]
    served = requests.get(f"{base}{V2}/blip", timeout=10)
    assert set(served.json()) - set(document.json()) == {name}
    assert_trail_rebuilds_the_records(catalog_stack.env, url)


def proposed(base: str, category: str, name: str) -> int:
    response = call(
        "POST", f"{base}{V2}/{category}/add", REQUESTOR.apikey, {"name": name, "config": {"download": []}}
    )
    assert response.status_code == 202, response.text
    return response.json()["change_id"]


def status(url: str, change: int) -> str:
    return sql(url, "SELECT status FROM moderation_pendingchange WHERE id = %s", (change,))[0][0]


def test_a_server_killed_in_the_middle_of_a_batch_apply_keeps_the_changes_it_committed_and_not_the_rest(
    catalog_stack,
):
    """A batch applies its changes one transaction each, in order: killed in the second, the first
    stays applied, the second is left approved and untouched, and the batch applied again applies
    the second only."""
    url, base = catalog_stack.postgres.url, catalog_stack.serve()
    first, second = proposed(base, "blip", "BATCH_FIRST"), proposed(base, "clip", "BATCH_SECOND")
    review = {"batch_title": "Two", "approved_ids": [first, second]}
    batch = call("POST", f"{base}{Q}/batches", APPROVER.apikey, review).json()["batch_id"]
    clip = requests.get(f"{base}{V2}/clip", timeout=10)

    # The second change's transaction counts its write in clip's metadata last, its record and
    # audit event written by then.
    lock = RowLock(url, "SELECT category FROM catalog_categorymetadata WHERE category = %s", ("clip",))
    with ThreadPoolExecutor(1) as pool:
        applying = pool.submit(
            call, "POST", f"{base}{Q}/apply_batch/{batch}?job_id=batch-job", APPROVER.apikey
        )
        try:
            pid, xid, statement = blocked_writer(url)
            kill_server(catalog_stack.servers.pop())
        finally:
            lock.release()
        with pytest.raises(requests.ConnectionError):
            applying.result()
    wait_gone(url, pid)

    assert xid is not None and "catalog_categorymetadata" in statement, statement
    assert (status(url, first), status(url, second)) == ("applied", "approved")
    names = ("BATCH_FIRST", "BATCH_SECOND")
    records = "SELECT category, name FROM catalog_modelrecord WHERE name IN (%s, %s) ORDER BY name"
    assert sql(url, records, names) == [("blip", "BATCH_FIRST")]
    assert_trail_rebuilds_the_records(catalog_stack.env, url)
    base = catalog_stack.serve()
    assert "BATCH_FIRST" in requests.get(f"{base}{V2}/blip", timeout=10).json()
    assert requests.get(f"{base}{V2}/clip", timeout=10).content == clip.content

    again = call("POST", f"{base}{Q}/apply_batch/{batch}?job_id=batch-job", APPROVER.apikey)
    assert again.status_code == 200, again.text
    assert [c["change_id"] for c in again.json()["applied"]] == [second]
    assert (status(url, first), status(url, second)) == ("applied", "applied")
    assert sql(url, records, names) == [
        ("blip", "BATCH_FIRST"),
        ("clip", "BATCH_SECOND"),
    ]
    events = sql(
        url,
        "SELECT category, model_name, count(*) FROM audit_auditevent WHERE model_name IN (%s, %s)"
        " GROUP BY category, model_name ORDER BY model_name",
        names,
    )
    assert events == [("blip", "BATCH_FIRST", 1), ("clip", "BATCH_SECOND", 1)]
    applies = sql(
        url,
        "SELECT model_name, count(*) FROM audit_auditevent WHERE category = 'pending_queue'"
        " AND model_name IN (%s, %s) AND payload::jsonb->'after'->>'action' = 'apply'"
        " GROUP BY model_name ORDER BY model_name::int",
        (str(first), str(second)),
    )
    assert applies == [(str(first), 1), (str(second), 1)]
    assert set(requests.get(f"{base}{V2}/clip", timeout=10).json()) - set(clip.json()) == {"BATCH_SECOND"}
    assert_trail_rebuilds_the_records(catalog_stack.env, url)
