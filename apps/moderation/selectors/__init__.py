"""Reads of the moderation queue (domain values; the API and the admin shape them):
`changes` (filters, diffs, the pending channel), `desk` (what the admin desk shows), `history`
(batches, their timelines and net changes), `downloads` (the download URLs a change proposes and
their checks)."""

from apps.moderation.selectors.changes import (
    ChangeFilter,
    ChangePage,
    change_diff,
    change_get,
    change_list,
    change_queryset,
    payload_as_v2,
    pending_records,
    record_state,
)
from apps.moderation.selectors.desk import (
    applied_diff,
    applied_write,
    change_events,
    change_status_counts,
    critical_flags,
    live_record,
    open_changes,
    proposed_diffs,
    record_changes,
    record_history,
)
from apps.moderation.selectors.downloads import (
    change_download_states,
    downloads_to_check,
    proposed_downloads,
)
from apps.moderation.selectors.history import (
    BatchHistory,
    BatchNetChanges,
    BatchPage,
    BatchSummary,
    NetChange,
    batch_get,
    batch_history,
    batch_net_changes,
    batch_page,
    batch_summary,
    batch_timeline,
    pending_changes,
)

__all__ = [
    "BatchHistory",
    "BatchNetChanges",
    "BatchPage",
    "BatchSummary",
    "ChangeFilter",
    "ChangePage",
    "NetChange",
    "applied_diff",
    "applied_write",
    "batch_get",
    "batch_history",
    "batch_net_changes",
    "batch_page",
    "batch_summary",
    "batch_timeline",
    "change_diff",
    "change_download_states",
    "change_events",
    "change_get",
    "change_list",
    "change_queryset",
    "change_status_counts",
    "critical_flags",
    "downloads_to_check",
    "live_record",
    "open_changes",
    "payload_as_v2",
    "pending_changes",
    "pending_records",
    "proposed_diffs",
    "proposed_downloads",
    "record_changes",
    "record_history",
    "record_state",
]
