"""Killing a writer in the middle of its transaction, deterministically, and what to compare
afterwards (see test_killed_mid_apply.py and test_killed_mid_import.py).

The test holds a PostgreSQL row lock that the write needs late in its transaction
(`RowLock`), waits until the writing backend is blocked on it (`blocked_writer`: pg_stat_activity
shows it waiting on a lock, and whether it has a transaction id, i.e. has written rows), SIGKILLs
the process, releases the lock and waits until the backend has seen its client gone and rolled
back (`wait_gone`). "State" is every row of every table (`database_state`).
"""

import subprocess
import time

import psycopg

from tests.faults.servers import PY, ROOT, sql

BLOCKED_WITHIN_SECONDS = 15


def database_state(url: str) -> dict[str, str]:
    """Every table's rows, as one digest per table (the private cluster holds only HMR's data)."""
    tables = [
        name
        for (name,) in sql(
            url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    digest = (
        "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
    )
    return {table: sql(url, digest.format(f'"{table}"'))[0][0] for table in tables}


class RowLock:
    """A transaction of the test's own holding `FOR NO KEY UPDATE` on the rows `query` selects:
    an update or `select_for_update` of them waits; a foreign key check (`FOR KEY SHARE`, at
    COMMIT: Django's constraints are deferred) does not, so a commit is never what waits."""

    def __init__(self, url: str, query: str, params: tuple) -> None:
        self.connection = psycopg.connect(url)
        locked = self.connection.execute(query + " FOR NO KEY UPDATE", params).fetchall()
        assert locked, f"nothing to lock: {query} {params}"

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def blocked_writer(url: str) -> tuple[int, str | None, str]:
    """(pid, transaction id, statement) of the backend waiting on a lock. A transaction id is
    assigned at a transaction's first write: None, it had written nothing yet."""
    deadline = time.monotonic() + BLOCKED_WITHIN_SECONDS
    while time.monotonic() < deadline:
        rows = sql(
            url,
            "SELECT pid, backend_xid::text, query FROM pg_stat_activity"
            " WHERE datname = 'hmr' AND wait_event_type = 'Lock'",
        )
        if rows:
            assert len(rows) == 1, rows
            return rows[0]
        time.sleep(0.05)
    raise TimeoutError("no writer blocked on the test's lock")


def wait_gone(url: str, pid: int) -> None:
    """Until the killed process's backend has noticed, rolled back and exited."""
    deadline = time.monotonic() + BLOCKED_WITHIN_SECONDS
    while sql(url, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)):
        assert time.monotonic() < deadline, f"backend {pid} is still there"
        time.sleep(0.05)


def audit_replay_verify(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", "audit_replay", "--verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def assert_trail_rebuilds_the_records(env: dict, url: str) -> None:
    replay = audit_replay_verify(env)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    (records,) = sql(url, "SELECT count(*) FROM catalog_modelrecord")[0]
    (events,) = sql(url, "SELECT count(*) FROM audit_auditevent WHERE category <> 'pending_queue'")[0]
    assert replay.stdout.splitlines() == [
        f"Replayed {events} record events; {records} live records.",
        "No difference: the audit trail rebuilds every live record.",
    ]
