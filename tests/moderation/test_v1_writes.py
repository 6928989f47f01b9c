"""v1 (legacy-format) writes: only on legacy-canonical deployments; applied into the legacy files."""

import pytest

from apps.moderation.models import PendingChange

pytestmark = pytest.mark.django_db
V1 = "/api/model_references/v1"
Q1 = f"{V1}/pending_queue"

LEGACY_RECORD = {
    "name": "Legacy New",
    "baseline": "stable diffusion 1",
    "type": "ckpt",
    "inpainting": False,
    "description": "Written through v1.",
    "version": "1",
    "style": "anime",
    "nsfw": False,
    "download_all": False,
    "config": {
        "files": [{"path": "legacy_new.safetensors", "sha256sum": "cd" * 32}, {"path": "v1-inference.yaml"}],
        "download": [
            {
                "file_name": "legacy_new.safetensors",
                "file_path": "",
                "file_url": "https://huggingface.co/x/legacy_new.safetensors",
            }
        ],
    },
    "available": False,
}


@pytest.fixture
def legacy_canonical(settings):
    settings.HMR_CANONICAL_FORMAT = "legacy"


def test_v1_create_is_queued_and_applied_into_the_legacy_file(
    catalog, requestor, approver, client, legacy_canonical
):
    response = requestor.post(f"{V1}/stable_diffusion", LEGACY_RECORD)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["payload"], body["request_metadata"]) == (
        LEGACY_RECORD,
        {"route": "create_v1_image_generation"},
    )
    batch = approver.post(f"{Q1}/batches", {"batch_title": "v1", "approved_ids": [body["change_id"]]}).json()
    assert approver.post(f"{Q1}/apply_batch/{batch['batch_id']}").status_code == 200
    served = client.get(f"{V1}/stable_diffusion").json()
    assert served["Legacy New"] == LEGACY_RECORD  # yaml entry, download_all, available: all kept


def test_v1_text_write_takes_a_db_json_shaped_record(catalog, requestor, approver, client, legacy_canonical):
    record = {
        "name": "acme/Helper-3B",
        "parameters": 3000000000,
        "description": "Helps.",
        "style": "chat",
        "tags": ["chat"],
        "nsfw": False,
    }
    change = requestor.post(f"{V1}/text_generation", record).json()
    assert change["payload"]["model_name"] == "Helper-3B"
    batch = approver.post(f"{Q1}/batches", {"batch_title": "t", "approved_ids": [change["change_id"]]}).json()
    approver.post(f"{Q1}/apply_batch/{batch['batch_id']}")
    served = client.get(f"{V1}/text_generation").json()
    assert served["koboldcpp/Helper-3B"]["description"] == "Helps."
    assert served["acme/Helper-3B"]["tags"] == ["3B", "chat"]


def test_v1_update_and_delete(catalog, requestor, legacy_canonical, client):
    current = client.get(f"{V1}/controlnet").json()["control_depth_demo"]
    update = requestor.put(f"{V1}/controlnet", {**current, "description": "Deeper."})
    assert update.status_code == 202 and update.json()["operation"] == "update"
    missing = requestor.put(f"{V1}/controlnet", {**current, "name": "control_nope"})
    assert missing.json() == {
        "detail": "Model 'control_nope' does not exist in category 'controlnet'. "
        "Use POST to create new models."
    }
    exists = requestor.post(f"{V1}/controlnet", current)
    assert exists.status_code == 409
    deleted = requestor.delete(f"{V1}/controlnet/model/control_depth_demo")
    assert deleted.status_code == 202 and deleted.json()["payload"]["type"] == "control_depth"
    no_name = requestor.post(f"{V1}/stable_diffusion", {**LEGACY_RECORD, "baseline": None})
    assert no_name.status_code == 422


def test_v1_writes_do_not_exist_on_a_v2_deployment(catalog, requestor):
    post = requestor.post(f"{V1}/stable_diffusion", LEGACY_RECORD)
    assert (post.status_code, post.json()) == (405, {"detail": "Method Not Allowed"})
    delete = requestor.delete(f"{V1}/controlnet/model/control_depth_demo")
    assert (delete.status_code, delete.json()) == (404, {"detail": "Not Found"})
    assert PendingChange.objects.count() == 0
