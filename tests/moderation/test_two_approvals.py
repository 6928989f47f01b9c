"""Two approvals for the most used models: a change to one of the HMR_PROTECTED_TOP_N most used
records of a category (monthly AI-Horde usage) that touches a critical field is applied only
after two different approvers approved it — over the API and on the desk, audited."""

import pytest

from apps.accounts.services import role_grant_create
from apps.analytics.models import UnknownModel
from apps.analytics.services import usage_refresh
from apps.audit.models import AuditEvent
from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from tests.fake_horde import APPROVER, SECOND_APPROVER
from tests.moderation.conftest import ADMIN_QUEUE, V2, Api, Q, admin_signed_in, approve
from tests.moderation.desk import body, section, text

pytestmark = pytest.mark.django_db
REALISM = "Demo Realism"


def _usage(month: dict[str, int]) -> dict:
    status = [{"name": n, "count": 2, "performance": 1.0, "queued": 0, "jobs": 0, "eta": 0} for n in month]
    return {
        "status/image": status,
        "stats/image": {"day": dict.fromkeys(month, 1), "month": month, "total": month},
        "workers/image": [],
        "status/text": [],
        "stats/text": {"day": {}, "month": {}, "total": {}},
        "workers/text": [],
    }


@pytest.fixture
def protected(catalog, horde, grants, settings):
    """Demo Realism is the most used image model; the top 1 is protected."""
    settings.HMR_PROTECTED_TOP_N = 1
    role_grant_create(horde_user_id=SECOND_APPROVER.user_id, role="approver", granted_by="test")
    horde.serve_usage(_usage({REALISM: 900, "Demo Anime XL": 300}))
    usage_refresh()
    return horde


@pytest.fixture
def second_approver(client, protected):
    return Api(client, SECOND_APPROVER.apikey)


def propose_change(requestor, name=REALISM, **fields) -> int:
    live = requestor.get(f"{V2}/image_generation/model/{name}").json()
    live.pop("metadata", None)
    response = requestor.put(f"{V2}/image_generation/model/{name}", {**live, **fields})
    assert response.status_code == 202, response.json()
    return response.json()["change_id"]


def refusal(change_id: int, approvers: str) -> str:
    return (
        f"Change {change_id} needs approvals from 2 different approvers before it is applied: "
        f"image_generation/{REALISM} is #1 of the 1 most used image_generation models (monthly AI-Horde "
        f"usage) and the change touches a critical field. It has 1 of 2 approvals ({approvers}). A second "
        "approver must approve it (in the admin, or POST pending_queue/batches with its id in approved_ids)."
    )


def baseline_now() -> str:
    return ModelRecord.objects.get(category="image_generation", name=REALISM).baseline


def approvals_in_audit(change_id: int) -> list[tuple[str, object, str]]:
    events = AuditEvent.objects.filter(category="pending_queue", model_name=str(change_id)).order_by("id")
    return [(e.payload["after"]["action"], e.payload["after"].get("approval"), e.actor_name) for e in events]


def test_one_approval_is_not_enough_and_apply_says_why(requestor, approver, protected):
    change = propose_change(requestor, baseline="stable_diffusion_xl")
    approve(approver, [change])
    response = approver.post(f"{Q}/changes/{change}/apply", {})
    assert (response.status_code, response.json()) == (400, {"detail": refusal(change, "App#2002")})
    assert baseline_now() == "stable_diffusion_1"
    assert PendingChange.objects.get(pk=change).status == "approved"
    # The batch routes stop at it and say the same in their body.
    batch_id = PendingChange.objects.get(pk=change).batch_id
    for path, payload in ((f"{Q}/apply", {"change_ids": [change]}), (f"{Q}/apply_batch/{batch_id}", None)):
        response = approver.post(path, payload)
        assert response.status_code == 400
        assert (
            response.json()["failed_error"] == refusal(change, "App#2002")
            and response.json()["applied"] == []
        )


def test_two_approvals_by_the_same_approver_are_still_one(requestor, approver, protected):
    change = propose_change(requestor, baseline="stable_diffusion_xl")
    approve(approver, [change])
    again = approver.post(f"{Q}/batches", {"batch_title": "Again", "approved_ids": [change]})
    assert (again.status_code, again.json()) == (
        400,
        {
            "detail": f"Change {change} already has your approval (App#2002): image_generation/{REALISM} is #1 of "
            "the 1 most used image_generation models (monthly AI-Horde usage) and the change touches a critical "
            "field, so its second approval must come from a different approver."
        },
    )
    assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 400
    assert baseline_now() == "stable_diffusion_1"
    assert approvals_in_audit(change) == [("enqueue", None, "Requester#1001"), ("approve", 1, "App#2002")]


