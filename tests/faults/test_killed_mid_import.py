"""`manage.py import_references` killed (SIGKILL) in the middle of an import: the catalog stays
entirely the old one (not one record of the import written), the audit trail and the live records
agree (`manage.py audit_replay --verify`), clients are served the old bytes; the import run again
writes exactly the edited records, once, and clients are served the new bytes.

Killed in the middle: the import reads a copy of the legacy files with one record edited in the
first category it imports (blip) and one in the last image category (image_generation), and
blocks on the test's lock of an image_generation row, blip's update written but not committed
(tests/faults/killing.py). Everything runs on a private PostgreSQL cluster; the state compared is
every row of every table.
"""

import json
import subprocess
from pathlib import Path

import requests

from apps.catalog.categories import category_by_legacy_file
from tests.faults.killing import (
    RowLock,
    assert_trail_rebuilds_the_records,
    blocked_writer,
    database_state,
    wait_gone,
)
from tests.faults.servers import PY, ROOT, sql

V1 = "/api/model_references/v1"


def edited_copy(legacy_dir: Path, target: Path) -> dict[str, tuple[bytes, bytes]]:
    """The legacy files with one record edited in blip.json and one in stable_diffusion.json:
    file name -> (bytes before, bytes after)."""
    subprocess.run(["cp", "-r", str(legacy_dir), str(target)], check=True)
    subprocess.run(["chmod", "-R", "u+w", str(target)], check=True)
    edits = {
        "blip.json": ('"available": false', '"available": true'),
        "stable_diffusion.json": (
            '"description": "Generalist AI image generating model. The baseline for all finetuned models."',
            '"description": "Generalist AI image generating model, edited by an import that was killed."',
        ),
    }
    files = {}
    for file_name, (old, new) in edits.items():
        path = target / "image" / file_name
        original = path.read_bytes()
        assert old.encode() in original
        path.write_bytes(original.replace(old.encode(), new.encode(), 1))
        files[file_name] = (original, path.read_bytes())
    return files


def edited_records(original: bytes, edited: bytes) -> list[str]:
    before, after = json.loads(original), json.loads(edited)
    assert list(before) == list(after)
    return [name for name in after if after[name] != before[name]]


def test_an_import_killed_in_the_middle_leaves_the_old_catalog_and_completes_when_run_again(
    catalog_stack, legacy_dir, tmp_path
):
    url, base = catalog_stack.postgres.url, catalog_stack.serve()
    files = edited_copy(legacy_dir, tmp_path / "legacy")
    served = {"blip.json": f"{base}{V1}/blip", "stable_diffusion.json": f"{base}{V1}/stable_diffusion"}
    for file_name, (original, _) in files.items():
        assert requests.get(served[file_name], timeout=10).content == original
    before = database_state(url)
    command = [PY, "manage.py", "import_references", "--legacy", str(tmp_path / "legacy"), "-v0"]

    lock = RowLock(url, "SELECT id FROM catalog_modelrecord WHERE category = 'image_generation' LIMIT 1", ())
    importing = subprocess.Popen(command, cwd=ROOT, env=catalog_stack.env, stdout=subprocess.DEVNULL)
    try:
        pid, xid, statement = blocked_writer(url)
        importing.kill()
        assert importing.wait() == -9
    finally:
        lock.release()
    wait_gone(url, pid)

    assert database_state(url) == before  # not even blip's update, written before the kill
    # Killed while locking image_generation's rows, blip's update written (not committed).
    assert xid is not None and "FOR UPDATE" in statement and "'image_generation'" in statement, statement
    for file_name, (original, _) in files.items():
        assert requests.get(served[file_name], timeout=10).content == original
    assert_trail_rebuilds_the_records(catalog_stack.env, url)

    events = sql(url, "SELECT max(id) FROM audit_auditevent")[0][0]
    done = subprocess.run(command, cwd=ROOT, env=catalog_stack.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    written = sql(
        url,
        "SELECT category, model_name, operation FROM audit_auditevent WHERE id > %s ORDER BY id",
        (events,),
    )
    assert written == [
        (category_by_legacy_file(file_name).category.value, name, "update")
        for file_name, (original, edited) in files.items()
        for name in edited_records(original, edited)
    ]
    for file_name, (_, edited) in files.items():
        assert requests.get(served[file_name], timeout=10).content == edited
    assert_trail_rebuilds_the_records(catalog_stack.env, url)
