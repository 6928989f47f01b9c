"""Per-category metadata: write counters, last update, and the revision that names the documents."""

from __future__ import annotations

from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.models import CategoryMetadata, ModelRecord
from apps.core import clock


def category_metadata_record(
    category: Category,
    *,
    created: int = 0,
    updated: int = 0,
    deleted: int = 0,
    moved: int = 0,
    reshaped: bool = False,
    last_operation: str | None = None,
    last_model: str | None = None,
    now=None,
) -> CategoryMetadata:
    """Count a write in the category's metadata (inside the write's transaction).

    Any change, including a pure reordering (`moved`), bumps the revision, so every reader
    switches to freshly rendered documents once the transaction commits. `reshaped`: the write
    added, removed or moved a record, so the documents' order may differ (the shape revision).
    """
    now = now or clock.now()
    metadata = category_metadata_for_update(category, now)
    if created or updated or deleted or moved:
        metadata.revision += 1
    if reshaped:
        metadata.shape_revision = metadata.revision
    if created or updated or deleted:
        metadata.last_updated = now
        metadata.last_successful_operation = now
        metadata.total_creates += created
        metadata.total_updates += updated
        metadata.total_deletes += deleted
        metadata.last_operation_model = last_model
        metadata.last_operation_type = last_operation
    metadata.total_models = ModelRecord.objects.filter(category=category.value).count()
    metadata.save()
    return metadata


def category_metadata_for_update(category: Category, now=None) -> CategoryMetadata:
    """The category's metadata row, locked for this transaction (created on first use)."""
    now = now or clock.now()
    metadata, _ = CategoryMetadata.objects.select_for_update().get_or_create(
        category=category.value, defaults={"last_updated": now, "initialization_time": now}
    )
    return metadata


def category_metadata_ensure_all() -> None:
    """Create the metadata row of every category that has none (at start, like upstream's PRIMARY)."""
    now = clock.now()
    existing = set(CategoryMetadata.objects.values_list("category", flat=True))
    CategoryMetadata.objects.bulk_create(
        [
            CategoryMetadata(category=c.value, last_updated=now, initialization_time=now)
            for c in CATEGORIES
            if c.value not in existing
        ],
        ignore_conflicts=True,
    )


def category_metadata_all() -> list[CategoryMetadata]:
    """Every category's metadata row in category order, created on first read (as upstream's
    PRIMARY initialises them)."""
    rows = list(CategoryMetadata.objects.all())
    if len(rows) < len(Category):
        category_metadata_ensure_all()
        rows = list(CategoryMetadata.objects.all())
    order = {c.value: i for i, c in enumerate(Category)}
    return sorted(rows, key=lambda r: order[r.category])
