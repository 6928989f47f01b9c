"""Approving, rejecting and applying from the admin, as approvers and requestors see it."""

import pytest

from apps.audit.models import AuditEvent
from apps.moderation.models import ReviewBatch
from tests.moderation.conftest import ADMIN_BATCHES, ADMIN_QUEUE
from tests.moderation.desk import approve_ids, body, messages_of, propose, record, section, text

pytestmark = pytest.mark.django_db


def action(client, name, changes, **extra):
    data = {"action": name, "_selected_action": [c.pk for c in changes], **extra}
    return client.post(ADMIN_QUEUE, data, follow=True)


def queue_actions(events=None) -> list[str]:
    return [e.payload["after"]["action"] for e in AuditEvent.objects.filter(category="pending_queue")]


def status_of(change) -> str:
    change.refresh_from_db()
    return change.status


# --- approve as batch -------------------------------------------------------------------------------


def test_approve_as_batch_asks_for_a_title_then_approves(catalog, approver_admin):
    a, b = propose(description="A."), propose("Demo Painter", description="B.")
    page = action(approver_admin, "approve_as_batch", [a, b])
    assert "Approve as a batch" in text(body(page)) and "2 changes selected." in text(body(page))
    # One line per change (what it changes), its diff inside, to read before confirming.
    assert section(page, "review-list") == (
        f"#{a.pk} update image_generation / Demo Realism modified: description Requester#1001, 2026-01-02 03:04 "
        f"· {record('Demo Realism').data['config']['download'][0]['file_name']} (not checked yet) "
        "field old new description Demo Realism: a demonstration record written for HMR's quick start. → A. "
        f"Open change #{a.pk} "
        f"#{b.pk} update image_generation / Demo Painter modified: description Requester#1001, 2026-01-02 03:04 "
        f"· {record('Demo Painter').data['config']['download'][0]['file_name']} (not checked yet) "
        "field old new description "
        f"{record('Demo Painter').data['description']} → B. Open change #{b.pk}"
    )
    assert ReviewBatch.objects.count() == 0  # nothing yet

    blank = action(approver_admin, "approve_as_batch", [a, b], confirm="yes", batch_title="   ")
    assert "Give the batch a title." in text(body(blank))
    assert (status_of(a), status_of(b), ReviewBatch.objects.count()) == ("pending", "pending", 0)

    done = action(approver_admin, "approve_as_batch", [a, b], confirm="yes", batch_title="Week 12")
    batch = ReviewBatch.objects.get()
    assert messages_of(done) == [
        f"Approved #{a.pk} update image_generation/Demo Realism, #{b.pk} update image_generation/Demo Painter "
        f"as batch #{batch.pk} “Week 12”. Apply it when ready."
    ]
    assert (status_of(a), status_of(b), batch.title, batch.approved_username) == (
        "approved",
        "approved",
        "Week 12",
        "App#2002",
    )
    assert queue_actions() == ["enqueue", "enqueue", "approve", "approve"]
    assert AuditEvent.objects.filter(category="pending_queue").last().origin == "admin"


def test_approving_a_change_that_is_no_longer_pending_is_refused(catalog, approver_admin):
    done, fresh = propose(description="A."), propose("Demo Painter", description="B.")
    approve_ids(done)
    page = action(approver_admin, "approve_as_batch", [done, fresh])
    assert "1 of them is no longer pending" in text(body(page))
    refused = action(approver_admin, "approve_as_batch", [done, fresh], confirm="yes", batch_title="T")
    assert messages_of(refused) == [
        f"Nothing was reviewed: Change {done.pk} is not pending (status=approved)."
    ]
    assert status_of(fresh) == "pending"


# --- reject -------------------------------------------------------------------------------------------


