"""HMR's production server killed (SIGKILL, granian and its worker) in the middle of an apply:
nothing of the apply is left, the audit trail and the live records agree (`manage.py audit_replay
--verify`), a new server serves the old bytes, and the same apply done again succeeds exactly once.

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
