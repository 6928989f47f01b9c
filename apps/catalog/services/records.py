"""One record written by the moderation queue: create, update or delete, conflict-checked.

`record_write` runs inside the caller's transaction (the queue's apply holds the change row and
writes the change's own state and audit events in the same transaction). It locks the record
row, refuses with `RecordConflict` (409) when the record is not in the state the change was
proposed against, writes the row with its projections, its audit event and the category
metadata, and queues the after-commit side effects.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, audit_events_save, record_event
from apps.catalog import hooks
from apps.catalog.categories import Category
from apps.catalog.formats.v2 import LEGACY_KEY, RecordMeta
from apps.catalog.models import ModelRecord
from apps.catalog.services.metadata import category_metadata_record
from apps.catalog.services.projections import UPDATE_FIELDS, record_assign, record_new, replace_projections
from apps.core import clock
from apps.core.errors import Conflict, NotFound

Op = AuditEvent.Operation


class RecordConflict(Conflict):
    """The record changed since the change was proposed (or appeared, or disappeared)."""


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


def record_write(*, write: RecordWrite, actor: Actor) -> ModelRecord | None:
    """Apply one write. Raises RecordConflict (409) or NotFound (404); returns the row (None if deleted)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_write must run inside the caller's transaction")
    category = write.category
    current = ModelRecord.objects.select_for_update().filter(category=category.value, name=write.name).first()
    _check_base(write, current)
    now = clock.now()
    if write.operation == Op.DELETE:
        before = current.data
        current.delete()
        event = record_event(
            actor=actor,
            category=category.value,
            name=write.name,
            operation=Op.DELETE,
            before=before,
            domain=write.domain,
        )
        result = None
        counts = {"deleted": 1}
    elif current is None:
        position = (
            ModelRecord.objects.filter(category=category.value).aggregate(p=Max("position"))["p"] or -1
        ) + 1
        result = record_new(
            category,
            write.name,
            write.data,
            position,
            None,
            RecordMeta(created_by=write.author, updated_by=write.author),
            now,
        )
        result.save()
        event = record_event(
            actor=actor,
            category=category.value,
            name=write.name,
            operation=Op.CREATE,
            after=result.data,
            position=position,
            domain=write.domain,
        )
        counts = {"created": 1}
    else:
        before = current.data
        data = write.data
        if write.keep_legacy_residue and before.get(LEGACY_KEY) and LEGACY_KEY not in data:
            data = {**data, LEGACY_KEY: before[LEGACY_KEY]}
        meta = RecordMeta(updated_by=write.author or current.updated_by)
        record_assign(current, category, data, current.position, current.legacy_layout, meta, now)
        current.save(update_fields=UPDATE_FIELDS)
        result = current
        event = record_event(
            actor=actor,
            category=category.value,
            name=write.name,
            operation=Op.UPDATE,
            before=before,
            after=data,
            domain=write.domain,
        )
        counts = {"updated": 1}
    if result is not None:
        replace_projections([result])
    audit_events_save([event])
    category_metadata_record(
        category, last_operation=write.operation, last_model=write.name, now=now, **counts
    )
    transaction.on_commit(lambda: hooks.categories_changed([category]))
    return result


def _check_base(write: RecordWrite, current: ModelRecord | None) -> None:
    where = f"'{write.name}' in category '{write.category.value}'"
    if write.operation == Op.CREATE:
        if current is not None:
            raise RecordConflict(
                f"Model {where} already exists (version {current.version}); it was created "
                "after this change was proposed.",
                extra={"current_version": current.version},
            )
        return
    if current is None:
        if write.operation == Op.DELETE and write.base_version is None:
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
