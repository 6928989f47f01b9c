"""v2 writes: every write is queued (202) with upstream's checks, statuses and messages."""

import pytest

from apps.audit.models import AuditEvent
from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from tests.moderation.conftest import V2, image_payload

pytestmark = pytest.mark.django_db


def test_a_typed_create_is_queued_and_nothing_live_changes(catalog, requestor, frozen_clock):
    response = requestor.post(f"{V2}/image_generation", image_payload())
    assert response.status_code == 202
    body = response.json()
    change = PendingChange.objects.get()
    assert body == {
        "change_id": change.pk,
        "category": "image_generation",
        "model_name": "Brand New",
        "operation": "create",
        "payload": {
            "record_type": "image_generation",
            "name": "Brand New",
            "description": "A new model.",
            "version": "1.0",
            "metadata": {"schema_version": "2.0.0"},
            "config": {
                "download": [
                    {
                        "file_name": "brand_new.safetensors",
                        "file_url": "https://huggingface.co/x/brand_new.safetensors",
                        "sha256sum": "ab" * 32,
                    }
                ]
            },
            "model_classification": {"domain": "image", "purpose": "generation"},
            "inpainting": False,
            "baseline": "stable_diffusion_xl",
            "tags": [],
            "showcases": [],
            "trigger": [],
            "nsfw": False,
            "style": "anime",
        },
        "requested_by": "1001",
        "requested_username": "Requester#1001",
        "requested_at": "2026-01-02T03:04:05Z",
        "status": "pending",
        "updated_at": "2026-01-02T03:04:05Z",
        "request_metadata": {"route": "create_v2_image_generation"},
    }
    assert not ModelRecord.objects.filter(name="Brand New").exists()
    event = AuditEvent.objects.get(category="pending_queue")
    assert (event.model_name, event.actor_id, event.payload) == (
        str(change.pk),
        "1001",
        {
            "after": {
                "change_id": change.pk,
                "operation": "create",
                "category": "image_generation",
                "model": "Brand New",
                "action": "enqueue",
            }
        },
    )


def test_generic_add_dispatches_by_the_paths_category(catalog, requestor):
    response = requestor.post(f"{V2}/blip/add", {"name": "NEW_BLIP", "config": {"download": []}})
    assert response.status_code == 202
    assert response.json()["payload"]["record_type"] == "blip"
    refused = requestor.post(f"{V2}/blip/add", {"record_type": "controlnet", "name": "X"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "record_type"]


def test_update_keeps_the_base_version_and_creation_metadata(catalog, requestor):
    record = ModelRecord.objects.get(category="image_generation", name="Demo Realism")
    body = image_payload("Demo Realism", description="Sharper.", baseline="stable_diffusion_1")
    response = requestor.put(f"{V2}/image_generation/model/Demo Realism", body)
    assert response.status_code == 202
    change = PendingChange.objects.get()
    assert (change.operation, change.base_version) == ("update", record.version)
    assert change.payload["metadata"] == {
        "schema_version": "2.0.0",
        "created_at": int(record.created_at.timestamp()),
    }


def test_delete_carries_a_snapshot_of_the_record(catalog, requestor):
    response = requestor.delete(f"{V2}/controlnet/model/control_canny_demo")
    assert response.status_code == 202
    change = PendingChange.objects.get()
    assert change.operation == "delete"
    assert (
        change.payload["name"] == "control_canny_demo"
        and change.payload["controlnet_style"] == "control_canny"
    )


def test_text_writes_take_parameters_and_derive_tags_names_and_group(catalog, requestor):
    response = requestor.post(
        f"{V2}/text_generation",
        {
            "name": "acme/Story-Writer-12B-v2",
            "parameters": 12e9,
            "style": "roleplay",
            "tags": ["story"],
            "settings": '{"temperature": 0.8}',
        },
    )
    assert response.status_code == 202, response.json()
    payload = response.json()["payload"]
    assert (
        payload["parameters"],
        payload["tags"],
        payload["display_name"],
        payload["text_model_group"],
        payload["settings"],
    ) == (
        12_000_000_000,
        ["12B", "roleplay", "story"],
        "Story Writer 12B v2",
        "Story-Writer",
        {"temperature": 0.8},
    )
    assert response.json()["related_models"] == [
        "aphrodite/acme/Story-Writer-12B-v2",
        "koboldcpp/Story-Writer-12B-v2",
    ]


def test_names_with_slashes_work_for_update_and_delete(catalog, requestor):
    response = requestor.delete(f"{V2}/text_generation/model/hmr-demo/Coder-7B-Instruct")
    assert response.status_code == 202 and response.json()["model_name"] == "hmr-demo/Coder-7B-Instruct"


def test_duplicate_create_proposals_are_accepted(catalog, requestor):
    assert requestor.post(f"{V2}/image_generation", image_payload()).status_code == 202
    assert requestor.post(f"{V2}/image_generation", image_payload(description="Other.")).status_code == 202
    assert PendingChange.objects.filter(model_name="Brand New").count() == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        (
            "post",
            "image_generation",
            image_payload("Demo Realism"),
            409,
            "Model 'Demo Realism' already exists in category 'image_generation'. Use PUT to update existing models.",
        ),
        (
            "put",
            "image_generation/model/Nope",
            image_payload("Nope"),
            404,
            "Model 'Nope' does not exist in category 'image_generation'. Use POST to create new models.",
        ),
        (
            "delete",
            "image_generation/model/Nope",
            None,
            404,
            "Model 'Nope' not found in category 'image_generation'",
        ),
        (
            "post",
            "image_generation",
            image_payload("   "),
            422,
            "Model name must not be empty or whitespace-only.",
        ),
        (
            "post",
            "image_generation",
            image_payload("bad\\name"),
            422,
            "Model name must not contain invalid characters: 'bad\\name'",
        ),
        (
            "post",
            "text_generation",
            {"name": "koboldcpp/Tiny-Chat-1B", "parameters": 1},
            400,
            "Text model names must not carry a backend prefix ('koboldcpp/'): submit the base model name "
            "'Tiny-Chat-1B'; its backend variants are derived.",
        ),
        (
            "put",
            "image_generation/model/Demo Realism",
            image_payload("Other Name"),
            400,
            "Model name in the path must match the payload when queuing updates.",
        ),
        ("post", "lora", {"name": "x"}, 400, "Category 'lora' is managed elsewhere and takes no writes."),
    ],
)
def test_write_refusals(catalog, requestor, method, path, body, status, detail):
    call = getattr(requestor, method)
    response = call(f"{V2}/{path}", body) if body is not None else call(f"{V2}/{path}")
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert PendingChange.objects.count() == 0


