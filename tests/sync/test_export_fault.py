"""An export killed in the middle of writing a file leaves the previous file in place, and the next
export finishes the job (and removes the dead writer's temporary file)."""

import os
import shutil
import signal
import subprocess
import sys

import pytest
from django.test import override_settings

from apps.catalog.categories import Category
from apps.sync.services.exports import STALE_TEMP_SECONDS, category_export
from tests.sync.conftest import ROOT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SD = "legacy/image/stable_diffusion.json"
# `manage.py export_categories` with os.fsync patched to stop for good once the new bytes of the
# legacy stable_diffusion.json are in its temporary file: the moment to kill it.
HANG_MID_WRITE = """
import os, sys, time
real_fsync = os.fsync
def fsync_then_hang(fd):
    real_fsync(fd)
    if "/legacy/image/.stable_diffusion.json." in os.readlink(f"/proc/self/fd/{fd}"):
        print("mid-write", flush=True)
        time.sleep(120)
os.fsync = fsync_then_hang
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "export_categories", "--category", "image_generation"])
"""


def test_an_export_killed_mid_write_leaves_the_previous_file_intact(
    process_env, imported_image, export_dir, edit, tmp_path
):
    # The import committed and exported the current data (eagerly, in this process); keep it.
    previous_dir = tmp_path / "previous"
    shutil.copytree(export_dir, previous_dir)
    previous = (previous_dir / SD).read_bytes()
    edit(Category.IMAGE_GENERATION, {"stable_diffusion_2.1": {"description": "Changed before the crash."}})
    current = (export_dir / SD).read_bytes()
    assert current != previous

    process = subprocess.Popen(
        [sys.executable, "-c", HANG_MID_WRITE],
        cwd=ROOT, env={**process_env, "HMR_EXPORT_DIR": str(previous_dir)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout.readline() == "mid-write\n"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()

    assert (previous_dir / SD).read_bytes() == previous
    temps = list((previous_dir / "legacy/image").glob(".stable_diffusion.json.*"))
    assert len(temps) == 1 and temps[0].read_bytes() == current  # killed after writing, before the rename

    # Much later, the next export (here: in this process) writes the file and clears the debris.
    old = temps[0].stat().st_mtime - STALE_TEMP_SECONDS - 1
    os.utime(temps[0], (old, old))
    with override_settings(HMR_EXPORT_DIR=previous_dir):
        outcome = wait_for(lambda: category_export(category=Category.IMAGE_GENERATION), what="the lock")
    assert SD in outcome.written
    assert (previous_dir / SD).read_bytes() == current
    assert list((previous_dir / "legacy/image").glob(".stable_diffusion.json.*")) == []
