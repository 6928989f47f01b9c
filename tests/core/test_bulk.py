"""core/bulk: COPY-inserted rows are the rows bulk_create writes; unsaved() is Model(**values)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from apps.audit.models import AuditEvent
from apps.catalog.models import ModelRecord, RecordTag
from apps.core.bulk import COPY_MIN_ROWS, rows_insert, unsaved

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def _events(prefix: str, count: int, maker) -> list[AuditEvent]:
    """Events with every kind of value a column can hold: text with quotes, tabs, backslashes and
    newlines, non-ASCII, None, a choices enum, JSON with nested order-sensitive objects."""
    return [
        maker(
            AuditEvent,
            timestamp=WHEN,
            domain="legacy" if i % 2 else "v2",
            category="text_generation",
            model_name=f'{prefix}/model "{i}"\t\\ \n é',
            operation=AuditEvent.Operation.CREATE if i % 3 else AuditEvent.Operation.UPDATE,
            origin=AuditEvent.Origin.IMPORT,
            actor_id=None if i % 2 else f"actor {i}",
            actor_name=None,
            request_id=None,
            payload={"after": {"z": i, "a": [1, None, True, "x"], "m": {"b": 1.5, "a": "\\N"}}},
        )
        for i in range(count)
    ]


def _columns(events: list[AuditEvent]) -> list[tuple]:
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    rows = AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk").values_list(*fields)
    return list(rows)


def test_copied_rows_equal_bulk_created_rows_ids_in_order():
    assert connection.vendor == "postgresql"
    count = COPY_MIN_ROWS + 5
    copied = _events("same", count, unsaved)
    rows_insert(copied)
    created = AuditEvent.objects.bulk_create(_events("same", count, lambda model, **v: model(**v)))

    ids = [e.pk for e in copied]
    assert ids == sorted(ids) and len(set(ids)) == count  # the order given, as bulk_create does
    assert all(not e._state.adding and e._state.db == "default" for e in copied)
    assert _columns(copied) == _columns(created)
    stored = AuditEvent.objects.get(pk=copied[7].pk)
    assert stored.payload == copied[7].payload and list(stored.payload["after"]) == ["z", "a", "m"]
    # the sequence is past the copied ids: a later ordinary insert takes the next one
    assert created[0].pk > ids[-1]


def test_few_rows_go_through_bulk_create_with_the_same_result():
    few = _events("few", 3, unsaved)
    rows_insert(few)
    assert [e.model_name for e in AuditEvent.objects.filter(pk__in=[e.pk for e in few]).order_by("pk")] == [
        e.model_name for e in few
    ]


def test_foreign_keys_by_attname():
    record = ModelRecord.objects.create(
        category="text_generation", name="r", data={}, created_at=WHEN, updated_at=WHEN
    )
    tags = [unsaved(RecordTag, record_id=record.pk, tag=f"t{i}") for i in range(COPY_MIN_ROWS)]
    rows_insert(tags)
    assert sorted(record.tag_rows.values_list("tag", flat=True)) == sorted(t.tag for t in tags)


def test_unsaved_is_the_instance_django_builds():
    values = {"category": "lora", "name": "n", "data": {"a": 1}, "created_at": WHEN, "version": 0}
    fast, django = unsaved(ModelRecord, **values), ModelRecord(**values)
    assert {k: v for k, v in vars(fast).items() if k != "_state"} == {
        k: v for k, v in vars(django).items() if k != "_state"
    }
    assert fast._state.adding and fast._state.db is None
    fast.updated_at = WHEN
    fast.save()
    assert ModelRecord.objects.get(pk=fast.pk).data == {"a": 1}


def test_unsaved_refuses_a_name_that_is_not_a_field():
    with pytest.raises(TypeError, match="RecordTag has no field 'record'"):
        unsaved(RecordTag, record=None, tag="x")


def test_rows_with_ids_of_their_own_keep_them():
    events = _events("own", COPY_MIN_ROWS, unsaved)
    start = 10_000_000
    for offset, event in enumerate(events):
        event.pk = start + offset
    rows_insert(events)
    stored = list(
        AuditEvent.objects.filter(model_name__startswith="own/").order_by("pk").values_list("pk", flat=True)
    )
    assert stored == [start + offset for offset in range(len(events))]