def test_invalid_bodies_are_422_with_the_fields_named(catalog, requestor):
    response = requestor.post(f"{V2}/image_generation", {"name": "X", "style": "cubist"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "baseline"],
                "msg": "Field required",
                "input": {"name": "X", "style": "cubist"},
            },
            {
                "type": "missing",
                "loc": ["body", "nsfw"],
                "msg": "Field required",
                "input": {"name": "X", "style": "cubist"},
            },
            {
                "type": "value_error",
                "loc": ["body"],
                "msg": "Value error, Unknown style: cubist",
                "input": "cubist",
            },
        ]
    }
    malformed = requestor.client.post(
        f"{V2}/image_generation", "{not json", content_type="application/json", **requestor.headers
    )
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["type"] == "json_invalid"
    array = requestor.post(f"{V2}/image_generation", [1, 2])
    assert (
        array.status_code == 422 and array.json()["detail"][0]["msg"] == "Input should be a valid dictionary"
    )
    bad_parameters = requestor.post(f"{V2}/text_generation", {"name": "a/b", "parameters": True})
    assert bad_parameters.status_code == 422
    assert bad_parameters.json()["detail"][0]["loc"] == ["body", "parameters"]
    assert PendingChange.objects.count() == 0


def test_identity_and_gates(catalog, anonymous, reader, requestor, settings):
    missing = anonymous.post(f"{V2}/image_generation", image_payload())
    assert (missing.status_code, missing.json(), missing["WWW-Authenticate"]) == (
        401,
        {"detail": "Not authenticated"},
        "APIKey",
    )
    forbidden = reader.post(f"{V2}/image_generation", image_payload())
    assert (forbidden.status_code, forbidden.json()) == (
        403,
        {"detail": "You are not on the pending queue requestor list."},
    )
    mismatch_first = anonymous.put(f"{V2}/image_generation/model/A", image_payload("B"))
    assert mismatch_first.status_code == 400  # before the caller is identified, as upstream
    settings.HMR_REPLICATE_MODE = "REPLICA"
    replica = requestor.post(f"{V2}/image_generation", image_payload())
    assert (replica.status_code, replica.json()) == (
        503,
        {
            "detail": (
                "This instance is in REPLICA mode and does not support write operations. Only PRIMARY instances can "
                "modify data."
            )
        },
    )
    settings.HMR_REPLICATE_MODE = "PRIMARY"
    settings.HMR_CANONICAL_FORMAT = "legacy"
    legacy = requestor.post(f"{V2}/image_generation", image_payload())
    assert (legacy.status_code, legacy.json()) == (
        503,
        {
            "detail": (
                "This deployment does not expose write operations for this API. Expected canonical_format='v2', "
                "got 'legacy'."
            )
        },
    )
    assert PendingChange.objects.count() == 0


def test_the_pending_channel_shows_the_latest_proposal_per_model(catalog, requestor, reader, anonymous):
    requestor.post(f"{V2}/image_generation", image_payload(description="First."))
    requestor.post(f"{V2}/image_generation", image_payload(description="Second."))
    requestor.delete(f"{V2}/image_generation/model/Demo Inpaint")
    body = reader.get(f"{V2}/image_generation/pending").json()
    assert list(body) == ["Brand New"] and body["Brand New"]["description"] == "Second."
    assert anonymous.get(f"{V2}/image_generation/pending").status_code == 401
    assert reader.get(f"{V2}/blip/pending").json() == {}
