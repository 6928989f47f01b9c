"""Writes to the catalog. Each public function is one transaction with its audit events inside."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, audit_events_save, record_event
from apps.catalog import hooks
from apps.catalog.categories import Category
from apps.catalog.formats.bundle import ImportFormatError, ParsedCategory
from apps.catalog.formats.v2 import LEGACY_KEY
from apps.catalog.models import ModelRecord, SourceFormat
from apps.catalog.services.metadata import category_metadata_record
from apps.catalog.services.projections import UPDATE_FIELDS, record_assign, record_new, replace_projections
from apps.core import clock

Op = AuditEvent.Operation


@dataclass
class CategoryReport:
    category: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    moved: int = 0  # same content at another place in the file: no new version, no audit event
    warnings: list[str] = field(default_factory=list)

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
    v2 source does not erase what only the legacy files carry. `dry_run` computes the report and
    writes nothing. Raises ImportFormatError when two categories come from the same input twice.
    """
    seen: set[Category] = set()
    for item in parsed:
        if item.category in seen:
            raise ImportFormatError(
                item.file_name, f"category {item.category.value} appears twice in the input"
            )
        seen.add(item.category)
    reports = []
    with transaction.atomic():
        for item in parsed:
            reports.append(_import_category(item, actor, dry_run, keep_legacy_residue, progress))
        changed = [Category(r.category) for r in reports if r.touched]
        if dry_run:
            transaction.set_rollback(True)
        elif changed:
            transaction.on_commit(lambda: hooks.categories_changed(changed))
    return ImportReport(reports, dry_run)


def _import_category(
    item: ParsedCategory,
    actor: Actor,
    dry_run: bool,
    keep_legacy_residue: bool,
    progress: Callable[[int], None] | None,
) -> CategoryReport:
    category = item.category
    report = CategoryReport(category.value, warnings=list(item.warnings))
    existing = {r.name: r for r in ModelRecord.objects.select_for_update().filter(category=category)}
    now = clock.now()
    to_create: list[ModelRecord] = []
    to_update: list[ModelRecord] = []
    to_move: list[ModelRecord] = []
    events: list[AuditEvent] = []
    for position, parsed in enumerate(item.records):
        data, layout = parsed.data, parsed.layout
        current = existing.pop(parsed.name, None)
        if current is not None and keep_legacy_residue:
            if current.data.get(LEGACY_KEY) and LEGACY_KEY not in data:
                data = {**data, LEGACY_KEY: current.data[LEGACY_KEY]}
            layout = layout or current.legacy_layout
        if current is None:
            record = record_new(category, parsed.name, data, position, layout, parsed.meta, now)
            to_create.append(record)
            events.append(
                record_event(
                    actor=actor,
                    category=category.value,
                    name=parsed.name,
                    operation=Op.CREATE,
                    after=data,
                    position=position,
                    layout=layout,
                )
            )
        elif _json_text(current.data) != _json_text(data) or current.legacy_layout != layout:
            before = current.data
            record_assign(current, category, data, position, layout, parsed.meta, now)
            to_update.append(current)
            events.append(
                record_event(
                    actor=actor,
                    category=category.value,
                    name=parsed.name,
                    operation=Op.UPDATE,
                    before=before,
                    after=data,
                    position=position,
                    layout=layout,
                )
            )
        else:
            report.unchanged += 1
            if current.position != position:
                current.position = position
                to_move.append(current)
        if progress:
            progress(1)
    for gone in existing.values():
        events.append(
            record_event(
                actor=actor,
                category=category.value,
                name=gone.name,
                operation=Op.DELETE,
                before=gone.data,
                position=gone.position,
            )
        )
    report.created, report.updated, report.deleted = len(to_create), len(to_update), len(existing)
    report.moved = len(to_move)
    if dry_run:
        return report
    if existing:
        ModelRecord.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    ModelRecord.objects.bulk_create(to_create, batch_size=500)
    ModelRecord.objects.bulk_update(to_update, UPDATE_FIELDS, batch_size=500)
    ModelRecord.objects.bulk_update(to_move, ["position"], batch_size=500)
    replace_projections([*to_create, *to_update])
    audit_events_save(events)
    _source_format_save(category, item, now)
    operation = (
        Op.DELETE
        if report.deleted and not (report.created or report.updated)
        else Op.UPDATE
        if report.updated
        else Op.CREATE
    )
    category_metadata_record(
        category,
        created=report.created,
        updated=report.updated,
        deleted=report.deleted,
        moved=report.moved,
        last_operation=operation,
        last_model=events[-1].model_name if events else None,
        now=now,
    )
    return report


def _json_text(data: dict) -> str:
    # Key order matters for the legacy files; dict equality alone ignores it.
    return json.dumps(data, separators=(",", ":"))


def _source_format_save(category: Category, item: ParsedCategory, now) -> None:
    if item.profile is None:
        return
    SourceFormat.objects.update_or_create(
        category=category.value,
        defaults={"file_name": item.file_name, "profile": item.profile, "updated_at": now},
    )
