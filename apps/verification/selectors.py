"""Reads: the state of download URLs (of a record, of a proposal, of the catalog)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from apps.catalog.models import DownloadFile, ModelRecord
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.targets import TargetSpec, record_targets, target_spec

OK, PROBLEM, CHECKING, UNCHECKED, NONE = "ok", "problem", "checking", "unchecked", "none"
RECORD_STATES = (OK, PROBLEM, UNCHECKED, NONE)


@dataclass(frozen=True)
class DownloadState:
    """One URL as expected by a record or a proposal, with what is known about it."""

    spec: TargetSpec
    check: DownloadCheck | None = None  # the latest check of exactly this URL, hash and size
    requested_at: datetime | None = None  # a check is queued and has not finished
    target_id: int | None = None  # where its history is (None: never asked about)

    @property
    def state(self) -> str:
        if self.check is not None and (
            self.requested_at is None or self.check.checked_at >= self.requested_at
        ):
            return OK if self.check.is_ok else PROBLEM
        return CHECKING if self.requested_at is not None else UNCHECKED


def target_states(specs: list[TargetSpec]) -> list[DownloadState]:
    """The state of each spec, in order (one query)."""
    rows = DownloadTarget.objects.filter(key__in=[s.key for s in specs]).select_related("latest_check")
    by_key = {row.key: row for row in rows}
    states = []
    for spec in specs:
        row = by_key.get(spec.key)
        if row is None:
            states.append(DownloadState(spec))
        else:
            states.append(DownloadState(spec, row.latest_check, row.requested_at, row.pk))
    return states


def record_states(record: ModelRecord) -> list[DownloadState]:
    return target_states(record_targets(record.data))


def overall_state(states: list[DownloadState]) -> str:
    """A record's downloads at a glance: any problem, else anything not (yet) known, else ok."""
    if not states:
        return NONE
    kinds = {s.state for s in states}
    if PROBLEM in kinds:
        return PROBLEM
    return UNCHECKED if kinds - {OK} else OK


def catalog_specs(
    *, category: str | None = None, record_ids: list[int] | None = None
) -> dict[int, list[TargetSpec]]:
    """The download specs of every (or the given) record by record id, from the download rows."""
    rows = DownloadFile.objects.order_by("record_id", "position")
    if category is not None:
        rows = rows.filter(record__category=category)
    if record_ids is not None:
        rows = rows.filter(record_id__in=record_ids)
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows.values_list(
        "record_id", "file_name", "file_url", "sha256sum", "size_bytes", "record__size_on_disk_bytes"
    ):
        grouped[row[0]].append(row)
    return {
        record_id: list(
            dict.fromkeys(
                target_spec(
                    url=url,
                    sha256sum=sha,
                    size_bytes=size,
                    record_size=record_size,
                    file_count=len(entries),
                    file_name=name,
                )
                for _, name, url, sha, size, record_size in entries
            )
        )
        for record_id, entries in grouped.items()
    }


def record_overall_states(*, category: str | None = None) -> dict[int, str]:
    """Every record's overall download state by id ("none" for records without downloads)."""
    specs = catalog_specs(category=category)
    keys = {s.key for each in specs.values() for s in each}
    known = {
        key: (checked_at, outcome, requested_at)
        for key, checked_at, outcome, requested_at in DownloadTarget.objects.filter(key__in=keys).values_list(
            "key", "latest_check__checked_at", "latest_check__outcome", "requested_at"
        )
    }
    records = ModelRecord.objects.all() if category is None else ModelRecord.objects.filter(category=category)
    return {
        record_id: overall_state([_state_of(s, known.get(s.key)) for s in specs.get(record_id, [])])
        for record_id in records.values_list("id", flat=True)
    }


def _state_of(spec: TargetSpec, known: tuple | None) -> DownloadState:
    if known is None or known[0] is None:
        return DownloadState(spec, None, known[2] if known else None)
    checked_at, outcome, requested_at = known
    return DownloadState(spec, DownloadCheck(checked_at=checked_at, outcome=outcome), requested_at)


def records_in_state(state: str, *, category: str | None = None) -> list[int]:
    return [rid for rid, each in record_overall_states(category=category).items() if each == state]


def category_download_problems() -> dict[str, int]:
    """Per category: how many records have a download with a problem (the dashboard's tiles)."""
    problems = set(records_in_state(PROBLEM))
    counts: dict[str, int] = defaultdict(int)
    for category in ModelRecord.objects.filter(pk__in=problems).values_list("category", flat=True):
        counts[category] += 1
    return dict(counts)
