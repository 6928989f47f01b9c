"""Carrying out a plan (apps/catalog/plans.py): the one place record rows are written.

`plan_apply` runs inside the caller's transaction, on rows the caller locked: it deletes,
creates and updates the rows (with their projections: typed columns, tag rows, download rows),
moves the ones that only changed place, writes one audit event per written record, keeps the
legacy file's formatting profile, counts the write in the category's metadata (bumping its
revision). Every row it writes carries that new revision, and a write that adds, removes or moves
a record also records it as the category's shape revision: readers holding rendered pieces ask
for the rows written since the revision they hold instead of every row (catalog/assembly.py).
The caller queues the after-commit hooks (catalog/hooks.py). Imports (`imports.catalog_import`)
and moderated writes (`records.record_write`) both end here.
"""

from __future__ import annotations

from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, audit_events_save, record_event, record_writes_serialize
from apps.catalog.models import ModelRecord, SourceFormat
from apps.catalog.plans import CREATE, DELETE, UPDATE, CategoryPlan, CurrentRecord, PlannedWrite
from apps.catalog.services.metadata import category_metadata_for_update, category_metadata_record
from apps.catalog.services.projections import UPDATE_FIELDS, record_assign, record_new, replace_projections
from apps.core import clock
from apps.core.bulk import rows_insert


def current_record(row: ModelRecord) -> CurrentRecord:
    """What the planner needs to know of a live row."""
    return CurrentRecord(row.name, row.data, row.legacy_layout, row.position, row.version, row.updated_by)


def plan_apply(*, plan: CategoryPlan, rows: dict[str, ModelRecord], actor: Actor) -> dict[str, ModelRecord]:
    """Write `plan`, whose updates, deletes and moves name rows of `rows` (locked by the caller).

    Returns the created and updated rows by name. Must run inside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("plan_apply must run inside the caller's transaction")
    record_writes_serialize()  # the callers took it first already; re-entrant
    category, now = plan.category, clock.now()
    # The revision this write gets (category_metadata_record bumps it below when rows change).
    revision = category_metadata_for_update(category, now).revision + 1
    created, updated, events, replaced = [], [], [], False
    for write in plan.writes:
        events.append(_event(write, plan, actor))
        if write.operation == CREATE:
            created.append(
                record_new(category, write.name, write.data, write.position, write.layout, write.meta, now)
            )
        elif write.operation == UPDATE:
            row = rows[write.name]
            replaced |= row.position != write.position
            record_assign(row, category, write.data, write.position, write.layout, write.meta, now)
            updated.append(row)
    deleted = [rows[w.name].pk for w in plan.writes if w.operation == DELETE]
    moved = [rows[name] for name in plan.moves]
    for row in moved:
        row.position = plan.moves[row.name]
    for row in (*created, *updated, *moved):
        row.revision = revision
    if deleted:
        ModelRecord.objects.filter(pk__in=deleted).delete()
    rows_insert(created)
    ModelRecord.objects.bulk_update(updated, [*UPDATE_FIELDS, "revision"], batch_size=500)
    ModelRecord.objects.bulk_update(moved, ["position", "revision"], batch_size=500)
    replace_projections(created=created, updated=updated)
    audit_events_save(events)
    if plan.profile is not None:
        SourceFormat.objects.update_or_create(
            category=category.value,
            defaults={"file_name": plan.file_name, "profile": plan.profile, "updated_at": now},
        )
    category_metadata_record(
        category,
        created=len(created),
        updated=len(updated),
        deleted=len(deleted),
        moved=len(moved),
        reshaped=bool(created or deleted or moved) or replaced,
        last_operation=plan.last_operation,
        last_model=plan.last_model,
        now=now,
    )
    return {row.name: row for row in (*created, *updated)}


def _event(write: PlannedWrite, plan: CategoryPlan, actor: Actor) -> AuditEvent:
    return record_event(
        actor=actor,
        category=plan.category.value,
        name=write.name,
        operation=write.operation,
        before=write.before,
        after=write.data,
        position=write.position if write.placed or write.operation == CREATE else None,
        layout=write.layout if write.placed else None,
        domain=plan.domain,
    )