def test_reject_requires_a_reason(catalog, approver_admin):
    change = propose(description="Spam.")
    page = action(approver_admin, "reject", [change])
    assert 'name="reject_reason"' in body(page)
    missing = action(approver_admin, "reject", [change], confirm="yes", reject_reason=" ", batch_title="R")
    assert "Say why the changes are rejected." in text(body(missing))
    assert status_of(change) == "pending"

    done = action(approver_admin, "reject", [change], confirm="yes", reject_reason="Spam", batch_title="R")
    assert messages_of(done) == [f"Rejected #{change.pk} update image_generation/Demo Realism (Spam)."]
    change.refresh_from_db()
    assert (change.status, change.reject_reason, change.rejected_username) == ("rejected", "Spam", "App#2002")
    page = approver_admin.get(f"{ADMIN_QUEUE}{change.pk}/change/")
    assert "rejected 2026-01-02 03:04:05 by App#2002: Spam" in section(page, "lifecycle")


def test_the_change_page_buttons_approve_and_reject_one_change(catalog, approver_admin):
    a, b = propose(description="A."), propose("Demo Painter", description="B.")
    page = approver_admin.get(f"{ADMIN_QUEUE}{a.pk}/change/")
    assert 'id="approve-form"' in body(page) and 'id="reject-form"' in body(page)
    assert 'id="apply-form"' not in body(page)  # not approved yet

    untitled = approver_admin.post(f"{ADMIN_QUEUE}{a.pk}/approve/", {"batch_title": ""}, follow=True)
    assert messages_of(untitled) == ["Nothing was reviewed: Give the batch a title."]
    assert status_of(a) == "pending"
    approved = approver_admin.post(f"{ADMIN_QUEUE}{a.pk}/approve/", {"batch_title": "Solo"}, follow=True)
    assert messages_of(approved)[0].startswith(
        f"Approved #{a.pk} update image_generation/Demo Realism as batch"
    )
    assert 'id="apply-form"' in body(approved) and 'id="approve-form"' not in body(approved)

    no_reason = approver_admin.post(f"{ADMIN_QUEUE}{b.pk}/reject/", {"batch_title": "R"}, follow=True)
    assert messages_of(no_reason) == ["Nothing was reviewed: Say why the changes are rejected."]
    rejected = approver_admin.post(
        f"{ADMIN_QUEUE}{b.pk}/reject/", {"batch_title": "R", "reject_reason": "Duplicate"}, follow=True
    )
    assert messages_of(rejected) == [f"Rejected #{b.pk} update image_generation/Demo Painter (Duplicate)."]
    assert approver_admin.get(f"{ADMIN_QUEUE}{a.pk}/approve/").status_code == 405


# --- apply ----------------------------------------------------------------------------------------------


def test_apply_selected_writes_the_records_and_says_so(catalog, approver_admin):
    a, b = propose(description="A."), propose("Demo Painter", description="B.")
    approve_ids(a, b)
    done = action(approver_admin, "apply_selected", [a, b])
    assert messages_of(done) == [
        f"Applied 2 changes: #{a.pk} update image_generation/Demo Realism, "
        f"#{b.pk} update image_generation/Demo Painter."
    ]
    assert (record("Demo Realism").data["description"], record("Demo Painter").data["description"]) == (
        "A.",
        "B.",
    )
    assert record("Demo Realism").updated_by == "Requester#1001"
    event = AuditEvent.objects.get(category="image_generation", model_name="Demo Realism", operation="update")
    assert (event.origin, event.actor_name) == ("admin", "App#2002")


