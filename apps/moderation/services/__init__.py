"""The queue's writes: propose (`change_enqueue`, `changes_propose_batch` and the text-model
proposals of services/text.py), review (`changes_review`), apply
(`changes_apply`, `batch_apply`), purge (`changes_purge`). Each is one or more transactions with
their audit events inside; see each module's docstring for the contract."""

from apps.moderation.services.apply import ApplyReport, BatchSplit, batch_apply, changes_apply
from apps.moderation.services.enqueue import (
    CheckedProposal,
    PayloadInvalid,
    Proposal,
    ProposedBatch,
    change_check,
    change_enqueue,
    changes_propose_batch,
    proposal_payload,
    validate_name,
)
from apps.moderation.services.purge import PurgeFilter, changes_purge
from apps.moderation.services.review import ReviewResult, changes_review
from apps.moderation.services.text import (
    group_batch_title,
    group_common_fields_proposals,
    group_common_fields_propose,
    name_exception_propose,
)

__all__ = [
    "ApplyReport",
    "BatchSplit",
    "CheckedProposal",
    "PayloadInvalid",
    "Proposal",
    "ProposedBatch",
    "PurgeFilter",
    "ReviewResult",
    "batch_apply",
    "change_check",
    "change_enqueue",
    "changes_apply",
    "changes_propose_batch",
    "changes_purge",
    "changes_review",
    "group_batch_title",
    "group_common_fields_proposals",
    "group_common_fields_propose",
    "name_exception_propose",
    "proposal_payload",
    "validate_name",
]
