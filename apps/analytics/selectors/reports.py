"""The live-data reports (with-stats, deletion-risk, popular) over the usage snapshot.

Each checks its input the way the replaced service does (its statuses and messages), reads the
snapshot (never AI-Horde: before the first successful refresh it answers 503) and returns
domain values; the API's serializers give them their wire shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apps.analytics import deletion_risk as risk
from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.selectors.usage import (
    RecordStats,
    SnapshotState,
    record_stats,
    risk_facts,
    snapshot_failure,
    snapshot_state,
)
from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.core.errors import ApplicationError, NotFound, Unavailable

WITH_STATS_SORTS = ("worker_count", "usage_total", "usage_month", "name")
POPULAR_SORTS = ("worker_count", "usage_day", "usage_month", "usage_total")


def live_snapshot(category: Category, *, not_found: str) -> SnapshotState:
    """The category's snapshot; before there is one, 404 `not_found` for a category without
    records (upstream's order), else 503 with the reason. One query while a snapshot exists."""
    state = snapshot_state(category)
    if state is not None:
        return state
    if not _has_records(category):
        raise NotFound(not_found)
    message = (
        f"AI-Horde usage of {category.value} has not been collected yet: the first refresh (every "
        f"{settings.HMR_USAGE_REFRESH_MINUTES} minutes) has not succeeded yet. Try again later."
    )
    failure = snapshot_failure(category)
    if failure:
        message += f" The last attempt failed: {failure}"
    raise Unavailable(message)


# --- with-stats ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithStatsQuery:
    include_workers: bool = False
    include_backend_variations: bool = False
    min_worker_count: int | None = None
    sort_by: str | None = None
    sort_desc: bool = True


def _has_records(category: Category) -> bool:
    return ModelRecord.objects.filter(category=category.value).exists()


def with_stats_not_found(category: Category) -> str:
    return f"Category '{category.value}' not found"


def with_stats_check(category: Category) -> None:
    """400 for a category AI-Horde does not serve."""
    if category not in LIVE_CATEGORIES:
        raise ApplicationError(
            f"Category '{category.value}' does not support Horde statistics. "
            "Only image_generation and text_generation are supported."
        )


def with_stats(category: Category, query: WithStatsQuery) -> list[RecordStats]:
    """Every record's figures, filtered by `min_worker_count` and sorted as asked (stable).

    An unknown `sort_by` sorts nothing, as upstream. 404 for a category without records.
    """
    with_stats_check(category)
    stats = record_stats(category)
    if not stats:
        raise NotFound(with_stats_not_found(category))
    if query.min_worker_count is not None:
        stats = [s for s in stats if s.worker_count >= query.min_worker_count]
    keys = {
        "worker_count": lambda s: s.worker_count,
        "usage_total": lambda s: s.usage_total,
        "usage_month": lambda s: s.usage_month,
        "name": lambda s: s.name.lower(),
    }
    if query.sort_by in keys:
        stats = sorted(stats, key=keys[query.sort_by], reverse=query.sort_desc)
    return stats


# --- deletion risk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskQuery:
    group_text_models: bool = False
    include_backend_variations: bool = False
    preset: str | None = None
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class RiskReport:
    category: str
    category_total_month_usage: int
    total_count: int
    returned_count: int
    offset: int
    limit: int | None
    models: list[risk.ModelRisk]
    summary: risk.Summary
    with_variations: bool


def risk_rules(category: Category) -> risk.Rules:
    text = category == Category.TEXT_GENERATION
    return risk.Rules(
        is_text=text,
        low_usage_percent=settings.HMR_LOW_USAGE_PERCENT_TEXT
        if text
        else settings.HMR_LOW_USAGE_PERCENT_IMAGE,
        preferred_hosts=tuple(settings.HMR_PREFERRED_FILE_HOSTS),
        ignore_text_hosts=settings.HMR_TEXT_IGNORE_DOWNLOAD_HOSTS,
    )


def deletion_risk_not_found(category: Category) -> str:
    return f"Category '{category.value}' not found or has no models"


def deletion_risk_check(category: Category, query: RiskQuery) -> None:
    """400 for a category AI-Horde does not serve or an unknown preset."""
    if category not in LIVE_CATEGORIES:
        raise ApplicationError(
            "Deletion risk analysis is only supported for image_generation and text_generation categories"
        )
    if query.preset is not None and query.preset not in risk.PRESETS:
        raise ApplicationError(
            f"Invalid preset: Unknown preset: '{query.preset}'. Valid presets: {', '.join(risk.PRESETS)}"
        )


def deletion_risk_report(category: Category, query: RiskQuery) -> RiskReport:
    """Every record's (or text group's) risk, most used first; the preset filters the list, the
    page slices it; the summary is always over the whole category (upstream summarised the
    preset's subset only)."""
    deletion_risk_check(category, query)
    stats = record_stats(category)
    if not stats:
        raise NotFound(deletion_risk_not_found(category))
    rules = risk_rules(category)
    facts = risk_facts(category, stats)
    models = risk.assess(facts, category=category.value, rules=rules)
    grouped = query.group_text_models and category == Category.TEXT_GENERATION
    if grouped:
        models = risk.merge_groups(models, {f.name: f.group for f in facts if f.group}, rules)
    summary = risk.summarize(models)
    kept = [m for m in models if risk.preset_keeps(m, query.preset)] if query.preset else models
    end = None if query.limit is None else query.offset + query.limit
    page = kept[query.offset : end]
    return RiskReport(
        category=category.value,
        category_total_month_usage=summary.category_total_month_usage,
        total_count=len(kept),
        returned_count=len(page),
        offset=query.offset,
        limit=query.limit,
        models=page,
        summary=summary,
        with_variations=query.include_backend_variations
        and category == Category.TEXT_GENERATION
        and not grouped,
    )


# --- popular ---------------------------------------------------------------------------------------


def popular(category: Category, *, sort_by: str, limit: int) -> list[RecordStats]:
    """The most used (or most served) records; `[]` for categories AI-Horde does not serve."""
    if category not in LIVE_CATEGORIES:
        return []
    stats = sorted(record_stats(category), key=lambda s: getattr(s, sort_by), reverse=True)
    return stats[:limit]