def test_apply_stops_at_a_conflict_and_says_which_change_and_why(catalog, approver_admin):
    first = propose(description="First.")
    second = propose(description="Second, based on the same version.")
    batch = approve_ids(first, second)
    done = action(approver_admin, "apply_selected", [first, second])
    assert messages_of(done) == [
        f"Applied 1 change: #{first.pk} update image_generation/Demo Realism.",
        f"Conflict: change #{second.pk} was not applied: Model 'Demo Realism' in category 'image_generation' "
        "changed since this change was proposed (proposed against version 1, now version 2).",
        f"The 1 approved change(s) left behind moved to batch #{batch.pk + 1}.",
    ]
    assert record("Demo Realism").data["description"] == "First."
    second.refresh_from_db()
    assert (second.status, second.batch_id) == ("approved", batch.pk + 1)
    page = approver_admin.get(f"{ADMIN_QUEUE}{second.pk}/change/")
    assert "Last apply attempt failed: Model 'Demo Realism' in category 'image_generation' changed" in text(
        body(page)
    )


def test_the_apply_button_reports_a_conflict(catalog, approver_admin):
    first, second = propose(description="First."), propose(description="Second.")
    approve_ids(first)
    approve_ids(second)
    applied = approver_admin.post(f"{ADMIN_QUEUE}{first.pk}/apply/", follow=True)
    assert messages_of(applied) == [f"Applied 1 change: #{first.pk} update image_generation/Demo Realism."]
    assert section(applied, "change-status") == "applied"
    refused = approver_admin.post(f"{ADMIN_QUEUE}{second.pk}/apply/", follow=True)
    assert messages_of(refused) == [
        f"Conflict: change #{second.pk} was not applied: Model 'Demo Realism' in category 'image_generation' "
        "changed since this change was proposed (proposed against version 1, now version 2)."
    ]
    assert record("Demo Realism").data["description"] == "First." and status_of(second) == "approved"


def test_apply_refusals_are_told(catalog, approver_admin):
    pending = propose(description="Not approved.")
    a, b = propose("Demo Painter", description="A."), propose("Demo Anime XL", description="B.")
    batches = [approve_ids(a).pk, approve_ids(b).pk]
    mixed = action(approver_admin, "apply_selected", [a, b])
    assert messages_of(mixed) == [
        f"Nothing was applied: All changes must belong to the same batch. Found batch IDs: {batches}"
    ]
    unapproved = approver_admin.post(f"{ADMIN_QUEUE}{pending.pk}/apply/", follow=True)
    assert messages_of(unapproved) == [
        f"Failed: change #{pending.pk} was not applied: Change {pending.pk} is not approved (status=pending)."
    ]
    assert record("Demo Painter").version == 1


# --- requestors cannot approve or apply -------------------------------------------------------------------


def test_a_requestor_sees_no_approve_or_apply_and_is_refused_anyway(catalog, requestor_admin):
    pending = propose(description="Pending.")
    approved = propose("Demo Painter", description="Approved.")
    batch = approve_ids(approved)
    before = AuditEvent.objects.count()

    queue = requestor_admin.get(ADMIN_QUEUE)
    assert queue.status_code == 200 and "Demo Realism" in body(queue)
    for label in ("Approve as batch", "Reject…", "Apply selected"):
        assert label not in body(queue)
    page = requestor_admin.get(f"{ADMIN_QUEUE}{pending.pk}/change/")
    assert page.status_code == 200 and "Pending." in body(page)
    assert 'id="approve-form"' not in body(page) and 'id="reject-form"' not in body(page)
    assert 'id="apply-form"' not in body(requestor_admin.get(f"{ADMIN_QUEUE}{approved.pk}/change/"))
    assert 'id="apply-batch-form"' not in body(requestor_admin.get(f"{ADMIN_BATCHES}{batch.pk}/change/"))

    # Requestors have no action at all: a posted one is not run (the queue is shown again).
    sneaked = action(requestor_admin, "approve_as_batch", [pending], confirm="yes", batch_title="Mine")
    assert (sneaked.status_code, messages_of(sneaked)) == (200, [])
    sneaked = action(requestor_admin, "apply_selected", [approved])
    assert (sneaked.status_code, messages_of(sneaked)) == (200, [])
    assert (
        requestor_admin.post(f"{ADMIN_QUEUE}{pending.pk}/approve/", {"batch_title": "T"}).status_code == 403
    )
    assert (
        requestor_admin.post(f"{ADMIN_QUEUE}{pending.pk}/reject/", {"reject_reason": "x"}).status_code == 403
    )
    assert requestor_admin.post(f"{ADMIN_QUEUE}{approved.pk}/apply/").status_code == 403
    assert requestor_admin.post(f"{ADMIN_BATCHES}{batch.pk}/apply/").status_code == 403

    assert (status_of(pending), status_of(approved)) == ("pending", "approved")
    assert AuditEvent.objects.count() == before and ReviewBatch.objects.count() == 1
    assert record("Demo Painter").version == 1


