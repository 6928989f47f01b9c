"""`PUT group/common_fields` on the real data: one pending change per member in one proposed
batch titled after the group; approving and applying the batch writes every member; a member
changed meanwhile conflicts alone and the batch splits; and `name_exception` is a queued update."""

from __future__ import annotations

from apps.audit.models import AuditEvent
from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange, ReviewBatch
from tests.fake_horde import REQUESTOR
from tests.textmodels.conftest import V2, T

Q = f"{V2}/pending_queue"
FIELDS = {"style": "roleplay", "tags": ["story"]}


def members(group: str) -> list[ModelRecord]:
    return list(
        ModelRecord.objects.filter(category="text_generation", text_model_group=group).order_by("position")
    )


def propose(requestor, group="magnum", fields=FIELDS):
    response = requestor.put(f"{T}/group/common_fields?name={group}", fields)
    assert response.status_code == 202, response.json()
    return response.json()


def test_a_group_of_n_members_gets_n_pending_changes_in_one_proposed_batch(catalog, requestor):
    records = members("magnum")
    assert len(records) == 10
    body = propose(requestor)

    batch = ReviewBatch.objects.get(pk=int(body["batch_id"]))
    changes = list(PendingChange.objects.filter(batch=batch).order_by("id"))
    assert body == {
        "updated_count": 10,
        "batch_id": str(batch.pk),
        "pending_change_ids": [c.pk for c in changes],
    }
    assert (batch.title, batch.is_proposed, batch.proposed_username) == (
        "Group 'magnum': tags, style for every member",  # the fields in the request model's order
        True,
        REQUESTOR.username,
    )
    # One update per member, in file order, each against the member's current version.
    assert [(c.model_name, c.operation, c.status, c.base_version) for c in changes] == [
        (r.name, "update", "pending", r.version) for r in records
    ]
    for change, record in zip(changes, records, strict=True):
        assert change.notes == "Batch group update for 'magnum'"
        assert change.request_metadata == {"route": "update_group_common_fields", "batch_id": str(batch.pk)}
        assert change.batch_title == batch.title
        expected_tags = sorted({"story", "roleplay", f"{round(record.parameters_count / 1e9)}B"})
        assert (change.payload["style"], change.payload["tags"]) == ("roleplay", expected_tags)
        # Everything else is the live record's.
        assert change.payload["description"] == record.data["description"]
        assert change.payload["baseline"] == record.data["baseline"]
    events = AuditEvent.objects.filter(category="pending_queue", model_name__in=[str(c.pk) for c in changes])
    assert [e.payload["after"]["action"] for e in events] == ["enqueue"] * 10
    assert {e.payload["after"]["batch_id"] for e in events} == {batch.pk}
    # Nothing live changed; the queue lists the batch's changes.
    assert [r.data.get("style") for r in members("magnum")] == [r.data.get("style") for r in records]
    listed = requestor.get(f"{Q}/changes", {"batch_id": batch.pk}).json()
    assert [c["change_id"] for c in listed["items"]] == body["pending_change_ids"]


def test_approving_and_applying_the_batch_writes_every_member_with_an_audit_event_each(
    catalog, requestor, approver
):
    body = propose(requestor)
    ids, batch = body["pending_change_ids"], int(body["batch_id"])
    approved = approver.post(f"{Q}/batches", {"batch_title": "Magnum: roleplay", "approved_ids": ids})
    assert approved.status_code == 200
    assert approved.json()["batch_id"] == batch  # the proposed batch itself is approved
    assert ReviewBatch.objects.get(pk=batch).title == "Magnum: roleplay"

    applied = approver.post(f"{Q}/apply_batch/{batch}?job_id=magnum-1")
    assert applied.status_code == 200
    assert [c["change_id"] for c in applied.json()["applied"]] == ids
    assert applied.json()["batch_split_occurred"] is False
    records = members("magnum")
    assert {r.data["style"] for r in records} == {"roleplay"}
    assert all("story" in r.data["tags"] for r in records)
    writes = AuditEvent.objects.filter(category="text_generation", operation="update", origin="api-v2")
    assert sorted(writes.values_list("model_name", flat=True)) == sorted(r.name for r in records)
    assert {e.payload["after"]["style"] for e in writes} == {"roleplay"}
    # The v2 API serves the new values.
    record = approver.get(f"{V2}/text_generation/model/anthracite-org/magnum-v4-9b").json()
    assert record["style"] == "roleplay"


