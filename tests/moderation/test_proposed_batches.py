"""Changes proposed together (`changes_propose_batch`): a proposed batch of pending changes that
an approver approves as a whole (or in part: the rest splits off), on the small demo catalog."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.core.errors import ApplicationError
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange, ReviewBatch
from tests.moderation.conftest import Q
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, propose, record

NAMES = ("Demo Realism", "Demo Painter", "Demo Inpaint")


def proposal(name: str, **fields) -> services.Proposal:
    payload = {**selectors.record_state(record(name), "v2"), **fields}
    return services.Proposal(Category.IMAGE_GENERATION, "update", name, payload)


def propose_together(*names: str, title: str = "Tidy descriptions") -> ReviewBatch:
    proposed = services.changes_propose_batch(
        proposals=[proposal(n, description=f"{n}: tidied.") for n in names], title=title, actor=BY_REQUESTOR
    )
    return proposed.batch


def review(approved=(), rejected=(), title="Reviewed", reason=None):
    return services.changes_review(
        batch_title=title,
        approved_ids=list(approved),
        rejected_ids=list(rejected),
        reject_reason=reason,
        actor=BY_APPROVER,
    )


def ids(batch: ReviewBatch) -> list[int]:
    return list(batch.changes.order_by("id").values_list("id", flat=True))


def test_changes_proposed_together_wait_pending_in_one_proposed_batch(catalog):
    batch = propose_together(*NAMES)
    changes = list(batch.changes.order_by("id"))
    assert (batch.title, batch.is_proposed, batch.approved_at, batch.proposed_username) == (
        "Tidy descriptions",
        True,
        None,
        BY_REQUESTOR.name,
    )
    assert [(c.model_name, c.status, c.batch_title, c.base_version) for c in changes] == [
        (n, "pending", "Tidy descriptions", record(n).version) for n in NAMES
    ]
    assert all(c.request_metadata == {"batch_id": str(batch.pk)} for c in changes)
    events = AuditEvent.objects.filter(category="pending_queue").order_by("id")
    assert [(e.payload["after"]["action"], e.payload["after"]["batch_id"]) for e in events] == [
        ("enqueue", batch.pk)
    ] * 3


def test_a_refused_proposal_refuses_the_whole_batch(catalog):
    payload = {**selectors.record_state(record(NAMES[1]), "v2"), "name": "No Such Model"}
    bad = services.Proposal(Category.IMAGE_GENERATION, "update", "No Such Model", payload)
    with pytest.raises(ApplicationError) as refused:
        services.changes_propose_batch(proposals=[proposal(NAMES[0]), bad], title="Mixed", actor=BY_REQUESTOR)
    assert refused.value.status == 404
    assert (
        ReviewBatch.objects.count(),
        PendingChange.objects.count(),
        AuditEvent.objects.filter(category="pending_queue").count(),
    ) == (0, 0, 0)
    with pytest.raises(ApplicationError, match="batch_title must not be blank"):
        services.changes_propose_batch(proposals=[proposal(NAMES[0])], title="  ", actor=BY_REQUESTOR)


def test_approving_the_whole_batch_approves_it_in_place_under_the_approvers_title(catalog):
    batch = propose_together(*NAMES)
    result = review(approved=ids(batch), title="Week 3: descriptions")
    assert result.batch.pk == batch.pk
    batch.refresh_from_db()
    assert (batch.title, batch.is_proposed, batch.approved_username) == (
        "Week 3: descriptions",
        False,
        BY_APPROVER.name,
    )
    assert set(batch.changes.values_list("status", "batch_title")) == {("approved", "Week 3: descriptions")}
    assert ReviewBatch.objects.count() == 1


def test_approving_part_of_the_batch_splits_the_unreviewed_rest_into_a_new_proposed_batch(catalog):
    batch = propose_together(*NAMES)
    first, second, third = ids(batch)
    review(approved=[first], rejected=[second], title="Only realism", reason="not this one")
    batch.refresh_from_db()
    assert ids(batch) == [first, second]
    assert dict(batch.changes.values_list("id", "status")) == {first: "approved", second: "rejected"}
    split = ReviewBatch.objects.get(split_from=batch)
    assert (ids(split), split.title, split.is_proposed) == ([third], "Tidy descriptions", True)
    event = AuditEvent.objects.filter(category="pending_queue").order_by("-id").first()
    assert {
        k: event.payload["after"][k] for k in ("action", "original_batch_id", "new_batch_id", "reason")
    } == {
        "action": "batch_split",
        "original_batch_id": batch.pk,
        "new_batch_id": split.pk,
        "reason": "partial_review",
    }


def test_a_reject_only_review_leaves_the_changes_in_their_proposed_batch(catalog):
    batch = propose_together(*NAMES[:2])
    review(rejected=ids(batch), title="No", reason="descriptions are fine")
    batch.refresh_from_db()
    assert (batch.is_proposed, set(batch.changes.values_list("status", flat=True))) == (True, {"rejected"})


def test_approving_members_of_a_proposed_batch_with_other_changes_makes_a_new_batch(catalog):
    batch = propose_together(*NAMES[:2])
    loose = propose("Demo Inpaint", description="Loose.")
    first, second = ids(batch)
    result = review(approved=[first, loose.pk], title="Mixed")
    assert result.batch.pk != batch.pk
    assert ids(result.batch) == [first, loose.pk]
    batch.refresh_from_db()
    assert (ids(batch), batch.is_proposed) == ([second], True)


def test_a_proposed_batch_cannot_be_applied_before_approval(catalog, approver):
    batch = propose_together(*NAMES[:2])
    response = approver.post(f"{Q}/apply_batch/{batch.pk}")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"No approved changes found in batch {batch.pk}"},
    )
