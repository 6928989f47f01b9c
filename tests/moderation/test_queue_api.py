"""The review queue: batches, apply (conflicts, idempotency, splits), purge, lists, diffs."""

import pytest

from apps.audit.models import AuditEvent
from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange, ReviewBatch
from tests.moderation.conftest import V2, Q, approve, image_payload

pytestmark = pytest.mark.django_db


def propose(requestor, description="Proposed.", name="Demo Realism"):
    response = requestor.put(
        f"{V2}/image_generation/model/{name}",
        image_payload(name, description=description, baseline="stable_diffusion_1"),
    )
    assert response.status_code == 202, response.json()
    return response.json()["change_id"]


def record_events(name):
    return list(AuditEvent.objects.filter(model_name=name).exclude(category="pending_queue"))


def test_review_approves_into_a_titled_batch_and_rejects_with_a_reason(catalog, requestor, approver):
    a, b, c = propose(requestor, "A"), propose(requestor, "B"), propose(requestor, "C")
    response = approver.post(
        f"{Q}/batches",
        {"batch_title": "Week 12", "approved_ids": [a, b], "rejected_ids": [c], "reject_reason": "Duplicate"},
    )
    assert response.status_code == 200
    body = response.json()
    batch = ReviewBatch.objects.get()
    assert (body["batch_id"], body["batch_title"]) == (batch.pk, "Week 12")
    assert [x["change_id"] for x in body["approved"]] == [a, b]
    assert body["rejected"][0]["reject_reason"] == "Duplicate" and body["rejected"][0]["status"] == "rejected"
    assert body["approved"][0]["approved_username"] == "App#2002" and "applied_at" in body["approved"][0]
    actions = [e.payload["after"]["action"] for e in AuditEvent.objects.filter(category="pending_queue")]
    assert actions == ["enqueue", "enqueue", "enqueue", "approve", "approve", "reject"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"batch_title": "T"}, 422, "Provide at least one approved or rejected change id."),
        (
            {"batch_title": "T", "approved_ids": [1], "rejected_ids": [1], "reject_reason": "x"},
            422,
            "Change ids cannot be both approved and rejected: [1]",
        ),
        ({"batch_title": "T", "rejected_ids": [1]}, 422, "reject_reason is required when rejecting changes."),
        ({"batch_title": "   ", "approved_ids": [1]}, 422, "batch_title must not be blank."),
        ({"batch_title": "T", "approved_ids": [999]}, 400, "Change 999 does not exist."),
    ],
)
def test_review_refusals(catalog, requestor, approver, body, status, detail):
    first = propose(requestor)
    body = {k: [first if i == 1 else i for i in v] if isinstance(v, list) else v for k, v in body.items()}
    detail = detail.replace("[1]", f"[{first}]")
    response = approver.post(f"{Q}/batches", body)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert PendingChange.objects.get(pk=first).status == "pending"


def test_review_needs_an_approver_and_a_well_formed_body(catalog, requestor, approver):
    change = propose(requestor)
    refused = requestor.post(f"{Q}/batches", {"batch_title": "T", "approved_ids": [change]})
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "You are not on the pending queue approver list."},
    )
    too_long = approver.post(f"{Q}/batches", {"batch_title": "x" * 121, "approved_ids": [change]})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["type"] == "string_too_long"
    approve(approver, [change])
    again = approver.post(f"{Q}/batches", {"batch_title": "T", "approved_ids": [change]})
    assert again.json() == {"detail": f"Change {change} is not pending (status=approved)."}


