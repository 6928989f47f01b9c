"""Inserting many new rows at once: PostgreSQL's COPY, Django's bulk_create elsewhere.

Django's bulk_create on PostgreSQL sends each column as one array parameter, and psycopg escapes
every string of a text array in Python (a regular expression per value): at a hundred thousand
rows of JSON text that costs more than the rest of an import. COPY moves the rows in psycopg's C
code instead. COPY cannot hand back the ids it assigned, so the ids are taken from the table's
sequence first, in one query, and written with the rows: every object gets its primary key as
bulk_create would set it, in the order given (audit event ids stay in write order).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

# Below this many rows bulk_create is as fast, and keeps the one-statement path short.
COPY_MIN_ROWS = 200


def unsaved(model: type[models.Model], **values) -> models.Model:
    """`model(**values)` for a row about to be written, at a fraction of the cost.

    Django's `Model.__init__` walks every field for its keyword arguments (about 40 µs for a
    catalog record), which an import pays for each of its hundreds of thousands of rows. This sets
    the values by field attname (`record_id`, not `record`) over the fields' defaults directly.
    A name that is not a field's attname is refused; a model with init signals is built by Django.
    """
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    attnames, defaults = _defaults(model)
    if not attnames.issuperset(values):
        raise TypeError(f"{model.__name__} has no field {sorted(set(values) - attnames)[0]!r}")
    obj = model.__new__(model)
    obj._state = ModelState()
    fields = obj.__dict__
    for attname, default in defaults:
        if attname not in values:
            fields[attname] = default() if callable(default) else default
    fields.update(values)
    return obj


@cache
def _defaults(model: type[models.Model]) -> tuple[frozenset[str], list[tuple[str, object]]]:
    fields = model._meta.concrete_fields
    defaults = [(f.attname, f.default if f.has_default() else f.get_default()) for f in fields]
    return frozenset(f.attname for f in fields), defaults


def rows_insert(objects: Sequence[models.Model], *, batch_size: int = 500) -> None:
    """Insert `objects` (new, unsaved instances of one model) and set their primary keys."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    given_ids = any(obj.pk is not None for obj in objects)  # bulk_create keeps them; COPY here would not
    if connection.vendor != "postgresql" or len(objects) < COPY_MIN_ROWS or given_ids:
        model.objects.bulk_create(objects, batch_size=batch_size)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
        stamped = [f for f in fields if _stamped(f)]  # their value is set below, then converted
        prepare = [(f.attname, f.get_db_prep_save, () if f in stamped else _plain(f)) for f in fields]
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, obj in zip(ids, objects, strict=True):
                row = [pk]
                values = obj.__dict__
                for field in stamped:
                    field.pre_save(obj, True)
                for attname, to_db, plain_types in prepare:
                    value = values[attname]
                    row.append(value if type(value) in plain_types else to_db(value, connection))
                copy.write_row(row)
    db = connection.alias
    for pk, obj in zip(ids, objects, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db


def _stamped(field: models.Field) -> bool:
    """auto_now and auto_now_add fields, which set their value when the row is written."""
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _plain(field: models.Field) -> tuple[type, ...]:
    """The value types COPY can take as they are for `field`: those Django would not change."""
    for kinds, plain in _PLAIN:
        if type(field) in kinds:
            return plain
    return ()  # JSON text, dates and times, anything else: through Django's conversion


NONE = type(None)
_PLAIN: list[tuple[tuple[type, ...], tuple[type, ...]]] = [
    ((models.CharField, models.TextField), (str, NONE)),
    (
        (
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
            models.ForeignKey,
        ),
        (int, NONE),
    ),
    ((models.BooleanField,), (bool, NONE)),
]
