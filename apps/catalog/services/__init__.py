"""Writes to the catalog. Each public function is one transaction (or runs inside the caller's)
with its audit events inside. Imports: `imports.catalog_import`; single record writes from the
moderation queue: `records.record_write`; both plan first (apps/catalog/plans.py) and write with
`writes.plan_apply`; counters: `metadata`."""

from apps.catalog.plans import RecordConflict, RecordWrite
from apps.catalog.services.imports import CategoryReport, ImportReport, catalog_import
from apps.catalog.services.metadata import (
    category_metadata_all,
    category_metadata_ensure_all,
    category_metadata_for_update,
    category_metadata_record,
)
from apps.catalog.services.records import record_write

__all__ = [
    "CategoryReport",
    "ImportReport",
    "RecordConflict",
    "RecordWrite",
    "catalog_import",
    "category_metadata_all",
    "category_metadata_ensure_all",
    "category_metadata_for_update",
    "category_metadata_record",
    "record_write",
]
