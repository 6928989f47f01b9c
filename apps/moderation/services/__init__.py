"""The queue's writes: propose (`change_enqueue`), review (`changes_review`), apply
(`changes_apply`, `batch_apply`), purge (`changes_purge`). Each is one or more transactions with
their audit events inside; see each module's docstring for the contract."""

from apps.moderation.services.apply import ApplyReport, BatchSplit, batch_apply, changes_apply
from apps.moderation.services.enqueue import (
    CheckedProposal,
    PayloadInvalid,
    Proposal,
    change_check,
    change_enqueue,
    validate_name,
)
from apps.moderation.services.purge import PurgeFilter, changes_purge
from apps.moderation.services.review import ReviewResult, changes_review

__all__ = [
    "ApplyReport",
    "BatchSplit",
    "CheckedProposal",
    "PayloadInvalid",
    "Proposal",
    "PurgeFilter",
    "ReviewResult",
    "batch_apply",
    "change_check",
    "change_enqueue",
    "changes_apply",
    "changes_purge",
    "changes_review",
    "validate_name",
]
