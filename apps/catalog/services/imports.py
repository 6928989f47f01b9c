"""Imports: make categories hold exactly the parsed records. Plan first, then write.

`catalog_import` plans every category with `plans.plan_import` (pure) and carries the plans out
with `writes.plan_apply`, all in one transaction with one audit event per record written. A dry
run plans from plain reads: it takes no lock and writes nothing. A category the source has no
file for (`ParsedCategory.absent`) is left as it is and reported so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from apps.audit.services import Actor, record_writes_serialize
from apps.catalog import hooks
from apps.catalog.categories import Category
from apps.catalog.formats.bundle import ImportFormatError, ParsedCategory
from apps.catalog.models import ModelRecord
from apps.catalog.plans import CREATE, DELETE, UPDATE, CategoryPlan, plan_import
from apps.catalog.services.writes import current_record, plan_apply


@dataclass
class CategoryReport:
    category: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    moved: int = 0  # same content at another place in the file: no new version, no audit event
    warnings: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # the source's db.json against models.csv
    names: dict[str, list[str]] = field(default_factory=dict)  # operation -> record names, in order

    @classmethod
    def of(cls, plan: CategoryPlan, differences: list[str] | None = None) -> CategoryReport:
        names: dict[str, list[str]] = {}
        for write in plan.writes:
            names.setdefault(write.operation, []).append(write.name)
        if plan.moves:
            names["move"] = list(plan.moves)
        return cls(
            plan.category.value,
            created=plan.count(CREATE),
            updated=plan.count(UPDATE),
            unchanged=plan.unchanged,
            deleted=plan.count(DELETE),
            moved=len(plan.moves),
            warnings=plan.warnings,
            differences=list(differences or []),
            names=names,
        )

    @classmethod
    def left_alone(cls, item: ParsedCategory, records: int) -> CategoryReport:
        note = (
            f"image/{item.file_name} is not in this source: {item.category.value} is left as it is "
            f"({records} record(s))"
        )
        return cls(item.category.value, unchanged=records, warnings=[note])

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    @property
    def touched(self) -> bool:
        return bool(self.changed or self.moved)


@dataclass
class ImportReport:
    categories: list[CategoryReport]
    dry_run: bool

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.categories)

    def totals(self) -> CategoryReport:
        total = CategoryReport("total")
        for c in self.categories:
            total.created += c.created
            total.updated += c.updated
            total.unchanged += c.unchanged
            total.deleted += c.deleted
            total.moved += c.moved
        return total


def catalog_import(
    *,
    parsed: list[ParsedCategory],
    actor: Actor,
    dry_run: bool = False,
    keep_legacy_residue: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Make each given category hold exactly the parsed records (in file order).

    Records are created, updated (data, position or layout changed; `version` bumped) or deleted
    (absent from the input); unchanged ones are not touched, so a second import of the same data
    writes nothing. One transaction for all categories, with one audit event per record written.
    `keep_legacy_residue` (v2 imports) keeps each existing record's legacy residue and layout, so a
    v2 source does not erase what only the legacy files carry. `dry_run` computes the report from
    unlocked reads and writes nothing. Raises ImportFormatError when a category comes twice.
    """
    _check_unique(parsed)
    if dry_run:
        reports = []
        for item in parsed:
            rows = _rows(item.category, lock=False)
            if item.absent:
                reports.append(CategoryReport.left_alone(item, len(rows)))
            else:
                reports.append(CategoryReport.of(_plan(item, rows, keep_legacy_residue), item.differences))
        return ImportReport(reports, dry_run=True)
    reports = []
    with transaction.atomic():
        record_writes_serialize()  # before any row lock: record events commit in id order
        for item in parsed:
            if item.absent:
                reports.append(
                    CategoryReport.left_alone(
                        item, ModelRecord.objects.filter(category=item.category.value).count()
                    )
                )
                continue
            rows = _rows(item.category, lock=True)
            plan = _plan(item, rows, keep_legacy_residue)
            plan_apply(plan=plan, rows=rows, actor=actor)
            reports.append(CategoryReport.of(plan, item.differences))
            if progress:
                progress(len(item.records))
        changed = [Category(r.category) for r in reports if r.touched]
        if changed:
            transaction.on_commit(lambda: hooks.categories_changed(changed))
    return ImportReport(reports, dry_run=False)


def _check_unique(parsed: list[ParsedCategory]) -> None:
    seen: set[Category] = set()
    for item in parsed:
        if item.category in seen:
            raise ImportFormatError(
                item.file_name, f"category {item.category.value} appears twice in the input"
            )
        seen.add(item.category)


def _rows(category: Category, *, lock: bool) -> dict[str, ModelRecord]:
    rows = ModelRecord.objects.filter(category=category.value)
    return {row.name: row for row in (rows.select_for_update() if lock else rows)}


def _plan(item: ParsedCategory, rows: dict[str, ModelRecord], keep_legacy_residue: bool) -> CategoryPlan:
    current = [current_record(row) for row in rows.values()]
    return plan_import(item, current, keep_legacy_residue=keep_legacy_residue)