def test_a_member_changed_meanwhile_conflicts_alone_and_the_rest_of_the_batch_splits_off(
    catalog, requestor, approver
):
    body = propose(requestor)
    ids, batch = body["pending_change_ids"], int(body["batch_id"])
    changed = PendingChange.objects.get(pk=ids[3])
    # Someone else's change to the fourth member is applied first.
    other = requestor.put(f"{T}/{changed.model_name}/name_exception", {"reason": "keeps its name"}).json()
    approver.post(f"{Q}/batches", {"batch_title": "Exception", "approved_ids": [other["pending_change_id"]]})
    assert approver.post(f"{Q}/changes/{other['pending_change_id']}/apply").status_code == 200
    before = {r.name: r.version for r in members("magnum")}

    approver.post(f"{Q}/batches", {"batch_title": "Magnum: roleplay", "approved_ids": ids})
    response = approver.post(f"{Q}/apply_batch/{batch}")
    assert response.status_code == 409
    report = response.json()
    assert [c["change_id"] for c in report["applied"]] == ids[:3]
    assert (report["failed_change_id"], report["failed_error_type"]) == (ids[3], "RecordConflict")
    assert changed.model_name in report["failed_error"]
    assert (report["batch_split_occurred"], report["batch_split_original_batch_id"]) == (True, batch)
    assert report["batch_split_reassigned_count"] == 7
    split = report["batch_split_new_batch_id"]
    assert (
        list(PendingChange.objects.filter(batch_id=split).order_by("id").values_list("id", flat=True))
        == ids[3:]
    )

    after = {r.name: r for r in members("magnum")}
    applied_names = {c.model_name for c in PendingChange.objects.filter(pk__in=ids[:3])}
    for name, record in after.items():
        bumped = record.version == before[name] + 1
        assert bumped == (name in applied_names), name
    assert after[changed.model_name].data["name_schema_exception"] == "keeps its name"  # untouched
    assert "changed since this change was proposed" in PendingChange.objects.get(pk=ids[3]).last_error

    # The approver applies the rest by id; the stale change is left alone in a batch of its own.
    rest = approver.post(f"{Q}/apply", {"change_ids": ids[4:]})
    assert rest.status_code == 200 and [c["change_id"] for c in rest.json()["applied"]] == ids[4:]
    assert rest.json()["batch_split_reassigned_count"] == 1
    for record in members("magnum"):
        stale = record.name == changed.model_name
        assert record.data.get("style") == (after[record.name].data.get("style") if stale else "roleplay")


def test_name_exception_is_a_queued_update_that_sets_and_clears_the_field(catalog, requestor, approver):
    name = "anthracite-org/magnum-v4-9b"
    set_it = requestor.put(f"{T}/{name}/name_exception", {"reason": "size first"})
    change = PendingChange.objects.get(pk=set_it.json()["pending_change_id"])
    assert (change.model_name, change.operation, change.notes) == (
        name,
        "update",
        f"Name exception set for '{name}'",
    )
    assert change.payload["name_schema_exception"] == "size first"
    approver.post(f"{Q}/batches", {"batch_title": "Exceptions", "approved_ids": [change.pk]})
    approver.post(f"{Q}/changes/{change.pk}/apply")
    group = approver.get(f"{T}/group", {"name": "magnum"}).json()
    assert group["exception_members"] == [{"name": name, "reason": "size first"}]

    cleared = requestor.put(f"{T}/{name.replace('/', '%2F')}/name_exception", {"reason": None})
    change = PendingChange.objects.get(pk=cleared.json()["pending_change_id"])
    assert change.notes == f"Name exception cleared for '{name}'"
    assert "name_schema_exception" not in change.payload


def test_refusals(catalog, requestor, reader, anonymous):
    assert requestor.put(f"{T}/group/common_fields?name=no-such-group", {"style": "x"}).json() == {
        "detail": "No models found in group 'no-such-group'"
    }
    empty = requestor.put(f"{T}/group/common_fields?name=magnum", {"parameters": 5})
    assert (empty.status_code, empty.json()) == (
        400,
        {"detail": "No fields to update. Provide at least one field."},
    )
    bad = requestor.put(f"{T}/group/common_fields?name=magnum", {"tags": "story", "nsfw": "maybe"})
    assert bad.status_code == 422
    assert [(e["type"], e["loc"]) for e in bad.json()["detail"]] == [
        ("bool_parsing", ["body", "nsfw"]),
        ("list_type", ["body", "tags"]),
    ]
    no_name = requestor.put(f"{T}/group/common_fields", {"tags": "story"})
    assert [(e["type"], e["loc"]) for e in no_name.json()["detail"]] == [
        ("missing", ["query", "name"]),
        ("list_type", ["body", "tags"]),
    ]
    assert reader.put(f"{T}/group/common_fields?name=magnum", FIELDS).status_code == 403
    assert anonymous.put(f"{T}/group/common_fields?name=magnum", FIELDS).status_code == 401
    assert PendingChange.objects.count() == 0
