"""Beat schedules in the database: installed once, following the environment unless edited."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from hmr_site.celery import app

pytestmark = pytest.mark.django_db
SYNC = "HMR: sync the legacy GitHub repositories"
NIGHTLY = "HMR: nightly export check"
REPLICA = "HMR: replica pull"
USAGE = "HMR: refresh AI-Horde usage"
CHECKS = "HMR: nightly download checks"


def install() -> list[str]:
    out = StringIO()
    call_command("install_schedules", stdout=out)
    return out.getvalue().splitlines()


def test_install_creates_the_five_schedules_for_registered_tasks(settings):
    settings.HMR_SYNC_INTERVAL_MINUTES = 30
    settings.HMR_REPLICA_PULL_INTERVAL_MINUTES = 5
    settings.HMR_USAGE_REFRESH_MINUTES = 10
    settings.HMR_VERIFY_NIGHTLY_AT = (1, 0)
    assert install() == [
        f"{SYNC}: created",
        f"{NIGHTLY}: created",
        f"{REPLICA}: created",
        f"{USAGE}: created",
        f"{CHECKS}: created",
    ]
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("interval", "crontab")}
    sync, nightly, replica = tasks[SYNC], tasks[NIGHTLY], tasks[REPLICA]
    assert (sync.task, sync.interval.every, sync.interval.period, sync.enabled) == (
        "sync.sync_github",
        30,
        "minutes",
        True,
    )
    assert (sync.expire_seconds, replica.interval.every, replica.task) == (1800, 5, "sync.replica_pull")
    usage = tasks[USAGE]
    assert (usage.task, usage.interval.every, usage.expire_seconds) == ("analytics.usage_refresh", 10, 600)
    assert (nightly.task, nightly.crontab.minute, nightly.crontab.hour, str(nightly.crontab.timezone)) == (
        "sync.export_all",
        "30",
        "3",
        "UTC",
    )
    assert "Installed by manage.py install_schedules: daily at 03:30 UTC." in nightly.description
    checks = tasks[CHECKS]
    assert (checks.task, checks.crontab.minute, checks.crontab.hour) == ("verification.nightly", "0", "1")
    assert "Installed by manage.py install_schedules: daily at 01:00 UTC." in checks.description
    app.loader.import_default_modules()  # what a worker does at start: autodiscover apps/*/tasks.py
    assert {t.task for t in tasks.values()} <= set(app.tasks)


def test_install_is_idempotent_and_follows_the_environment(settings):
    install()
    assert install() == [
        f"{SYNC}: unchanged",
        f"{NIGHTLY}: unchanged",
        f"{REPLICA}: unchanged",
        f"{USAGE}: unchanged",
        f"{CHECKS}: unchanged",
    ]
    settings.HMR_SYNC_INTERVAL_MINUTES = 15
    assert install()[0] == f"{SYNC}: updated"
    sync = PeriodicTask.objects.get(name=SYNC)
    assert (sync.interval.every, sync.expire_seconds) == (15, 900)
    assert "every 15 minutes" in sync.description
    settings.HMR_VERIFY_NIGHTLY_AT = (2, 15)
    assert install()[4] == f"{CHECKS}: updated"
    checks = PeriodicTask.objects.get(name=CHECKS)
    assert (checks.crontab.hour, checks.crontab.minute) == ("2", "15")
    assert PeriodicTask.objects.count() == 5


def test_a_schedule_edited_in_the_admin_is_kept(settings):
    install()
    sync = PeriodicTask.objects.get(name=SYNC)
    sync.interval, _ = IntervalSchedule.objects.get_or_create(every=10, period=IntervalSchedule.MINUTES)
    sync.save()
    settings.HMR_SYNC_INTERVAL_MINUTES = 15
    assert install()[0] == f"{SYNC}: kept (edited in the admin)"
    assert PeriodicTask.objects.get(name=SYNC).interval.every == 10


def test_bootstrap_installs_the_schedules_and_exports_every_category(imported, export_dir, legacy_dir):
    out = StringIO()
    call_command("bootstrap", stdout=out)
    assert f"Schedule '{SYNC}': created." in out.getvalue()
    assert PeriodicTask.objects.count() == 5
    assert f"Exports in {export_dir}: 15 categories written, 0 unchanged." in out.getvalue()
    # lora has no record, so no import exported it; bootstrap does.
    assert (export_dir / "legacy/image/lora.json").read_bytes() == (
        legacy_dir / "image/lora.json"
    ).read_bytes()
    call_command("bootstrap", stdout=out)
    assert f"Exports in {export_dir}: 0 categories written, 15 unchanged." in out.getvalue()


def test_schedules_are_edited_in_the_admin(client):
    install()
    client.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    page = client.get("/admin/django_celery_beat/periodictask/")
    assert page.status_code == 200
    assert SYNC in page.content.decode()
