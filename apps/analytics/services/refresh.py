"""Collecting AI-Horde usage into the snapshot tables; requests only ever read those tables.

`usage_refresh` (the beat task, every HMR_USAGE_REFRESH_MINUTES) asks AI-Horde, per live category,
for the models' status, usage stats and workers, then writes the category's snapshot in one
transaction: the current figures per record and per backend, the unknown names, today's row of
every record's history (older rows than HMR_USAGE_HISTORY_DAYS are dropped) and the AI-Horde
answers themselves. If any call fails (after its retries, or refused by the open breaker) the
category keeps its previous snapshot; the attempt and its error are noted, which makes the
snapshot stale in every answer until a refresh succeeds.

`snapshot_rematch` re-matches the kept answers against the records as they are now (a record was
created, renamed or deleted) without calling AI-Horde; the snapshot's time does not change.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from apps.analytics.categories import HORDE_KINDS, LIVE_CATEGORIES
from apps.analytics.matching import Figures, RecordMatch, UnknownName, match_usage
from apps.analytics.models import BackendUsage, RecordUsage, UnknownModel, UsageDay, UsageSnapshot
from apps.catalog.categories import Category
from apps.catalog.formats.text_names import backend_variants
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.horde import client as horde

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshOutcome:
    category: Category
    result: str  # refreshed | failed | skipped
    error: str | None = None
    matched_records: int = 0
    unknown_names: int = 0


def usage_refresh(*, categories: tuple[Category, ...] = LIVE_CATEGORIES) -> list[RefreshOutcome]:
    """Refresh each category's snapshot from AI-Horde; one category failing leaves the others."""
    outcomes = []
    for category in categories:
        try:
            raw = _fetch(HORDE_KINDS[category])
        except horde.HordeError as exc:
            logger.warning("AI-Horde usage of %s not refreshed: %s", category.value, exc)
            _note_failure(category, str(exc))
            outcomes.append(RefreshOutcome(category, "failed", error=str(exc)))
            continue
        outcomes.append(_write(category, raw, as_of=clock.now(), attempted=True))
    return outcomes


def snapshot_rematch(*, category: Category) -> RefreshOutcome:
    """Match the kept AI-Horde answers to the category's current records (no AI-Horde call)."""
    raw = UsageSnapshot.objects.filter(category=category.value).values_list("raw", "as_of").first()
    if category not in LIVE_CATEGORIES or raw is None or raw[0] is None:
        return RefreshOutcome(category, "skipped")
    return _write(category, raw[0], as_of=raw[1], attempted=False)


def _fetch(kind: str) -> dict:
    return {
        "status": [asdict(s) for s in horde.status_models(kind=kind)],
        "stats": asdict(horde.model_stats(kind=kind)),
        "workers": [asdict(w) for w in horde.workers(kind=kind)],
    }


def _note_failure(category: Category, error: str) -> None:
    with transaction.atomic():
        snapshot, _ = UsageSnapshot.objects.select_for_update().get_or_create(category=category.value)
        snapshot.attempted_at, snapshot.last_error = clock.now(), error
        snapshot.save(update_fields=["attempted_at", "last_error"])


def _write(category: Category, raw: dict, *, as_of, attempted: bool) -> RefreshOutcome:
    with transaction.atomic():
        snapshot, _ = UsageSnapshot.objects.select_for_update().get_or_create(category=category.value)
        records = dict(ModelRecord.objects.filter(category=category.value).values_list("name", "id"))
        matches, unknown = match_usage(
            list(records),
            [horde.ModelStatus(**s) for s in raw["status"]],
            horde.ModelStats(**raw["stats"]),
            [horde.Worker(**{**w, "models": tuple(w["models"])}) for w in raw["workers"]],
        )
        _replace_current(category, records, matches)
        _replace_unknown(category, unknown, as_of)
        _record_day(category, records, matches, as_of)
        snapshot.as_of, snapshot.raw, snapshot.version = as_of, raw, snapshot.version + 1
        fields = ["as_of", "raw", "version"]
        if attempted:
            snapshot.attempted_at, snapshot.last_error = clock.now(), None
            fields += ["attempted_at", "last_error"]
        snapshot.save(update_fields=fields)
    return RefreshOutcome(category, "refreshed", matched_records=len(matches), unknown_names=len(unknown))


def _figures(figures: Figures) -> dict:
    status = figures.status
    return {
        "worker_count": figures.worker_count,
        "performance": status.performance if status else None,
        "queued": status.queued if status else None,
        "queued_jobs": status.jobs if status else None,
        "eta": status.eta if status else None,
        "usage_day": figures.usage.day,
        "usage_month": figures.usage.month,
        "usage_total": figures.usage.total,
    }


def worker_summary(worker: horde.Worker) -> dict:
    """A worker as with-stats reports it (upstream's worker summary fields)."""
    keys = ("id", "name", "performance", "online", "trusted", "uptime", "max_length", "max_context_length")
    return {**{k: getattr(worker, k) for k in keys}, "bridge_agent": worker.bridge_agent, "nsfw": worker.nsfw}


def _replace_current(category: Category, records: dict[str, int], matches: dict[str, RecordMatch]) -> None:
    RecordUsage.objects.filter(category=category.value).delete()
    BackendUsage.objects.filter(record__category=category.value).delete()
    RecordUsage.objects.bulk_create(
        RecordUsage(
            record_id=records[m.name],
            category=category.value,
            status_name=m.figures.status.name if m.figures.status else None,
            workers=[worker_summary(w) for w in m.workers],
            **_figures(m.figures),
        )
        for m in matches.values()
    )
    BackendUsage.objects.bulk_create(
        BackendUsage(
            record_id=records[m.name],
            backend=backend,
            variant_name=figures.status.name if figures.status else _variant_name(m.name, backend),
            **_figures(figures),
        )
        for m in matches.values()
        for backend, figures in m.backends.items()
    )


def _variant_name(name: str, backend: str) -> str:
    """The name a backend would serve the record under (when AI-Horde gave usage but no status)."""
    if backend == "canonical":
        return name
    aphrodite, koboldcpp = backend_variants(name)
    return aphrodite if backend == "aphrodite" else koboldcpp


def _replace_unknown(category: Category, unknown: list[UnknownName], as_of) -> None:
    first_seen = dict(UnknownModel.objects.filter(category=category.value).values_list("name", "first_seen"))
    UnknownModel.objects.filter(category=category.value).delete()
    rows = []
    for item in unknown:
        figures = _figures(item.figures)
        figures["worker_count"] = figures["worker_count"] or len(item.worker_ids)
        seen = first_seen.get(item.name, as_of)
        rows.append(UnknownModel(category=category.value, name=item.name, first_seen=seen, **figures))
    UnknownModel.objects.bulk_create(rows)


def _record_day(category: Category, records: dict[str, int], matches: dict[str, RecordMatch], as_of) -> None:
    day = as_of.date()
    rows = []
    for name in records:
        figures = matches[name].figures if name in matches else Figures()
        usage = figures.usage
        rows.append(
            UsageDay(
                category=category.value,
                name=name,
                day=day,
                worker_count=figures.worker_count,
                usage_day=usage.day,
                usage_month=usage.month,
                usage_total=usage.total,
            )
        )
    UsageDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["category", "name", "day"],
        update_fields=["worker_count", "usage_day", "usage_month", "usage_total"],
        batch_size=1000,
    )
    UsageDay.objects.filter(day__lt=day - timedelta(days=settings.HMR_USAGE_HISTORY_DAYS - 1)).delete()