# --- batches ------------------------------------------------------------------------------------------------


def test_the_batch_list_and_page_show_counts_changes_timeline_and_net_changes(catalog, approver_admin):
    a, b = propose(description="A.", nsfw=True), propose("Demo Painter", description="B.")
    batch = approve_ids(a, b, title="Week 12")
    listing = approver_admin.get(ADMIN_BATCHES)
    assert f"{batch.pk} Week 12 App#2002" in text(body(listing)) and "2 2 0 0" in text(body(listing))

    page = approver_admin.get(f"{ADMIN_BATCHES}{batch.pk}/change/")
    assert 'id="apply-batch-form"' in body(page)
    assert "Nothing applied yet." in text(body(page))
    applied = approver_admin.post(f"{ADMIN_BATCHES}{batch.pk}/apply/", follow=True)
    assert messages_of(applied) == [
        f"Applied 2 changes: #{a.pk} update image_generation/Demo Realism, "
        f"#{b.pk} update image_generation/Demo Painter."
    ]
    assert 'id="apply-batch-form"' not in body(applied)
    timeline = section(applied, "batch-timeline")
    for step in (
        f"enqueue change #{a.pk} Requester#1001 api-v2",
        f"approve change #{a.pk} App#2002 api-v2 batch_id: {batch.pk}, batch_title: Week 12",
        "record update image_generation/Demo Realism App#2002 admin fields: description, nsfw",
        f"apply change #{b.pk} App#2002 admin batch_id: {batch.pk}",
    ):
        assert step in timeline
    net = text(body(applied))
    assert "Net changes (0 added, 2 modified, 0 deleted, 3 field changes)" in net
    assert "image_generation / Demo Realism — modified critical" in net
    assert "nsfw critical false → true" in net
    again = approver_admin.post(f"{ADMIN_BATCHES}{batch.pk}/apply/", follow=True)
    assert messages_of(again) == ["Nothing to apply: every change was applied already."]


def test_a_replica_offers_no_decisions_and_refuses_them(catalog, approver_admin, settings):
    pending = propose(description="Pending.")
    approved = propose("Demo Painter", description="Approved.")
    batch = approve_ids(approved)
    settings.HMR_REPLICATE_MODE = "REPLICA"
    before = AuditEvent.objects.count()
    page = approver_admin.get(f"{ADMIN_QUEUE}{pending.pk}/change/")
    assert 'id="approve-form"' not in body(page) and 'id="apply-form"' not in body(page)
    refused = approver_admin.post(f"{ADMIN_QUEUE}{pending.pk}/approve/", {"batch_title": "T"}, follow=True)
    assert messages_of(refused) == ["This instance is in REPLICA mode: changes are made on the PRIMARY."]
    refused = approver_admin.post(f"{ADMIN_BATCHES}{batch.pk}/apply/", follow=True)
    assert messages_of(refused) == ["This instance is in REPLICA mode: changes are made on the PRIMARY."]
    refused = action(approver_admin, "apply_selected", [approved])
    assert messages_of(refused) == ["This instance is in REPLICA mode: changes are made on the PRIMARY."]
    assert (status_of(pending), status_of(approved), AuditEvent.objects.count()) == (
        "pending",
        "approved",
        before,
    )
