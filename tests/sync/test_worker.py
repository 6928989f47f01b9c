"""End to end with a real Celery worker on the real broker (Redis): a change committed by an
import reaches the export directory through the queue, and an export of unchanged data leaves the
file untouched. The worker and the import are separate processes on the test's committed database;
the broker is HMR_TEST_CELERY_BROKER_URL (a Redis database of its own) with a queue per test."""

import shutil
import signal
import subprocess
import sys
import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings

from apps.sync.models import ExportRun
from tests.sync.conftest import ROOT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SD = "legacy/image/stable_diffusion.json"


@pytest.fixture
def broker_env(process_env):
    queue = f"hmr-test-{uuid.uuid4().hex[:12]}"
    return {
        **process_env,
        "CELERY_BROKER_URL": settings.HMR_TEST_CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }


@pytest.fixture
def worker(broker_env, tmp_path):
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "hmr_site", "worker", "--pool=solo", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", broker_env["CELERY_TASK_DEFAULT_QUEUE"], "-n", f"{broker_env['CELERY_TASK_DEFAULT_QUEUE']}@%h",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=broker_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(
            lambda: " ready." in log.read_text() or process.poll() is not None, what="the worker to start"
        )
        assert process.poll() is None, log.read_text()
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        queue = broker_env["CELERY_TASK_DEFAULT_QUEUE"]
        keys = [queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
        redis.Redis.from_url(settings.HMR_TEST_CELERY_BROKER_URL).delete(*keys)  # leave the broker DB clean


def import_legacy(directory, env):
    done = subprocess.run(
        [sys.executable, "manage.py", "import_references", "--legacy", str(directory), "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_committed_change_is_exported_by_the_worker_and_an_unchanged_export_writes_nothing(
    worker, broker_env, export_dir, legacy_dir, tmp_path
):
    source = tmp_path / "legacy"
    shutil.copytree(legacy_dir / "image", source / "image")
    for path in source.rglob("*.json"):
        path.chmod(0o644)
    import_legacy(source, broker_env)
    target = export_dir / SD
    wait_for(lambda: ExportRun.objects.filter(category="image_generation").exists(), what="the first export")
    before = target.read_bytes()
    assert before == (legacy_dir / "image/stable_diffusion.json").read_bytes()

    sd = source / "image/stable_diffusion.json"
    old = '"description": "Generalist AI image generating model. The baseline for all finetuned models."'
    assert old in sd.read_text()
    sd.write_text(sd.read_text().replace(old, '"description": "Changed through the queue."', 1))
    import_legacy(source, broker_env)

    after = wait_for(
        lambda: target.read_bytes() != before and target.read_bytes(), what="the export to change"
    )
    assert after == sd.read_bytes()
    assert "Task sync.export_category[" in worker.read_text()
    mtime = target.stat().st_mtime_ns
    runs = ExportRun.objects.filter(category="image_generation").count()

    # Not set as current: shared tasks of this process must keep running eagerly.
    producer = Celery(broker=settings.HMR_TEST_CELERY_BROKER_URL, set_as_current=False)
    producer.send_task(
        "sync.export_category", args=["image_generation"], queue=broker_env["CELERY_TASK_DEFAULT_QUEUE"]
    )
    wait_for(
        lambda: ExportRun.objects.filter(category="image_generation").count() > runs, what="the re-export"
    )
    producer.close()

    assert ExportRun.objects.filter(category="image_generation").first().result == "unchanged"
    assert target.stat().st_mtime_ns == mtime
    assert target.read_bytes() == after
