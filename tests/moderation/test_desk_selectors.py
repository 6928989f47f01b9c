"""The selectors behind the admin desk: counts, critical flags, what an applied change did, histories."""

import pytest

from apps.catalog.categories import Category
from apps.moderation import selectors, services
from apps.moderation.services import changes_apply
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, approve_ids, propose

pytestmark = pytest.mark.django_db


def test_status_counts_in_lifecycle_order_overall_and_per_requester(catalog):
    a, b = propose(description="A."), propose("Demo Painter", actor=BY_APPROVER, description="B.")
    approve_ids(a)
    assert selectors.change_status_counts() == [
        ("pending", "Pending", 1),
        ("approved", "Approved", 1),
        ("applying", "Applying", 0),
        ("applied", "Applied", 0),
        ("rejected", "Rejected", 0),
    ]
    mine = selectors.change_status_counts(requested_by=BY_APPROVER.id)
    assert [(s, n) for s, _, n in mine if n] == [("pending", 1)] and b.status == "pending"


def test_critical_flags_for_open_changes_in_one_query(catalog, django_assert_num_queries):
    critical = propose(nsfw=True)
    harmless = propose("Demo Painter", description="Words.")
    deleted = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "delete", "Demo Inpaint"), actor=BY_REQUESTOR
    )
    applied = propose("Demo Anime XL", description="Done.")
    approve_ids(applied)
    changes_apply(change_ids=[applied.pk], job_id=None, actor=BY_APPROVER)
    changes = [critical, harmless, deleted, applied]
    for change in changes:
        change.refresh_from_db()
    with django_assert_num_queries(1):
        flags = selectors.critical_flags(changes)
    assert flags == {
        critical.pk: True,
        harmless.pk: False,
        deleted.pk: True,
    }  # a delete removes baseline and nsfw
    assert selectors.critical_flags([]) == {}


def test_what_an_applied_change_did_and_its_events(catalog):
    change = propose(description="After.")
    assert selectors.applied_diff(change) is None
    approve_ids(change)
    changes_apply(change_ids=[change.pk], job_id="job-1", actor=BY_APPROVER)
    change.refresh_from_db()
    did = selectors.applied_diff(change)
    assert did.net_operation == "modified" and did.proposed_state["description"] == "After."
    assert [(d.field_path, d.new_value) for d in did.field_diffs] == [("description", "After.")]
    assert selectors.change_diff(change).field_diffs == []  # the live record has it now
    events = selectors.change_events(change)
    assert [(e.category, e.operation, e.payload.get("after", {}).get("action")) for e in events] == [
        ("pending_queue", "update", "enqueue"),
        ("pending_queue", "update", "approve"),
        ("image_generation", "update", None),
        ("pending_queue", "update", "apply"),
    ]


def test_record_history_and_changes_newest_first(catalog):
    first, second = propose(description="1."), propose(description="2.")
    approve_ids(first)
    changes_apply(change_ids=[first.pk], job_id=None, actor=BY_APPROVER)
    assert [c.pk for c in selectors.record_changes("image_generation", "Demo Realism")] == [
        second.pk,
        first.pk,
    ]
    history = selectors.record_history("image_generation", "Demo Realism")
    assert [(e.operation, e.origin) for e in history] == [("update", "api-v2"), ("create", "import")]
    assert len(selectors.record_history("image_generation", "Demo Realism", limit=1)) == 1


def test_batch_timeline_has_the_queue_steps_and_the_record_writes(catalog):
    a, b = propose(description="A."), propose("Demo Painter", description="B.")
    batch = approve_ids(a, b)
    changes_apply(change_ids=[a.pk, b.pk], job_id=None, actor=BY_APPROVER)
    steps = [
        (
            e.payload["after"].get("action")
            if e.category == "pending_queue"
            else f"{e.operation} {e.model_name}"
        )
        for e in selectors.batch_timeline(batch)
    ]
    assert steps == [
        "enqueue",
        "enqueue",
        "approve",
        "approve",
        "update Demo Realism",
        "apply",
        "update Demo Painter",
        "apply",
    ]
