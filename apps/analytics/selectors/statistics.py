"""CategoryStatistics: counts over a category's records, computed in SQL on the typed columns.

Upstream's rules (docs/upstream-behaviour.md §12), with its defect fixed: text parameter counts
are read (upstream read a key the records do not have, so every text model was "without
parameter info"). Distributions are ordered by count, ties in the order they first appear in
the category's file; percentages are of the records counted, rounded to 2 places.

`group_text_models` (text only) counts each text model group once, as its first record in file
order (the group is the record's `text_model_group` column); downloads count over all members.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from apps.catalog.categories import Category
from apps.catalog.models import DownloadFile, ModelRecord, RecordTag
from apps.core import clock

TOP = 20
# (min inclusive, max exclusive, label); the last has no upper edge.
PARAMETER_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 3 * 10**9, "< 3B"),
    (3 * 10**9, 6 * 10**9, "3B-6B"),
    (6 * 10**9, 9 * 10**9, "6B-9B"),
    (9 * 10**9, 13 * 10**9, "9B-13B"),
    (13 * 10**9, 20 * 10**9, "13B-20B"),
    (20 * 10**9, 35 * 10**9, "20B-35B"),
    (35 * 10**9, 70 * 10**9, "35B-70B"),
    (70 * 10**9, None, "> 70B"),
)
_ORDER = 2**32  # first-seen order as one number: record position, then the row inside it


@dataclass(frozen=True)
class Share:
    key: str
    count: int
    percentage: float


@dataclass(frozen=True)
class Bucket:
    label: str
    min_params: int
    max_params: int | None
    count: int
    percentage: float


@dataclass(frozen=True)
class DownloadStats:
    total_models_with_downloads: int
    total_download_entries: int
    total_size_bytes: int
    models_with_size_info: int
    average_size_bytes: float
    hosts: dict[str, int]


@dataclass(frozen=True)
class CategoryStatistics:
    category: str
    total_models: int
    nsfw_count: int
    baseline_distribution: list[Share]
    download_stats: DownloadStats
    top_tags: list[Share]
    top_styles: list[Share]
    parameter_buckets: list[Bucket]
    models_without_param_info: int
    models_with_trigger_words: int
    models_with_inpainting: int
    models_with_requirements: int
    models_with_showcases: int
    computed_at: int


def _pct(count: int, total: int) -> float:
    return round(count / total * 100, 2) if total else 0.0


def _counted(records, total: int) -> list[Share]:
    return [Share(key, n, _pct(n, total)) for key, n, _ in records]


def category_statistics(*, category: Category, group_text_models: bool = False) -> CategoryStatistics:
    """The statistics of the category's records now (grouping applies to text_generation only)."""
    everything = ModelRecord.objects.filter(category=category.value)
    grouped = group_text_models and category == Category.TEXT_GENERATION
    counted = _first_of_each_group(everything) if grouped else everything
    totals = counted.aggregate(
        total=Count("id"),
        nsfw=Count("id", filter=Q(nsfw=True)),
        trigger=Count("id", filter=Q(trigger_count__gt=0)),
        inpainting=Count("id", filter=Q(inpainting=True)),
        requirements=Count("id", filter=Q(requirement_count__gt=0)),
        showcases=Count("id", filter=Q(showcase_count__gt=0)),
        sized=Count("id", filter=Q(size_on_disk_bytes__gt=0)),
        size=Coalesce(Sum("size_on_disk_bytes", filter=Q(size_on_disk_bytes__gt=0)), 0),
    )
    total = totals["total"]
    buckets, without = _parameters(counted, total) if category == Category.TEXT_GENERATION else ([], 0)
    return CategoryStatistics(
        category=category.value,
        total_models=total,
        nsfw_count=totals["nsfw"],
        baseline_distribution=_counted(_distribution(counted.exclude(baseline=""), "baseline"), total),
        download_stats=_downloads(everything, grouped, totals["sized"], totals["size"]),
        top_tags=_counted(_tags(counted)[:TOP], total),
        top_styles=_counted(_distribution(counted.exclude(style=""), "style")[:TOP], total),
        parameter_buckets=buckets,
        models_without_param_info=without,
        models_with_trigger_words=totals["trigger"],
        models_with_inpainting=totals["inpainting"],
        models_with_requirements=totals["requirements"],
        models_with_showcases=totals["showcases"],
        computed_at=clock.unix(clock.now()),
    )


def _first_of_each_group(records):
    """The first record (file order) of each text model group; a record without one is its own."""
    firsts: dict[str, int] = {}
    rows = records.order_by("position", "id").values_list("id", "name", "text_model_group")
    for record_id, name, group in rows:
        firsts.setdefault(group or name, record_id)
    return records.filter(id__in=list(firsts.values()))


def _distribution(records, column: str) -> list[tuple[str, int, int]]:
    """(value, records, first position) of a column's non-null values, by count then first seen."""
    rows = (
        records.exclude(**{f"{column}__isnull": True})
        .values(column)
        .annotate(n=Count("id"), first=Min("position"))
        .order_by("-n", "first")
    )
    return [(row[column], row["n"], row["first"]) for row in rows]


def _tags(records) -> list[tuple[str, int, int]]:
    first = Min(F("record__position") * _ORDER + F("id"), output_field=BigIntegerField())
    rows = (
        RecordTag.objects.filter(record__in=records.values("id"))
        .exclude(tag="")
        .values("tag")
        .annotate(n=Count("id"), first=first)
        .order_by("-n", "first")
    )
    return [(row["tag"], row["n"], row["first"]) for row in rows]


def _downloads(records, grouped: bool, sized: int, size: int) -> DownloadStats:
    files = DownloadFile.objects.filter(record__in=records.values("id"))
    owner = Coalesce("record__text_model_group", "record__name") if grouped else F("record_id")
    counts = files.aggregate(entries=Count("id"), owners=Count(owner, distinct=True))
    first = Min(F("record__position") * _ORDER + F("position"), output_field=BigIntegerField())
    hosts = files.values("host").annotate(n=Count("id"), first=first).order_by("-n", "first")
    return DownloadStats(
        total_models_with_downloads=counts["owners"],
        total_download_entries=counts["entries"],
        total_size_bytes=size,
        models_with_size_info=sized,
        average_size_bytes=round(size / sized, 2) if sized else 0.0,
        hosts={row["host"]: row["n"] for row in hosts},
    )


def _parameters(records, total: int) -> tuple[list[Bucket], int]:
    whens = [
        When(Q(parameters_count__gte=low) & (Q(parameters_count__lt=high) if high else Q()), then=Value(i))
        for i, (low, high, _) in enumerate(PARAMETER_BUCKETS)
    ]
    positive = records.filter(parameters_count__gt=0)
    counts = dict(
        positive.annotate(bucket=Case(*whens, output_field=IntegerField()))
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    buckets = [
        Bucket(label, low, high, counts[i], _pct(counts[i], total))
        for i, (low, high, label) in enumerate(PARAMETER_BUCKETS)
        if counts.get(i)
    ]
    return buckets, total - sum(counts.values())
