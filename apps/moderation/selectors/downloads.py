"""The download URLs a change proposes, and what their checks say (apps/verification)."""

from __future__ import annotations

import logging

from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from apps.moderation.payloads import payload_to_data
from apps.verification.selectors import DownloadState, target_states
from apps.verification.targets import TargetSpec, changed_targets, record_targets

logger = logging.getLogger(__name__)


def proposed_downloads(change: PendingChange) -> list[TargetSpec]:
    """The download entries the change's record would have (none for a delete)."""
    if change.operation == PendingChange.Operation.DELETE or change.payload is None:
        return []
    try:
        return record_targets(payload_to_data(change))
    except Exception:  # payloads were validated when queued; an old one that no longer is shows none
        logger.warning("Change %s: its payload no longer reads as a record", change.pk)
        return []


def downloads_to_check(change: PendingChange) -> list[TargetSpec]:
    """What a new change adds or changes among the live record's download entries."""
    proposed = proposed_downloads(change)
    if not proposed:
        return []
    live = ModelRecord.objects.filter(category=change.category, name=change.model_name).only("data").first()
    return changed_targets(proposed, record_targets(live.data) if live else [])


def change_download_states(change: PendingChange) -> tuple[list[DownloadState], list[TargetSpec] | None]:
    """Each proposed URL's state, and (while the change is open) the live record's specs."""
    states = target_states(proposed_downloads(change))
    if change.status not in (PendingChange.Status.PENDING, PendingChange.Status.APPROVED):
        return states, None
    live = ModelRecord.objects.filter(category=change.category, name=change.model_name).only("data").first()
    return states, record_targets(live.data) if live else []
