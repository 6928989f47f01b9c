"""Deletion-risk analysis of a category's records from their data and usage. Pure functions.

The replaced service's rules (docs/upstream-behaviour.md §12), with its defects fixed:

- a record AI-Horde reports no usage for has usage 0: its zero-usage flags are set and it counts
  as low usage (upstream left every flag false when usage was missing);
- usage is the record's own (matching.py), so shares add up to at most 100 %;
- grouping (text) recomputes the usage flags and the trend from the group's sums instead of
  OR-ing the members' flags (a group with traffic is not "zero usage"), rounds the average risk
  score, and keeps hosts in first-seen order.

`assess` -> `ModelRisk` per record, sorted by monthly usage (most used first, ties in reference
order); `merge_groups`, `apply_preset`, `summarize` work on those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

FLAGS = (
    "zero_usage_day",
    "zero_usage_month",
    "zero_usage_total",
    "no_active_workers",
    "has_multiple_hosts",
    "has_non_preferred_host",
    "has_unknown_host",
    "no_download_urls",
    "missing_description",
    "missing_baseline",
    "low_usage",
)
HOST_FLAGS = ("has_multiple_hosts", "has_non_preferred_host", "has_unknown_host", "no_download_urls")
PRESETS = (
    "deletion_candidates",
    "zero_usage",
    "no_workers",
    "missing_data",
    "host_issues",
    "critical",
    "low_usage",
)
CANDIDATE_SHARE_PERCENT = 0.01  # deletion_candidates: less than this share of the category's usage
TEXT_CRITICAL_USAGE, TEXT_CRITICAL_WORKERS = 10, 1
GIB = 1024**3


@dataclass(frozen=True)
class Rules:
    is_text: bool
    low_usage_percent: float
    preferred_hosts: tuple[str, ...] = ("huggingface.co",)
    ignore_text_hosts: bool = True


@dataclass(frozen=True)
class Variation:
    backend: str
    variant_name: str
    worker_count: int
    performance: float | None
    usage_day: int
    usage_month: int
    usage_total: int


@dataclass(frozen=True)
class RecordFacts:
    """What the analysis reads about one record: its data and its snapshot figures."""

    name: str
    baseline: str | None = None
    nsfw: bool | None = None
    description: str | None = None
    size_on_disk_bytes: int | None = None
    download_urls: tuple[str, ...] = ()
    group: str | None = None
    worker_count: int = 0
    usage_day: int = 0
    usage_month: int = 0
    usage_total: int = 0
    variations: tuple[Variation, ...] | None = None


@dataclass(frozen=True)
class ModelRisk:
    name: str
    category: str
    flags: dict[str, bool]
    worker_count: int
    usage_day: int
    usage_month: int
    usage_total: int
    usage_percentage_of_category: float
    day_to_month_ratio: float | None
    month_to_total_ratio: float | None
    size_bytes: float | None  # unrounded: cost-benefit divides by it
    baseline: str | None
    nsfw: bool | None
    has_description: bool
    download_count: int
    download_hosts: tuple[str, ...]
    is_text: bool
    backend_variations: tuple[Variation, ...] | None = None
    members: tuple[str, ...] = field(default=(), compare=False)  # grouped: the member names

    @property
    def at_risk(self) -> bool:
        return any(self.flags.values())

    @property
    def risk_score(self) -> int:
        return sum(self.flags.values())

    @property
    def size_gb(self) -> float | None:
        return None if self.size_bytes is None else round(self.size_bytes / GIB, 2)

    @property
    def cost_benefit_score(self) -> float | None:
        if not self.size_bytes:
            return None
        return round(self.usage_month / (self.size_bytes / GIB), 2)

    @property
    def is_critical(self) -> bool:
        if self.is_text:
            return self.usage_month < TEXT_CRITICAL_USAGE and self.worker_count < TEXT_CRITICAL_WORKERS
        return self.flags["zero_usage_month"] and self.flags["no_active_workers"]

    @property
    def has_warning(self) -> bool:
        return any(self.flags[f] for f in HOST_FLAGS)


def _hosts(urls: Sequence[str]) -> tuple[list[str], bool, bool]:
    """(distinct hosts in order, any valid URL, any URL that could not be read)."""
    hosts, valid, unreadable = [], False, False
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            unreadable = True
            continue
        if parts.scheme and parts.netloc:
            valid = True
            if parts.netloc not in hosts:
                hosts.append(parts.netloc)
    return hosts, valid, unreadable


def _share(month: int, total: int) -> float:
    return round(month / total * 100, 4) if total else 0.0


def _usage_flags(day: int, month: int, total: int, workers: int, share_total: int, rules: Rules) -> dict:
    low = share_total > 0 and month / share_total * 100 < rules.low_usage_percent
    return {
        "zero_usage_day": day == 0,
        "zero_usage_month": month == 0,
        "zero_usage_total": total == 0,
        "no_active_workers": workers == 0,
        "low_usage": low,
    }


def _one(facts: RecordFacts, category: str, category_total: int, rules: Rules) -> ModelRisk:
    hosts, valid, unreadable = _hosts(facts.download_urls)
    host_flags = dict.fromkeys(HOST_FLAGS, False)
    if not (rules.is_text and rules.ignore_text_hosts):
        host_flags = {
            "has_multiple_hosts": len(hosts) > 1,
            "has_non_preferred_host": valid and not any(p in h for h in hosts for p in rules.preferred_hosts),
            "has_unknown_host": unreadable,
            "no_download_urls": not valid,
        }
    has_description = bool((facts.description or "").strip())
    usage = _usage_flags(
        facts.usage_day, facts.usage_month, facts.usage_total, facts.worker_count, category_total, rules
    )
    flags = {
        **usage,
        **host_flags,
        "missing_description": not has_description,
        "missing_baseline": not facts.baseline,
    }
    return ModelRisk(
        name=facts.name,
        category=category,
        flags={f: flags[f] for f in FLAGS},
        worker_count=facts.worker_count,
        usage_day=facts.usage_day,
        usage_month=facts.usage_month,
        usage_total=facts.usage_total,
        usage_percentage_of_category=_share(facts.usage_month, category_total),
        day_to_month_ratio=facts.usage_day / facts.usage_month if facts.usage_month else None,
        month_to_total_ratio=facts.usage_month / facts.usage_total if facts.usage_total else None,
        size_bytes=float(facts.size_on_disk_bytes) if facts.size_on_disk_bytes else None,
        baseline=facts.baseline,
        nsfw=facts.nsfw,
        has_description=has_description,
        download_count=len(facts.download_urls),
        download_hosts=tuple(hosts),
        is_text=rules.is_text,
        backend_variations=facts.variations,
        members=(facts.name,),
    )


def assess(records: Sequence[RecordFacts], *, category: str, rules: Rules) -> list[ModelRisk]:
    """Every record's risk, most used first (ties keep the records' order)."""
    total = sum(r.usage_month for r in records)
    models = [_one(r, category, total, rules) for r in records]
    return sorted(models, key=lambda m: -m.usage_month)


def category_total(models: Sequence[ModelRisk]) -> int:
    return sum(m.usage_month for m in models)


def merge_groups(models: Sequence[ModelRisk], groups: dict[str, str], rules: Rules) -> list[ModelRisk]:
    """One entry per text model group (`groups`: record name -> group), most used first.

    Sums the usage, keeps the largest worker count, recomputes the usage flags, the shares and
    the trend from the sums, ORs the data flags; baseline and nsfw of the group's first member
    (most used), the mean size, hosts in first-seen order. Backend variations are dropped.
    """
    share_total = category_total(models)
    buckets: dict[str, list[ModelRisk]] = {}
    for model in models:
        buckets.setdefault(groups.get(model.name) or model.name, []).append(model)
    merged = [_merge(group, members, share_total, rules) for group, members in buckets.items()]
    return sorted(merged, key=lambda m: -m.usage_month)


def _merge(group: str, members: list[ModelRisk], share_total: int, rules: Rules) -> ModelRisk:
    first = members[0]
    day, month, total = (
        sum(getattr(m, k) for m in members) for k in ("usage_day", "usage_month", "usage_total")
    )
    workers = max(m.worker_count for m in members)
    data_flags = {f: any(m.flags[f] for m in members) for f in FLAGS}
    flags = {**data_flags, **_usage_flags(day, month, total, workers, share_total, rules)}
    sizes = [m.size_bytes for m in members if m.size_bytes]
    hosts = tuple(dict.fromkeys(h for m in members for h in m.download_hosts))
    return replace(
        first,
        name=group,
        flags={f: flags[f] for f in FLAGS},
        worker_count=workers,
        usage_day=day,
        usage_month=month,
        usage_total=total,
        usage_percentage_of_category=_share(month, share_total),
        day_to_month_ratio=day / month if month else None,
        month_to_total_ratio=month / total if total else None,
        size_bytes=sum(sizes) / len(sizes) if sizes else None,
        has_description=all(m.has_description for m in members),
        download_count=sum(m.download_count for m in members),
        download_hosts=hosts,
        backend_variations=None,
        members=tuple(n for m in members for n in m.members),
    )


def preset_keeps(model: ModelRisk, preset: str) -> bool:
    flags = model.flags
    if preset == "deletion_candidates":
        return (
            model.at_risk
            or model.usage_percentage_of_category < CANDIDATE_SHARE_PERCENT
            or not model.worker_count
        )
    if preset == "zero_usage":
        return model.usage_month == 0
    if preset == "no_workers":
        return model.worker_count == 0
    if preset == "missing_data":
        return flags["missing_description"] or flags["missing_baseline"]
    if preset == "host_issues":
        return any(flags[f] for f in HOST_FLAGS)
    if preset == "critical":
        return model.is_critical
    if preset == "low_usage":
        return flags["low_usage"]
    raise ValueError(f"Unknown preset: {preset!r}. Valid presets: {', '.join(PRESETS)}")


@dataclass(frozen=True)
class Summary:
    total_models: int
    models_at_risk: int
    models_critical: int
    models_with_warnings: int
    models_with_zero_day_usage: int
    models_with_zero_month_usage: int
    models_with_zero_total_usage: int
    models_with_no_active_workers: int
    models_with_no_downloads: int
    models_with_non_preferred_hosts: int
    models_with_multiple_hosts: int
    models_with_low_usage: int
    average_risk_score: float
    category_total_month_usage: int


def summarize(models: Sequence[ModelRisk]) -> Summary:
    def count(flag: str) -> int:
        return sum(1 for m in models if m.flags[flag])

    return Summary(
        total_models=len(models),
        models_at_risk=sum(1 for m in models if m.at_risk),
        models_critical=sum(1 for m in models if m.is_critical),
        models_with_warnings=sum(1 for m in models if m.has_warning),
        models_with_zero_day_usage=count("zero_usage_day"),
        models_with_zero_month_usage=count("zero_usage_month"),
        models_with_zero_total_usage=count("zero_usage_total"),
        models_with_no_active_workers=count("no_active_workers"),
        models_with_no_downloads=count("no_download_urls"),
        models_with_non_preferred_hosts=count("has_non_preferred_host"),
        models_with_multiple_hosts=count("has_multiple_hosts"),
        models_with_low_usage=count("low_usage"),
        average_risk_score=round(sum(m.risk_score for m in models) / len(models), 2) if models else 0.0,
        category_total_month_usage=category_total(models),
    )
