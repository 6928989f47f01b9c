"""What happens after a committed change to one or more categories.

Services queue `categories_changed` with `transaction.on_commit`; it is the one place that lists
the side effects of a data change (no signals), so a newcomer finds them all here.
"""

from __future__ import annotations

import logging

from apps.catalog.categories import Category

logger = logging.getLogger(__name__)


def categories_changed(categories: list[Category]) -> None:
    """Run after commit: each side effect below is independent and must not fail the others."""
    publish_revisions(categories)
    queue_exports(categories)


# --- Reads (apps/catalog/documents.py): readers switch to the new documents ---------------------
def publish_revisions(categories: list[Category]) -> None:
    from apps.catalog.documents import documents_invalidate

    try:
        documents_invalidate(categories)
    except Exception:
        # Readers still check the database revision when Redis cannot tell them (documents.py).
        logger.exception("Could not publish new revisions of %s", [c.value for c in categories])


# --- Exports (apps/sync): re-render the changed categories into HMR_EXPORT_DIR ------------------
def queue_exports(categories: list[Category]) -> None:
    from apps.sync.tasks import export_category  # imported here: apps.sync imports the catalog

    for category in categories:
        try:
            export_category.delay(category.value)
        except Exception:
            # The change is committed whatever happens here (broker down, disk full in eager mode);
            # the nightly export check writes what this export missed.
            logger.exception("Could not export %s after a change", category.value)
