"""What the curation dashboard shows for one category: tiles, chart series, the deletion-risk
table and the names AI-Horde serves that the reference does not know. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from apps.analytics import deletion_risk as risk
from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.models import RecordUsage, UnknownModel
from apps.analytics.selectors.reports import RiskQuery, deletion_risk_report
from apps.analytics.selectors.statistics import category_statistics
from apps.analytics.selectors.usage import (
    SnapshotState,
    snapshot_failure,
    snapshot_state,
    unknown_models,
    usage_history,
)
from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord

TOP_USED = 20
BASELINES_SHOWN = 12
RISK_ROWS = 100


@dataclass(frozen=True)
class Tiles:
    records: int
    nsfw: int
    with_downloads: int
    total_size_bytes: int
    served: int
    unknown_served: int
    unknown_used: int


@dataclass
class Dashboard:
    category: Category
    snapshot: SnapshotState | None
    last_error: str | None
    tiles: Tiles
    baselines: list[tuple[str, int]]
    top_used: list[tuple[str, int, int]]  # name, month usage, workers
    hosts: list[tuple[str, int]]
    trend_model: str | None
    trend: list[tuple[str, int, int]]  # ISO day, usage that day, workers
    preset: str | None
    risk: list[tuple[int, risk.ModelRisk]]  # record id, risk
    risk_total: int
    risk_summary: risk.Summary | None
    unknown: list[UnknownModel]


def dashboard(*, category: Category, preset: str | None = None, model: str | None = None) -> Dashboard:
    stats = category_statistics(category=category)
    usage = RecordUsage.objects.filter(category=category.value)
    served = usage.aggregate(n=Count("id", filter=Q(worker_count__gt=0)))["n"]
    unknown = unknown_models(category)
    snapshot = snapshot_state(category) if category in LIVE_CATEGORIES else None
    tiles = Tiles(
        records=stats.total_models,
        nsfw=stats.nsfw_count,
        with_downloads=stats.download_stats.total_models_with_downloads,
        total_size_bytes=stats.download_stats.total_size_bytes,
        served=served,
        unknown_served=sum(1 for u in unknown if u.worker_count),
        unknown_used=sum(1 for u in unknown if not u.worker_count),
    )
    top = list(
        usage.filter(usage_month__gt=0)
        .order_by("-usage_month", "record__position")
        .values_list("record__name", "usage_month", "worker_count")[:TOP_USED]
    )
    trend_model = (
        model if model and ModelRecord.objects.filter(category=category.value, name=model).exists() else None
    )
    trend_model = trend_model or (top[0][0] if top else None)
    board = Dashboard(
        category=category,
        snapshot=snapshot,
        last_error=snapshot_failure(category),
        tiles=tiles,
        baselines=_baselines(category, stats),
        top_used=top,
        hosts=list(stats.download_stats.hosts.items()),
        trend_model=trend_model,
        trend=[(d.day.isoformat(), d.usage_day, d.worker_count) for d in usage_history(category, trend_model)]
        if trend_model
        else [],
        preset=preset,
        risk=[],
        risk_total=0,
        risk_summary=None,
        unknown=unknown,
    )
    if snapshot is not None:
        report = deletion_risk_report(category, RiskQuery(preset=preset, limit=RISK_ROWS))
        ids = dict(ModelRecord.objects.filter(category=category.value).values_list("name", "id"))
        board.risk = [(ids[m.name], m) for m in report.models]
        board.risk_total, board.risk_summary = report.total_count, report.summary
    return board


def _baselines(category: Category, stats) -> list[tuple[str, int]]:
    """The most common baselines, the rest as "other", records without one as "(none)"."""
    shares = [(s.key, s.count) for s in stats.baseline_distribution]
    shown = shares[:BASELINES_SHOWN]
    rest = sum(n for _, n in shares[BASELINES_SHOWN:])
    if rest:
        shown.append(("other", rest))
    without = ModelRecord.objects.filter(category=category.value).filter(
        Q(baseline__isnull=True) | Q(baseline="")
    )
    none = without.aggregate(n=Count("id"))["n"]
    if none:
        shown.append(("(none)", none))
    return shown
