"""A JSON column that keeps key order.

PostgreSQL's jsonb (Django's JSONField) sorts object keys; the legacy files depend on key order
(requirements, settings, file entries), so record data is stored as JSON text instead. Nothing
queries inside it: every filtered or sorted value has its own typed column.
"""

import json
from enum import Enum

from django.db import models


class OrderedJSONField(models.TextField):
    description = "JSON text that preserves object key order"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if value is None or not isinstance(value, str):
            return value
        return json.loads(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


def enum_choices(enum: type[Enum]) -> list[tuple[str, str]]:
    """Model field choices of a string enum whose members have a `label` (catalog.categories)."""
    return [(member.value, member.label) for member in enum]