def test_two_different_approvers_let_it_apply_and_the_audit_trail_has_both(
    requestor, approver, second_approver, protected
):
    change = propose_change(requestor, baseline="stable_diffusion_xl")
    batch_id = approve(approver, [change])
    second = second_approver.post(f"{Q}/batches", {"batch_title": "Second look", "approved_ids": [change]})
    assert second.status_code == 200
    assert second.json()["batch_id"] is None  # the change stays in its batch
    (approved,) = second.json()["approved"]
    assert (approved["batch_id"], approved["approved_username"], approved["second_approved_username"]) == (
        batch_id,
        "App#2002",
        "Second#2004",
    )
    applied = approver.post(f"{Q}/changes/{change}/apply", {})
    assert applied.status_code == 200, applied.json()
    assert baseline_now() == "stable_diffusion_xl"
    assert approvals_in_audit(change) == [
        ("enqueue", None, "Requester#1001"),
        ("approve", 1, "App#2002"),
        ("approve", 2, "Second#2004"),
        ("apply", None, "App#2002"),
    ]
    # A third approval has nothing to add.
    assert second_approver.post(f"{Q}/batches", {"batch_title": "x", "approved_ids": [change]}).json() == {
        "detail": f"Change {change} is not pending (status=applied)."
    }


def test_a_change_to_no_critical_field_needs_one_approval(requestor, approver, protected):
    change = propose_change(requestor, description="Only the words change.")
    approve(approver, [change])
    assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 200
    assert approvals_in_audit(change)[1] == ("approve", None, "App#2002")


def test_a_record_that_dropped_out_of_the_top_needs_one_approval_again(requestor, approver, protected):
    change = propose_change(requestor, baseline="stable_diffusion_xl")
    approve(approver, [change])
    assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 400
    protected.serve_usage(_usage({REALISM: 100, "Demo Anime XL": 5000}))
    usage_refresh()
    assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 200
    assert baseline_now() == "stable_diffusion_xl"


def test_a_protected_deletion_after_two_approvals_leaves_its_name_served_but_unknown(
    requestor, approver, second_approver, protected, django_capture_on_commit_callbacks
):
    response = requestor.delete(f"{V2}/image_generation/model/{REALISM}")
    change = response.json()["change_id"]
    approve(approver, [change])
    assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 400
    second_approver.post(f"{Q}/batches", {"batch_title": "Agreed", "approved_ids": [change]})
    calls = protected.calls
    with django_capture_on_commit_callbacks(execute=True):
        assert approver.post(f"{Q}/changes/{change}/apply", {}).status_code == 200
    assert protected.calls == calls
    # The snapshot is matched again after the change (no AI-Horde call): workers still serve it.
    assert list(UnknownModel.objects.values_list("name", "worker_count")) == [(REALISM, 2)]


def test_the_desk_shows_1_of_2_and_offers_the_second_approval_to_another_approver(
    requestor, approver, protected
):
    change = propose_change(requestor, baseline="stable_diffusion_xl")
    approve(approver, [change])
    first = admin_signed_in(APPROVER.apikey)
    queue = first.get(ADMIN_QUEUE)
    assert "1 of 2 approvals" in text(body(queue))
    page = first.get(f"{ADMIN_QUEUE}{change}/change/")
    assert section(page, "protection").startswith(
        f"1 of 2 approvals Two approvals needed. image_generation/{REALISM} is #1 of the 1 most used"
    )
    assert 'id="second-approval-form"' not in body(page)  # not for the one who approved
    assert "Waiting for a second, different approver." in text(body(page))
    refused = first.post(f"{ADMIN_QUEUE}{change}/apply/", follow=True)
    assert refusal(change, "App#2002") in text(body(refused))

    other = admin_signed_in(SECOND_APPROVER.apikey)
    page = other.get(f"{ADMIN_QUEUE}{change}/change/")
    assert 'id="second-approval-form"' in body(page)
    done = other.post(f"{ADMIN_QUEUE}{change}/second-approval/", follow=True)
    assert f"Second approval given to #{change} update image_generation/{REALISM}: 2 of 2 approvals." in text(
        body(done)
    )
    assert section(done, "approval-count") == "2 of 2 approvals"
    applied = other.post(f"{ADMIN_QUEUE}{change}/apply/", follow=True)
    assert f"Applied 1 change: #{change}" in text(body(applied))
    assert baseline_now() == "stable_diffusion_xl"