def test_apply_writes_the_record_its_audit_events_and_the_metadata(catalog, requestor, approver, client):
    change = propose(requestor, "Applied description.")
    approve(approver, [change])
    before = ModelRecord.objects.get(category="image_generation", name="Demo Realism")
    response = approver.post(f"{Q}/changes/{change}/apply", {"job_id": "job-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["record"]["status"] == "applied" and body["record"]["applied_job_id"] == "job-1"
    assert body["batch_split_occurred"] is False
    after = ModelRecord.objects.get(pk=before.pk)
    assert (after.version, after.description, after.updated_by) == (
        before.version + 1,
        "Applied description.",
        "Requester#1001",
    )
    update = record_events("Demo Realism")[-1]
    assert (update.operation, update.actor_id, update.request_id) == ("update", "2002", "job-1")
    assert update.payload["delta"]["description"] == {
        "old": before.description,
        "new": "Applied description.",
    }
    live = client.get("/api/model_references/v1/stable_diffusion").json()["Demo Realism"]
    assert live["description"] == "Applied description." and live["baseline"] == "stable diffusion 1"
    meta = client.get(f"{V2}/metadata/image_generation").json()
    assert (meta["total_updates"], meta["last_operation_type"], meta["last_operation_model"]) == (
        1,
        "update",
        "Demo Realism",
    )


def test_an_apply_retried_with_the_same_job_id_writes_nothing_more(catalog, requestor, approver):
    change = propose(requestor)
    approve(approver, [change])
    first = approver.post(f"{Q}/changes/{change}/apply", {"job_id": "job-7"})
    events = AuditEvent.objects.count()
    version = ModelRecord.objects.get(name="Demo Realism").version
    again = approver.post(f"{Q}/changes/{change}/apply", {"job_id": "job-7"})
    assert again.status_code == 200 and again.json()["record"] == first.json()["record"]
    assert (AuditEvent.objects.count(), ModelRecord.objects.get(name="Demo Realism").version) == (
        events,
        version,
    )
    other_job = approver.post(f"{Q}/changes/{change}/apply", {"job_id": "job-8"})
    assert (other_job.status_code, other_job.json()) == (
        400,
        {"detail": f"Change {change} is not approved (status=applied)."},
    )


def test_an_update_of_a_record_changed_since_the_proposal_is_refused_at_apply(catalog, requestor, approver):
    first, second = propose(requestor, "First."), propose(requestor, "Second.")
    approve(approver, [first])
    approve(approver, [second])
    assert approver.post(f"{Q}/changes/{first}/apply").status_code == 200
    record = ModelRecord.objects.get(name="Demo Realism")
    response = approver.post(f"{Q}/changes/{second}/apply")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Model 'Demo Realism' in category 'image_generation' changed since this change was proposed (proposed "
        f"against version {record.version - 1}, now version {record.version})."
    )
    untouched = ModelRecord.objects.get(pk=record.pk)
    assert (untouched.version, untouched.description) == (record.version, "First.")
    change = PendingChange.objects.get(pk=second)
    assert (change.status, change.last_error) == ("approved", response.json()["detail"])


def test_a_second_create_of_the_same_model_conflicts_and_a_delete_of_a_deleted_one_too(
    catalog, requestor, approver
):
    one = requestor.post(f"{V2}/image_generation", image_payload()).json()["change_id"]
    two = requestor.post(f"{V2}/image_generation", image_payload()).json()["change_id"]
    d1 = requestor.delete(f"{V2}/blip/model/DEMO_BLIP").json()["change_id"]
    d2 = requestor.delete(f"{V2}/blip/model/DEMO_BLIP").json()["change_id"]
    approve(approver, [one, d1])
    approve(approver, [two, d2])
    assert approver.post(f"{Q}/changes/{one}/apply").status_code == 200
    assert approver.post(f"{Q}/changes/{d1}/apply").status_code == 200
    assert not ModelRecord.objects.filter(category="blip", name="DEMO_BLIP").exists()
    conflict = approver.post(f"{Q}/changes/{two}/apply")
    assert (
        conflict.status_code == 409
        and "was created after this change was proposed" in conflict.json()["detail"]
    )
    gone = approver.post(f"{Q}/changes/{d2}/apply")
    assert gone.status_code == 409 and "was deleted after this change was proposed" in gone.json()["detail"]


def test_apply_many_stops_at_the_first_failure_and_splits_the_rest(catalog, requestor, approver):
    ok = propose(requestor, "OK.")
    stale = propose(requestor, "Stale.", name="Demo Painter")
    later = propose(requestor, "Later.", name="Demo Inpaint")
    batch = approve(approver, [ok, stale, later])
    # Someone else changes Demo Painter first: `stale` will conflict.
    other = propose(requestor, "Elsewhere.", name="Demo Painter")
    approve(approver, [other])
    approver.post(f"{Q}/changes/{other}/apply")
    response = approver.post(f"{Q}/apply", {"change_ids": [ok, stale, later], "job_id": "run-1"})
    assert response.status_code == 409
    body = response.json()
    assert [c["change_id"] for c in body["applied"]] == [ok]
    assert (body["failed_change_id"], body["failed_error_type"]) == (stale, "RecordConflict")
    assert body["batch_split_occurred"] is True and body["batch_split_original_batch_id"] == batch
    assert body["batch_split_reassigned_count"] == 2
    assert set(
        PendingChange.objects.filter(batch_id=body["batch_split_new_batch_id"]).values_list("id", flat=True)
    ) == {stale, later}


def test_mixed_batches_and_never_approved_changes_are_refused(catalog, requestor, approver):
    a, b, c = (
        propose(requestor, "A"),
        propose(requestor, "B", name="Demo Painter"),
        propose(requestor, "C", name="Demo Inpaint"),
    )
    first, second = approve(approver, [a]), approve(approver, [b])
    mixed = approver.post(f"{Q}/apply", {"change_ids": [a, b]})
    assert (mixed.status_code, mixed.json()) == (
        400,
        {"detail": f"All changes must belong to the same batch. Found batch IDs: [{first}, {second}]"},
    )
    pending = approver.post(f"{Q}/apply", {"change_ids": [c]})
    assert pending.json() == {"detail": "Cannot apply changes that have not been approved in a batch"}
    allowed = approver.post(f"{Q}/apply", {"change_ids": [a, b], "allow_mixed_batch": True})
    assert allowed.status_code == 200 and len(allowed.json()["applied"]) == 2
    empty = approver.post(f"{Q}/apply", {"change_ids": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["type"] == "too_short"


def test_apply_batch(catalog, requestor, approver):
    a, b = propose(requestor, "A"), propose(requestor, "B", name="Demo Painter")
    batch = approve(approver, [a, b])
    response = approver.post(f"{Q}/apply_batch/{batch}?job_id=nightly")
    assert response.status_code == 200 and [c["change_id"] for c in response.json()["applied"]] == [a, b]
    assert approver.post(f"{Q}/apply_batch/{batch}").json() == {"applied": [], "batch_split_occurred": False}
    assert approver.post(f"{Q}/apply_batch/999").json() == {"detail": "No changes found for batch 999"}
    c = propose(requestor, "C", name="Demo Inpaint")
    rejected = approver.post(
        f"{Q}/batches", {"batch_title": "No", "approved_ids": [], "rejected_ids": [c], "reject_reason": "no"}
    )
    assert rejected.json()["batch_id"] is None
    d = propose(requestor, "D", name="Demo Inpaint")
    mixed = approver.post(f"{Q}/batches", {"batch_title": "Mixed", "approved_ids": [d], "rejected_ids": []})
    only = mixed.json()["batch_id"]
    approver.post(f"{Q}/changes/{d}/apply")
    assert approver.post(f"{Q}/apply_batch/{only}").json() == {"applied": [], "batch_split_occurred": False}


def test_apply_refusals(catalog, requestor, approver):
    assert approver.post(f"{Q}/changes/999/apply").json() == {"detail": "Change not found"}
    change = propose(requestor)
    assert approver.post(f"{Q}/changes/{change}/apply").json() == {
        "detail": f"Change {change} is not approved (status=pending)."
    }
    assert requestor.post(f"{Q}/changes/{change}/apply").status_code == 403


def test_purge(catalog, requestor, approver):
    a, b = propose(requestor, "A"), propose(requestor, "B", name="Demo Painter")
    approve(approver, [a])
    assert approver.post(f"{Q}/purge", {}).json() == {
        "detail": "Provide at least one filter or set purge_all=true to clear the entire queue."
    }
    dry = approver.post(f"{Q}/purge", {"statuses": ["pending"], "dry_run": True}).json()
    assert dry == {"removed_count": 1, "removed_change_ids": [b], "dry_run": True}
    assert PendingChange.objects.count() == 2
    done = approver.post(f"{Q}/purge", {"model_name": "painter"}).json()
    assert done == {"removed_count": 1, "removed_change_ids": [b], "dry_run": False}
    purge_event = AuditEvent.objects.filter(category="pending_queue").last()
    assert purge_event.payload["after"] == {
        "change_id": b,
        "category": "image_generation",
        "model": "Demo Painter",
        "requested_by": "1001",
        "purged_by_username": "App#2002",
        "action": "purge",
    }
    everything = approver.post(f"{Q}/purge", {"purge_all": True}).json()
    assert everything["removed_change_ids"] == [a] and PendingChange.objects.count() == 0


FIELDS = ([], ["homepage", "size_on_disk_bytes"], ["config.download", "description", "style", "tags"])


def test_lists_single_changes_and_diffs(catalog, requestor, approver, reader, anonymous):
    a = propose(requestor, "A")
    b = requestor.post(f"{V2}/image_generation", image_payload()).json()["change_id"]
    approve(approver, [a])
    listing = reader.get(f"{Q}/changes", {"statuses": "pending"}).json()
    assert (listing["total"], [i["change_id"] for i in listing["items"]]) == (1, [b])
    paged = reader.get(f"{Q}/changes", {"limit": 1, "offset": 1}).json()
    assert (paged["total"], paged["offset"], paged["limit"], paged["items"][0]["change_id"]) == (2, 1, 1, b)
    assert reader.get(f"{Q}/changes", {"model_name": "brand"}).json()["total"] == 1
    assert reader.get(f"{Q}/changes", {"limit": 0}).status_code == 422
    mine = requestor.get(f"{Q}/my_changes").json()
    assert mine["total"] == 2
    assert reader.get(f"{Q}/my_changes").status_code == 403
    assert anonymous.get(f"{Q}/changes").status_code == 401
    assert reader.get(f"{Q}/changes/{a}").json()["status"] == "approved"
    assert reader.get(f"{Q}/changes/999").json() == {"detail": "Change not found"}
    diff = reader.get(f"{Q}/changes/{a}/diff").json()
    assert (diff["net_operation"], diff["is_critical"]) == ("modified", True)
    assert (diff["fields_added"], diff["fields_removed"], diff["fields_modified"]) == FIELDS
    assert {d["field_path"]: d["new_value"] for d in diff["field_diffs"]}["description"] == "A"
    created = reader.get(f"{Q}/changes/{b}/diff").json()
    assert (created["net_operation"], created["current_state"]) == ("added", None)
    many = reader.get(f"{Q}/diffs", {"change_ids": f"{a},{b},999"}).json()
    assert (len(many["diffs"]), many["total"], many["errors"]) == (
        2,
        3,
        [{"change_id": "999", "error": "Change not found", "error_type": "NotFound"}],
    )


def test_the_queue_answers_503_on_a_replica(catalog, requestor, approver, settings):
    change = propose(requestor)
    settings.HMR_REPLICATE_MODE = "REPLICA"
    message = {
        "detail": "This instance is in REPLICA mode and does not support write operations. Only PRIMARY "
        "instances can modify data."
    }
    for response in (
        approver.get(f"{Q}/changes"),
        approver.post(f"{Q}/batches", {"batch_title": "T", "approved_ids": [change]}),
        approver.post(f"{Q}/apply", {"change_ids": [change]}),
        requestor.get(f"{Q}/my_changes"),
    ):
        assert (response.status_code, response.json()) == (503, message)
    assert PendingChange.objects.get(pk=change).status == "pending"


def test_a_crash_during_apply_leaves_the_change_approved_and_the_record_untouched(
    catalog, requestor, approver, monkeypatch
):
    change = propose(requestor, "Never written.")
    approve(approver, [change])
    before = ModelRecord.objects.get(name="Demo Realism")

    def crash(**kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr("apps.moderation.services.apply.record_write", crash)
    with pytest.raises(RuntimeError):
        approver.post(f"{Q}/changes/{change}/apply")
    monkeypatch.undo()
    stuck = PendingChange.objects.get(pk=change)
    assert (stuck.status, stuck.applied_job_id) == ("approved", None)  # never left in "applying"
    assert ModelRecord.objects.get(pk=before.pk).version == before.version
    retried = approver.post(f"{Q}/changes/{change}/apply")
    assert (
        retried.status_code == 200 and ModelRecord.objects.get(pk=before.pk).description == "Never written."
    )
