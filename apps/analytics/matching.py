"""AI-Horde model names -> reference records: which names count for which record. Pure functions.

AI-Horde reports usage and workers by the name a worker serves a model under. For a reference
record `N` that is `N` itself (image models; case-insensitive), and for text models also
`aphrodite/N` and `koboldcpp/<N without its author>` (the backends' spellings), each possibly
with one quantisation suffix (`-Q4_K_M`, `-Q8_0`, `-GGUF`, `_fp16`, …).

The rule, per AI-Horde name `s` (case-insensitive):

1. `s` is exactly a variant of one or more records (`N`, `aphrodite/N`, `koboldcpp/<model>`) ->
   those records;
2. else its *size key* (backend prefix + last "/"-segment, one trailing quantisation suffix
   removed) equals the size key of a variant -> those records. So
   `koboldcpp/magnum-v4-12b-Q4_K_M` counts for `anthracite-org/magnum-v4-12b`, while
   `koboldcpp/magnum-v4-22b-Q8_0` does not (another size is another record);
3. else the name is unknown to the reference (kept: a worker serving it is news to moderators).

Unlike the replaced service's default, usage is never summed over a whole name *group* (every
size and version of `magnum`): each record counts the names that are its own (upstream defect).
A name several records claim (two authors' identically named models) counts for each of them.

Per record: usage = the sum over its names; the worker count, queue and speed come from its
status entry with the most workers ("the largest of its variants"); per backend (`canonical`,
`aphrodite`, `koboldcpp`) the same figures over that backend's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from apps.catalog.formats.text_names import backend_prefix, backend_variants, strip_backend

BACKEND_ORDER = ("canonical", "aphrodite", "koboldcpp")
_QUANT_SUFFIXES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"[-_](Q[2-8]_K(?:_[SMLH])?)$",
        r"[-_](Q[2-8]_[01])$",
        r"[-_](Q[2-8])$",
        r"[-_](GGUF|GGML|GPTQ|AWQ|EXL2)$",
        r"[-_](fp16|fp32|int8|int4)$",
    )
)


class StatusLike(Protocol):
    name: str
    count: int
    performance: float | None
    queued: float | None
    jobs: float | None
    eta: int | None


class StatsLike(Protocol):
    day: dict[str, int]
    month: dict[str, int]
    total: dict[str, int]


class WorkerLike(Protocol):
    id: str
    name: str
    models: Sequence[str]


@dataclass(frozen=True)
class Usage:
    day: int = 0
    month: int = 0
    total: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.day + other.day, self.month + other.month, self.total + other.total)

    @property
    def any(self) -> bool:
        return bool(self.day or self.month or self.total)


@dataclass
class Figures:
    """Workers, queue and usage of a set of AI-Horde names (a record's, or one backend's)."""

    status: StatusLike | None = None  # the entry with the most workers
    usage: Usage = field(default_factory=Usage)

    @property
    def worker_count(self) -> int:
        return self.status.count if self.status is not None else 0


@dataclass
class RecordMatch:
    name: str
    figures: Figures = field(default_factory=Figures)
    backends: dict[str, Figures] = field(default_factory=dict)  # BACKEND_ORDER, only those seen
    workers: list[WorkerLike] = field(default_factory=list)  # workers serving any of its names


@dataclass
class UnknownName:
    """An AI-Horde name no record claims: served (workers > 0) or used recently (usage > 0)."""

    name: str
    figures: Figures = field(default_factory=Figures)
    worker_ids: list[str] = field(default_factory=list)


def size_key(name: str) -> str:
    """Backend prefix + last "/"-segment, one quantisation suffix removed, lower-cased."""
    prefix = backend_prefix(name)
    last = strip_backend(name).split("/")[-1]
    for pattern in _QUANT_SUFFIXES:
        stripped = pattern.sub("", last, count=1)
        if stripped != last:
            last = stripped
            break
    return f"{prefix}/{last}".lower() if prefix else last.lower()


def record_variants(name: str) -> list[str]:
    """The names a record is served under: itself, `aphrodite/N`, `koboldcpp/<model>` (unique)."""
    return list(dict.fromkeys([name, *backend_variants(name)]))


def backend_of(name: str) -> str:
    return backend_prefix(name) or "canonical"


class NameIndex:
    """Which records an AI-Horde name belongs to (rules 1 and 2 of the module docstring)."""

    def __init__(self, record_names: Iterable[str]) -> None:
        self.exact: dict[str, list[str]] = {}
        self.by_size: dict[str, list[str]] = {}
        for record in record_names:
            for variant in record_variants(record):
                _claim(self.exact, variant.lower(), record)
                _claim(self.by_size, size_key(variant), record)

    def records_for(self, name: str) -> list[str]:
        return self.exact.get(name.lower()) or self.by_size.get(size_key(name)) or []


def _claim(index: dict[str, list[str]], key: str, record: str) -> None:
    owners = index.setdefault(key, [])
    if record not in owners:
        owners.append(record)


def match_usage(
    record_names: Sequence[str],
    statuses: Sequence[StatusLike],
    stats: StatsLike,
    workers: Sequence[WorkerLike],
) -> tuple[dict[str, RecordMatch], list[UnknownName]]:
    """Every record's figures (records AI-Horde never mentions are absent) and the unknown names,
    in AI-Horde's order (status first, then stats, then workers' lists)."""
    index = NameIndex(record_names)
    matches: dict[str, RecordMatch] = {}
    unknown: dict[str, UnknownName] = {}

    def owners(name: str) -> list[RecordMatch] | UnknownName:
        records = index.records_for(name)
        if not records:
            return unknown.setdefault(name.lower(), UnknownName(name))
        return [matches.setdefault(r, RecordMatch(r)) for r in records]

    for entry in statuses:
        for target in _each(owners(entry.name)):
            _take_status(target.figures, entry)
            if isinstance(target, RecordMatch):
                _take_status(target.backends.setdefault(backend_of(entry.name), Figures()), entry)
    for name, usage in _usage_by_name(stats).items():
        for target in _each(owners(name)):
            target.figures.usage += usage
            if isinstance(target, RecordMatch):
                backend = target.backends.setdefault(backend_of(name), Figures())
                backend.usage += usage
    for worker in workers:
        for target in {id(t): t for name in worker.models for t in _each(owners(name))}.values():
            if isinstance(target, RecordMatch):
                target.workers.append(worker)
            else:
                target.worker_ids.append(worker.id)
    for match in matches.values():
        match.backends = {b: match.backends[b] for b in BACKEND_ORDER if b in match.backends}
    kept = [u for u in unknown.values() if u.figures.worker_count or u.figures.usage.any or u.worker_ids]
    return matches, kept


def _each(target) -> list:
    return target if isinstance(target, list) else [target]


def _take_status(figures: Figures, entry: StatusLike) -> None:
    """Keep the entry with the most workers; the first seen wins a tie."""
    if figures.status is None or entry.count > figures.status.count:
        figures.status = entry


def _usage_by_name(stats: StatsLike) -> dict[str, Usage]:
    names = dict.fromkeys([*stats.day, *stats.month, *stats.total])
    return {
        name: Usage(stats.day.get(name, 0), stats.month.get(name, 0), stats.total.get(name, 0))
        for name in names
    }
