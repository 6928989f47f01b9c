"""Beat schedules, stored with django-celery-beat so operators edit them in the admin.

`schedules_install` is idempotent and runs from `manage.py install_schedules` and `bootstrap`. A
schedule it installed and nobody edited follows the environment (change
HMR_SYNC_INTERVAL_MINUTES, restart, and the interval follows); one edited in the admin is kept.
It knows which is which from the description it writes, which names the schedule it installed.
All schedules are enabled: each task checks the mode itself (sync runs on a PRIMARY, the replica
pull on a REPLICA), so switching modes needs no schedule change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

NIGHTLY = ("30", "3")  # minute, hour (UTC): the nightly export check


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    task: str
    purpose: str
    every_minutes: int | None = None
    crontab: tuple[str, str] | None = None  # (minute, hour), daily, UTC

    @property
    def expire_seconds(self) -> int:
        # A run still queued when the next one is due is dropped: the next one does the same work.
        return self.every_minutes * 60 if self.every_minutes else 6 * 3600


def schedule_specs() -> list[ScheduleSpec]:
    return [
        ScheduleSpec(
            "HMR: sync the legacy GitHub repositories",
            "sync.sync_github",
            "Opens or updates the sync pull request of each legacy repository (PRIMARY only).",
            every_minutes=settings.HMR_SYNC_INTERVAL_MINUTES,
        ),
        ScheduleSpec(
            "HMR: nightly export check",
            "sync.export_all",
            "Re-renders every category into HMR_EXPORT_DIR; unchanged files are not written.",
            crontab=NIGHTLY,
        ),
        ScheduleSpec(
            "HMR: replica pull",
            "sync.replica_pull",
            "Pulls the PRIMARY's documents into this REPLICA (REPLICA only).",
            every_minutes=settings.HMR_REPLICA_PULL_INTERVAL_MINUTES,
        ),
        ScheduleSpec(
            "HMR: refresh AI-Horde usage",
            "analytics.usage_refresh",
            "Collects AI-Horde's model status, usage and workers into the usage snapshot.",
            every_minutes=settings.HMR_USAGE_REFRESH_MINUTES,
        ),
        ScheduleSpec(
            "HMR: nightly download checks",
            "verification.nightly",
            "Checks every download URL that has no fresh check, spread over the night (apps/verification).",
            crontab=(str(settings.HMR_VERIFY_NIGHTLY_AT[1]), str(settings.HMR_VERIFY_NIGHTLY_AT[0])),
        ),
    ]


def _text(*, every_minutes: int | None = None, crontab: tuple[str, str] | None = None) -> str:
    if every_minutes:
        return f"every {every_minutes} minutes"
    minute, hour = crontab or ("?", "?")
    return f"daily at {hour.zfill(2)}:{minute.zfill(2)} UTC"


def _description(spec: ScheduleSpec, schedule_text: str) -> str:
    return f"{spec.purpose}\nInstalled by manage.py install_schedules: {schedule_text}. Edits here are kept."


def _installed_text(task: PeriodicTask) -> str | None:
    """The schedule a stored task has, in the words `_text` uses (None: a kind we never install)."""
    if task.interval and task.interval.period == IntervalSchedule.MINUTES:
        return _text(every_minutes=task.interval.every)
    crontab = task.crontab
    if crontab and (crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == ("*", "*", "*"):
        return _text(crontab=(crontab.minute, crontab.hour))
    return None


def _apply(task: PeriodicTask, spec: ScheduleSpec, description: str) -> None:
    task.task = spec.task
    task.description = description
    task.expire_seconds = spec.expire_seconds
    if spec.every_minutes:
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=spec.every_minutes, period=IntervalSchedule.MINUTES
        )
        task.crontab = None
    else:
        minute, hour = spec.crontab
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
        )
        task.interval = None
    task.save()


def schedules_install() -> list[tuple[str, str]]:
    """Create missing schedules and follow the environment where nobody edited them.

    Returns (name, what happened) per schedule: created, updated, unchanged, or kept (edited in
    the admin; the environment's value is not applied).
    """
    results = []
    with transaction.atomic():
        for spec in schedule_specs():
            wanted = _text(every_minutes=spec.every_minutes, crontab=spec.crontab)
            task = PeriodicTask.objects.select_for_update().filter(name=spec.name).first()
            if task is None:
                _apply(PeriodicTask(name=spec.name, enabled=True), spec, _description(spec, wanted))
                results.append((spec.name, "created"))
                continue
            installed = _installed_text(task)
            if task.task != spec.task or task.description != _description(spec, installed or ""):
                results.append((spec.name, "kept (edited in the admin)"))
            elif installed == wanted:
                results.append((spec.name, "unchanged"))
            else:
                _apply(task, spec, _description(spec, wanted))
                results.append((spec.name, "updated"))
    return results
