"""A change's payload as record data: v2 payloads validated, legacy ones converted. No queries."""

from __future__ import annotations

from apps.catalog.categories import Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import v2 as v2_format
from apps.catalog.formats.text_writes import (
    text_data_complete,
    text_payload_prepare,
    v2_payload_from_db_entry,
)
from apps.moderation.models import PendingChange


def payload_to_data(change: PendingChange) -> dict:
    """The record data a change's payload stands for (v2 or legacy payloads)."""
    category = Category(change.category)
    if change.payload_format == PendingChange.Format.LEGACY:
        if category == Category.TEXT_GENERATION:
            prepared = text_payload_prepare(v2_payload_from_db_entry(change.payload))
            return text_data_complete(v2_format.validate_record(category, prepared))
        return legacy_format.data_from_legacy(category, change.model_name, change.payload)
    return v2_format.validate_record(category, change.payload)
