"""What happens after a committed change to one or more categories.

Services queue `categories_changed` with `transaction.on_commit`; it is the one place that lists
the side effects of a data change (no signals), so a newcomer finds them all here.
"""

from __future__ import annotations

from apps.catalog.categories import Category


def categories_changed(categories: list[Category]) -> None:
    """Run after commit: publish the new document revisions (readers switch to the new bytes)."""
    from apps.catalog.documents import documents_invalidate

    documents_invalidate(categories)
