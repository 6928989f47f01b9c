"""Reads of the usage snapshot: its state, per-record figures, risk inputs, the protected top N,
trends and unknown names. Nothing here calls AI-Horde."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from apps.analytics.deletion_risk import RecordFacts, Variation
from apps.analytics.models import BackendUsage, RecordUsage, UnknownModel, UsageDay, UsageSnapshot
from apps.catalog.categories import Category
from apps.catalog.models import DownloadFile, ModelRecord
from apps.core import clock


@dataclass(frozen=True)
class SnapshotState:
    category: str
    as_of: datetime
    version: int
    attempted_at: datetime | None
    last_error: str | None

    @property
    def stale(self) -> bool:
        """The last refresh failed, or the snapshot is older than HMR_USAGE_STALE_MINUTES."""
        too_old = clock.now() - self.as_of > timedelta(minutes=settings.HMR_USAGE_STALE_MINUTES)
        return too_old or self.last_error is not None

    @property
    def as_of_unix(self) -> int:
        return clock.unix(self.as_of)


def snapshot_state(category: Category) -> SnapshotState | None:
    """The category's snapshot, or None while no refresh has succeeded yet."""
    row = (
        UsageSnapshot.objects.filter(category=category.value, as_of__isnull=False)
        .values_list("as_of", "version", "attempted_at", "last_error")
        .first()
    )
    return None if row is None else SnapshotState(category.value, *row)


def snapshot_failure(category: Category) -> str | None:
    """Why the category's last refresh failed (None: it did not, or none was tried)."""
    return UsageSnapshot.objects.filter(category=category.value).values_list("last_error", flat=True).first()


@dataclass
class RecordStats:
    """One record's figures as with-stats and popular report them (zeros: AI-Horde is silent)."""

    id: int
    name: str
    worker_count: int = 0
    performance: float | None = None
    queued: float | None = None
    queued_jobs: float | None = None
    eta: int | None = None
    usage_day: int = 0
    usage_month: int = 0
    usage_total: int = 0
    workers: list[dict] = field(default_factory=list)
    backends: list[BackendUsage] = field(default_factory=list)
    seen: bool = False  # AI-Horde mentioned one of its names

    @property
    def has_usage(self) -> bool:
        return bool(self.usage_day or self.usage_month or self.usage_total)


_FIGURES = (
    "worker_count",
    "performance",
    "queued",
    "queued_jobs",
    "eta",
    "usage_day",
    "usage_month",
    "usage_total",
)


def record_stats(category: Category) -> list[RecordStats]:
    """Every record of the category in file order, with its snapshot figures and backends."""
    rows = (
        ModelRecord.objects.filter(category=category.value)
        .order_by("position", "id")
        .values_list("id", "name", "usage__id", "usage__workers", *(f"usage__{f}" for f in _FIGURES))
    )
    backends = defaultdict(list)
    for backend in BackendUsage.objects.filter(record__category=category.value).order_by("id"):
        backends[backend.record_id].append(backend)
    stats = []
    for record_id, name, usage_id, workers, *figures in rows:
        item = RecordStats(record_id, name, backends=backends.get(record_id, []))
        if usage_id is not None:
            item.seen, item.workers = True, workers or []
            for key, value in zip(_FIGURES, figures, strict=True):
                setattr(item, key, value)
        stats.append(item)
    return stats


def risk_facts(category: Category, stats: list[RecordStats]) -> list[RecordFacts]:
    """The deletion-risk inputs of the records `record_stats` returned (same order)."""
    columns = ("id", "baseline", "nsfw", "description", "size_on_disk_bytes", "text_model_group")
    data = {row[0]: row for row in ModelRecord.objects.filter(category=category.value).values_list(*columns)}
    urls = defaultdict(list)
    files = DownloadFile.objects.filter(record__category=category.value).order_by("record_id", "position")
    for record_id, url in files.values_list("record_id", "file_url"):
        urls[record_id].append(url)
    facts = []
    for item in stats:
        _, baseline, nsfw, description, size, group = data[item.id]
        variations = tuple(
            Variation(
                b.backend,
                b.variant_name,
                b.worker_count,
                b.performance,
                b.usage_day,
                b.usage_month,
                b.usage_total,
            )
            for b in item.backends
        )
        facts.append(
            RecordFacts(
                name=item.name,
                baseline=baseline,
                nsfw=nsfw,
                description=description,
                size_on_disk_bytes=size,
                download_urls=tuple(urls.get(item.id, ())),
                group=group,
                worker_count=item.worker_count,
                usage_day=item.usage_day,
                usage_month=item.usage_month,
                usage_total=item.usage_total,
                variations=variations or None,
            )
        )
    return facts


def protected_names(category: Category, top_n: int | None = None) -> dict[str, int]:
    """The category's most used records by monthly usage -> their rank (1 = most used).

    The top `HMR_PROTECTED_TOP_N`; records tied with the last one are in too (a tie is not a
    reason to protect one and not the other); records without usage never are.
    """
    n = settings.HMR_PROTECTED_TOP_N if top_n is None else top_n
    if n <= 0:
        return {}
    rows = list(
        RecordUsage.objects.filter(category=category.value, usage_month__gt=0)
        .order_by("-usage_month", "record__position")
        .values_list("record__name", "usage_month")
    )
    if len(rows) > n:
        cutoff = rows[n - 1][1]
        rows = [row for row in rows if row[1] >= cutoff]
    return {name: rank for rank, (name, _) in enumerate(rows, start=1)}


def protected_rank(category: str, name: str) -> tuple[int, int] | None:
    """(rank, N) when the record is one of its category's protected most used, else None."""
    try:
        parsed = Category(category)
    except ValueError:
        return None
    rank = protected_names(parsed).get(name)
    return None if rank is None else (rank, settings.HMR_PROTECTED_TOP_N)


def usage_history(category: Category, name: str) -> list[UsageDay]:
    """The record's kept days, oldest first."""
    return list(UsageDay.objects.filter(category=category.value, name=name).order_by("day"))


def unknown_models(category: Category) -> list[UnknownModel]:
    """AI-Horde names no record matches: most workers first, then most used."""
    return list(UnknownModel.objects.filter(category=category.value))


@dataclass(frozen=True)
class RecordUsageView:
    """One record's current AI-Horde figures as a record page shows them."""

    as_of: datetime
    stale: bool
    worker_count: int
    usage_day: int
    usage_month: int
    usage_total: int


def record_usage(category: Category, name: str) -> RecordUsageView | None:
    """The record's figures in the current snapshot (zeros: AI-Horde did not mention it); None
    while the category has no snapshot yet. Two small queries."""
    state = snapshot_state(category)
    if state is None:
        return None
    figures = (
        RecordUsage.objects.filter(category=category.value, record__name=name)
        .values_list("worker_count", "usage_day", "usage_month", "usage_total")
        .first()
    )
    return RecordUsageView(state.as_of, state.stale, *(figures or (0, 0, 0, 0)))
