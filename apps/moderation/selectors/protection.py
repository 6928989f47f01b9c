"""The two-approval rule for the most used models (the image repository's rule that changes to
the top models need wider agreement).

A change is *protected* when its record is one of the `HMR_PROTECTED_TOP_N` most used records
of its category by monthly AI-Horde usage (the usage snapshot, `apps.analytics`; ties with the
last place count) and it touches a critical field (`moderation.diff`: a deletion always does).
A protected change needs approvals from two different approvers before it is applied. The rule
is evaluated when it matters: a record that has dropped out of the top N since the first
approval needs one approval again; one that has entered it needs a second one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apps.analytics.selectors.usage import protected_names, protected_rank
from apps.catalog.categories import Category
from apps.moderation.models import PendingChange
from apps.moderation.selectors.changes import change_diff

REQUIRED_APPROVALS = 2


@dataclass(frozen=True)
class Protection:
    category: str
    name: str
    rank: int  # 1 = the most used
    top_n: int
    approvers: tuple[tuple[str, str], ...]  # (id, name) of each distinct approver so far

    @property
    def satisfied(self) -> bool:
        return len(self.approvers) >= REQUIRED_APPROVALS

    @property
    def label(self) -> str:
        return f"{len(self.approvers)} of {REQUIRED_APPROVALS} approvals"

    @property
    def reason(self) -> str:
        return (
            f"{self.category}/{self.name} is #{self.rank} of the {self.top_n} most used "
            f"{self.category} models (monthly AI-Horde usage) and the change touches a critical field"
        )

    def refusal(self, change_id: int) -> str:
        """Why apply refuses, and what to do about it (the admin and the API say the same)."""
        who = ", ".join(name or user_id for user_id, name in self.approvers) or "nobody yet"
        return (
            f"Change {change_id} needs approvals from {REQUIRED_APPROVALS} different approvers before it "
            f"is applied: {self.reason}. It has {self.label} ({who}). A second approver must approve it "
            "(in the admin, or POST pending_queue/batches with its id in approved_ids)."
        )


def change_approvers(change: PendingChange) -> tuple[tuple[str, str], ...]:
    approvers = []
    for user_id, name in (
        (change.approved_by, change.approved_username),
        (change.second_approved_by, change.second_approved_username),
    ):
        if user_id and user_id not in [a for a, _ in approvers]:
            approvers.append((user_id, name or ""))
    return tuple(approvers)


def change_protection(change: PendingChange, *, critical: bool | None = None) -> Protection | None:
    """The rule's verdict on one change now (None: one approval is enough)."""
    ranked = protected_rank(change.category, change.model_name)
    if ranked is None:
        return None
    if critical is None:
        critical = change_diff(change).is_critical
    if not critical:
        return None
    rank, top_n = ranked
    return Protection(change.category, change.model_name, rank, top_n, change_approvers(change))


def protections(changes, critical: dict[int, bool]) -> dict[int, Protection]:
    """The verdicts of several changes (`critical`: their critical flags), one query per category."""
    ranks: dict[str, dict[str, int]] = {}
    found = {}
    for change in changes:
        if not critical.get(change.pk):
            continue
        if change.category not in ranks:
            ranks[change.category] = protected_names(Category(change.category))
        rank = ranks[change.category].get(change.model_name)
        if rank is not None:
            found[change.pk] = Protection(
                change.category,
                change.model_name,
                rank,
                settings.HMR_PROTECTED_TOP_N,
                change_approvers(change),
            )
    return found
