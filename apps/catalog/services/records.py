"""One record written by the moderation queue: create, update or delete, conflict-checked.

`record_write` runs inside the caller's transaction (the queue's apply holds the change row and
writes the change's own state and audit events in the same transaction). It locks the record
row, plans the write (`plans.plan_record_write` refuses with `RecordConflict`, 409, when the
record is not in the state the change was proposed against), carries the plan out
(`writes.plan_apply`: row, projections, audit event, category metadata) and queues the
after-commit hooks.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from apps.audit.services import Actor, record_writes_serialize
from apps.catalog import hooks
from apps.catalog.models import ModelRecord
from apps.catalog.plans import RecordWrite, plan_record_write
from apps.catalog.services.writes import current_record, plan_apply


def record_write(*, write: RecordWrite, actor: Actor) -> ModelRecord | None:
    """Apply one write. Raises RecordConflict (409) or NotFound (404); returns the row (None if deleted)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_write must run inside the caller's transaction")
    category = write.category
    record_writes_serialize()  # before the row lock: record events commit in id order
    row = ModelRecord.objects.select_for_update().filter(category=category.value, name=write.name).first()
    next_position = 0
    if row is None:
        last = ModelRecord.objects.filter(category=category.value).aggregate(p=Max("position"))["p"]
        next_position = 0 if last is None else last + 1
    plan = plan_record_write(write, current_record(row) if row else None, next_position=next_position)
    written = plan_apply(plan=plan, rows={row.name: row} if row else {}, actor=actor)
    transaction.on_commit(lambda: hooks.categories_changed([category]))
    return written.get(write.name)
