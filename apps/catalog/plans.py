"""What a write to the catalog will do, decided before anything is written. Pure functions.

Both writers of the catalog plan first: an import (`plan_import`: make a category hold exactly
the parsed records) and a moderated change (`plan_record_write`: create, update or delete one
record, conflict-checked against the version it was proposed on). A plan lists, in order, the
records to create, update and delete, the records that only move, and how many stay as they
are; `services.writes.plan_apply` carries it out in one transaction. A dry run plans from
unlocked reads and writes nothing.

The one rule both share: a write whose data has no legacy residue keeps the record's residue
(and its legacy layout), so a v2 source never erases what only the legacy files carry
(`keep_legacy`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from apps.catalog.categories import Category
from apps.catalog.formats.bundle import ParsedCategory
from apps.catalog.formats.v2 import LEGACY_KEY, RecordMeta
from apps.core.errors import Conflict, NotFound

CREATE, UPDATE, DELETE = "create", "update", "delete"


class RecordConflict(Conflict):
    """The record changed since the change was proposed (or appeared, or disappeared)."""


@dataclass(frozen=True)
class CurrentRecord:
    """A live record as the planner sees it."""

    name: str
    data: dict
    layout: dict | None
    position: int
    version: int
    updated_by: str | None = None


@dataclass(frozen=True)
class PlannedWrite:
    operation: str  # create | update | delete
    name: str
    data: dict | None  # the record's new data (None for a delete)
    before: dict | None  # its data now (None for a create)
    position: int
    layout: dict | None = None
    meta: RecordMeta = field(default_factory=RecordMeta)
    placed: bool = True  # the write sets the record's place in its file (imports); audited with it


@dataclass
class CategoryPlan:
    category: Category
    writes: list[PlannedWrite] = field(default_factory=list)  # in file order, deletes last
    moves: dict[str, int] = field(default_factory=dict)  # name -> new position; same content
    unchanged: int = 0
    domain: str = "v2"  # the format the audit events' payloads are in
    profile: dict | None = None  # the legacy file's formatting profile to keep (imports)
    file_name: str | None = None
    warnings: list[str] = field(default_factory=list)

    def count(self, operation: str) -> int:
        return sum(1 for w in self.writes if w.operation == operation)

    @property
    def last_operation(self) -> str:
        """What the category's metadata records as its last operation."""
        if self.count(DELETE) and not (self.count(CREATE) or self.count(UPDATE)):
            return DELETE
        return UPDATE if self.count(UPDATE) else CREATE

    @property
    def last_model(self) -> str | None:
        return self.writes[-1].name if self.writes else None


def keep_legacy(current: CurrentRecord, data: dict, layout: dict | None) -> tuple[dict, dict | None]:
    """`data` with the current record's legacy residue when it brings none, and its layout."""
    if current.data.get(LEGACY_KEY) and LEGACY_KEY not in data:
        data = {**data, LEGACY_KEY: current.data[LEGACY_KEY]}
    return data, layout or current.layout


def _json_text(data: dict) -> str:
    # Key order matters for the legacy files; dict equality alone ignores it.
    return json.dumps(data, separators=(",", ":"))


def plan_import(
    parsed: ParsedCategory, current: list[CurrentRecord], *, keep_legacy_residue: bool
) -> CategoryPlan:
    """Make the category hold exactly `parsed.records`, in their order.

    A record is created when new, updated when its data or layout differ (key order counts),
    moved when only its position differs, and deleted when the input lacks it.
    `keep_legacy_residue` (v2 sources) keeps each record's legacy residue and layout.
    """
    plan = CategoryPlan(
        parsed.category, profile=parsed.profile, file_name=parsed.file_name, warnings=list(parsed.warnings)
    )
    existing = {record.name: record for record in current}
    for position, record in enumerate(parsed.records):
        data, layout = record.data, record.layout
        now = existing.pop(record.name, None)
        if now is not None and keep_legacy_residue:
            data, layout = keep_legacy(now, data, layout)
        if now is None:
            plan.writes.append(PlannedWrite(CREATE, record.name, data, None, position, layout, record.meta))
        elif _json_text(now.data) != _json_text(data) or now.layout != layout:
            plan.writes.append(
                PlannedWrite(UPDATE, record.name, data, now.data, position, layout, record.meta)
            )
        else:
            plan.unchanged += 1
            if now.position != position:
                plan.moves[record.name] = position
    for gone in existing.values():
        plan.writes.append(PlannedWrite(DELETE, gone.name, None, gone.data, gone.position))
    return plan


@dataclass(frozen=True)
class RecordWrite:
    category: Category
    name: str
    operation: str  # create | update | delete
    data: dict | None = None  # record data for create and update
    base_version: int | None = None  # the record's version the change was proposed against
    keep_legacy_residue: bool = True  # a v2 payload keeps what only the legacy file carries
    author: str | None = None  # who proposed it (recorded as created_by / updated_by)
    domain: str = "v2"


def plan_record_write(
    write: RecordWrite, current: CurrentRecord | None, *, next_position: int
) -> CategoryPlan:
    """One moderated write. Raises RecordConflict (409) or NotFound (404).

    A create goes at the end of the file (`next_position`); an update keeps the record's place
    and layout; who proposed it is recorded as created_by / updated_by.
    """
    _check_base(write, current)
    plan = CategoryPlan(write.category, domain=write.domain)
    if write.operation == DELETE:
        plan.writes.append(
            PlannedWrite(DELETE, write.name, None, current.data, current.position, placed=False)
        )
    elif current is None:
        meta = RecordMeta(created_by=write.author, updated_by=write.author)
        plan.writes.append(PlannedWrite(CREATE, write.name, write.data, None, next_position, None, meta))
    else:
        data, layout = write.data, current.layout
        if write.keep_legacy_residue:
            data, layout = keep_legacy(current, data, layout)
        meta = RecordMeta(updated_by=write.author or current.updated_by)
        plan.writes.append(
            PlannedWrite(UPDATE, write.name, data, current.data, current.position, layout, meta, placed=False)
        )
    return plan


def _check_base(write: RecordWrite, current: CurrentRecord | None) -> None:
    where = f"'{write.name}' in category '{write.category.value}'"
    if write.operation == CREATE:
        if current is not None:
            raise RecordConflict(
                f"Model {where} already exists (version {current.version}); it was created "
                "after this change was proposed.",
                extra={"current_version": current.version},
            )
        return
    if current is None:
        if write.operation == DELETE and write.base_version is None:
            raise NotFound(f"Model {where} not found")
        raise RecordConflict(
            f"Model {where} no longer exists; it was deleted after this change was proposed.",
            extra={"current_version": None},
        )
    if write.base_version is not None and current.version != write.base_version:
        raise RecordConflict(
            f"Model {where} changed since this change was proposed (proposed against version "
            f"{write.base_version}, now version {current.version}).",
            extra={"base_version": write.base_version, "current_version": current.version},
        )
