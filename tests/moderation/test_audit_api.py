"""Audit views of the queue, and the audit trail rebuilding the catalog (`audit_replay --verify`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from tests.moderation.conftest import V2, Q, approve, image_payload

pytestmark = pytest.mark.django_db


def scenario(requestor, approver):
    """Create, update, delete and a rejection, applied as two batches."""
    create = requestor.post(f"{V2}/image_generation", image_payload()).json()["change_id"]
    update = requestor.put(
        f"{V2}/blip/model/DEMO_BLIP", {"name": "DEMO_BLIP", "description": "Edited."}
    ).json()["change_id"]
    delete = requestor.delete(f"{V2}/esrgan/model/Demo_x2plus").json()["change_id"]
    rejected = requestor.post(f"{V2}/clip/add", {"name": "nope"}).json()["change_id"]
    first = approve(approver, [create, update], "First")
    approver.post(
        f"{Q}/batches",
        {
            "batch_title": "Second",
            "approved_ids": [delete],
            "rejected_ids": [rejected],
            "reject_reason": "Not a real model",
        },
    )
    approver.post(f"{Q}/apply_batch/{first}")
    approver.post(f"{Q}/apply", {"change_ids": [delete]})
    return first


def test_audit_views(catalog, requestor, approver, reader):
    first = scenario(requestor, approver)
    pending = requestor.post(f"{V2}/image_generation", image_payload("Another")).json()["change_id"]
    current = reader.get(f"{Q}/audit/current").json()
    assert (
        current["domain"],
        current["total_pending"],
        [c["change_id"] for c in current["pending_changes"]],
    ) == ("v2", 1, [pending])
    batches = reader.get(f"{Q}/audit/batches", {"limit": 1}).json()
    summary = batches["batches"][0]
    assert (
        summary["batch_title"],
        summary["approved_change_count"],
        summary["rejected_change_count"],
        summary["applied_change_count"],
        summary["total_change_count"],
    ) == ("Second", 1, 1, 1, 2)
    assert batches["next_cursor"] == summary["batch_id"]
    older = reader.get(f"{Q}/audit/batches", {"cursor": batches["next_cursor"]}).json()
    assert [b["batch_id"] for b in older["batches"]] == [first] and older["next_cursor"] is None
    detail = reader.get(f"{Q}/audit/batches/{first}").json()
    assert [e["action"] for e in detail["events"]] == [
        "enqueue",
        "enqueue",
        "approve",
        "approve",
        "apply",
        "apply",
    ]
    assert detail["events"][2]["logical_user_id"] == "2002"
    net = reader.get(f"{Q}/audit/batches/{first}/net_changes").json()
    by_model = {m["model_name"]: m for m in net["model_changes"]}
    assert (by_model["Brand New"]["net_operation"], by_model["DEMO_BLIP"]["net_operation"]) == (
        "added",
        "modified",
    )
    assert (net["models_added"], net["models_modified"], net["has_critical_changes"]) == (1, 1, True)
    assert {d["field_path"] for d in by_model["DEMO_BLIP"]["field_diffs"]} >= {"description"}
    assert reader.get(f"{Q}/audit/batches/999").json() == {"detail": "Batch not found"}
    assert reader.get(f"{Q}/audit/current", {"domain_override": "legacy"}).json()["domain"] == "legacy"


def test_the_audit_trail_rebuilds_every_record_after_the_scenario(catalog, requestor, approver):
    scenario(requestor, approver)
    assert PendingChange.objects.filter(status="applied").count() == 3
    out = StringIO()
    call_command("audit_replay", "--verify", stdout=out)
    assert "No difference: the audit trail rebuilds every live record." in out.getvalue()


def test_audit_replay_reports_a_write_that_bypassed_the_services(catalog):
    data = ModelRecord.objects.get(name="DEMO_BLIP").data
    ModelRecord.objects.filter(name="DEMO_BLIP").update(
        data={**data, "description": "sneaky"}
    )  # no audit event
    out = StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("audit_replay", "--verify", stdout=out)
    assert "different: blip/DEMO_BLIP" in out.getvalue()


def test_the_audit_trail_rebuilds_the_full_real_import(imported):
    out = StringIO()
    call_command("audit_replay", "--verify", stdout=out)
    assert "Replayed 913 record events; 913 live records." in out.getvalue()
    assert "No difference" in out.getvalue()
