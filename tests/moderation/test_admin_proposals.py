"""Proposing edits, deletions and new records from the catalog pages; each record's history."""

import json

import pytest
from django.contrib.auth import get_user_model

from apps.audit.models import AuditEvent
from apps.moderation import selectors
from apps.moderation.models import PendingChange
from apps.moderation.services import changes_apply
from tests.moderation.conftest import ADMIN_QUEUE, ADMIN_RECORDS
from tests.moderation.desk import (
    BY_APPROVER,
    approve_ids,
    body,
    form_data,
    messages_of,
    propose,
    record,
    review_form_data,
    section,
    submit_proposal,
    text,
)

pytestmark = pytest.mark.django_db


def edit_page(client, name="Demo Realism", category="image_generation"):
    return client.get(f"{ADMIN_RECORDS}{record(name, category).pk}/propose-edit/")


def post_edit(client, name="Demo Realism", category="image_generation", **changes):
    data = {**form_data(edit_page(client, name, category)), **changes}
    for field, value in changes.items():
        if value is False:
            data.pop(field)  # an unticked box is not posted
        elif value is True:
            data[field] = "on"
    return submit_proposal(client, f"{ADMIN_RECORDS}{record(name, category).pk}/propose-edit/", data)


def field_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_the_record_page_offers_proposals_and_shows_its_history(catalog, requestor_admin):
    realism = record("Demo Realism")
    page = requestor_admin.get(f"{ADMIN_RECORDS}{realism.pk}/change/")
    assert 'id="propose-edit"' in body(page) and 'id="propose-delete"' in body(page)
    assert section(page, "record-events").endswith(
        "record create image_generation/Demo Realism test import import"
    )
    listing = requestor_admin.get(ADMIN_RECORDS)
    assert 'href="/admin/catalog/modelrecord/propose/" class="addlink" id="propose-new"' in body(listing)
    filtered = requestor_admin.get(ADMIN_RECORDS, {"category__exact": "blip"})
    assert 'href="/admin/catalog/modelrecord/propose/blip/"' in body(filtered)
    assert 'name="_save"' not in body(page)  # the catalog itself stays read-only


def test_an_edit_becomes_a_pending_change_and_the_record_is_untouched(catalog, requestor_admin):
    before = record("Demo Realism")
    done = post_edit(
        requestor_admin,
        description="Sharper portraits.",
        nsfw=True,
        tags="demo\nphoto\n",
        trigger="realistic photo, 35mm",
        notes="The author says so.",
    )
    change = PendingChange.objects.get()
    assert messages_of(done) == [
        f"Proposed change #{change.pk}: update of image_generation “Demo Realism”. An approver will review it; "
        "nothing changes until it is approved and applied."
    ]
    assert done.redirect_chain[-1][0] == f"{ADMIN_QUEUE}{change.pk}/change/"
    expected = {
        **selectors.record_state(before, "v2"),
        "description": "Sharper portraits.",
        "nsfw": True,
        "tags": ["demo", "photo"],
        "trigger": ["realistic photo, 35mm"],
    }
    expected["metadata"] = {"schema_version": "2.0.0", "created_at": expected["metadata"]["created_at"]}
    assert change.payload == expected
    assert (change.operation, change.base_version, change.origin, change.status) == (
        "update",
        1,
        "admin",
        "pending",
    )
    assert (change.requested_by, change.requested_username, change.notes) == (
        "1001",
        "Requester#1001",
        "The author says so.",
    )
    after = record("Demo Realism")
    assert (after.version, after.data, after.updated_at) == (before.version, before.data, before.updated_at)
    event = AuditEvent.objects.filter(category="pending_queue").get()
    assert (event.origin, event.actor_id, event.payload["after"]["action"]) == ("admin", "1001", "enqueue")
    diff = section(done, "field-diff")
    assert "nsfw critical false → true" in diff and 'tags ["demo"] → ["demo", "photo"]' in diff


def test_an_invalid_edit_shows_the_errors_next_to_the_fields_and_writes_nothing(catalog, requestor_admin):
    events = AuditEvent.objects.count()
    config = {"download": [{"file_name": "x.safetensors"}]}
    refused = post_edit(requestor_admin, baseline="sd9", config=json.dumps(config), style="noir")
    assert field_errors(refused) == {
        "baseline": ["Value error, Unknown baseline: sd9"],
        "style": ["Value error, Unknown style: noir"],
        "config": ["download.0.file_url: Field required"],
    }
    html = body(refused)
    assert "Please correct the errors below; nothing was proposed." in text(html)
    baseline_row = html[html.index('class="form-row field-baseline errors"') :]
    assert baseline_row.index("Unknown baseline: sd9") < baseline_row.index('name="baseline"')
    assert 'value="sd9"' in html and "x.safetensors" in html  # what was typed is kept

    not_json = post_edit(requestor_admin, config="{oops", size_on_disk_bytes="big")
    assert field_errors(not_json) == {
        "config": ["Enter a valid JSON."],
        "size_on_disk_bytes": ["Enter a whole number."],
    }
    missing = post_edit(requestor_admin, baseline="")
    assert field_errors(missing) == {"baseline": ["This field is required."]}
    assert PendingChange.objects.count() == 0 and AuditEvent.objects.count() == events


def test_an_edit_that_changes_nothing_is_not_proposed(catalog, requestor_admin):
    unchanged = post_edit(requestor_admin)
    assert field_errors(unchanged) == {"__all__": ["This edit changes nothing; change a field or go back."]}
    assert PendingChange.objects.count() == 0


def test_a_text_record_edit_keeps_its_empty_fields(catalog, requestor_admin):
    tiny = record("hmr-demo/Tiny-Chat-1B", "text_generation")
    assert (tiny.data["version"], tiny.data["display_name"]) == ("", "")
    done = post_edit(requestor_admin, tiny.name, "text_generation", description="A friendlier model.")
    change = PendingChange.objects.get()
    assert messages_of(done)[0].startswith(f"Proposed change #{change.pk}: update of text_generation")
    assert (change.payload["description"], change.payload["version"]) == ("A friendlier model.", "")
    paths = [d.field_path for d in selectors.change_diff(change).field_diffs]
    # The text write processor (as for API writes) derives the display name and the style and size tags.
    assert paths == ["description", "display_name", "tags"]


def test_a_deletion_is_proposed_with_a_snapshot(catalog, requestor_admin):
    blip = record("DEMO_BLIP", "blip")
    page = requestor_admin.get(f"{ADMIN_RECORDS}{blip.pk}/propose-delete/")
    assert "The record blip / DEMO_BLIP (version 1) will be proposed for deletion." in text(body(page))
    done = submit_proposal(
        requestor_admin, f"{ADMIN_RECORDS}{blip.pk}/propose-delete/", {"notes": "Superseded."}
    )
    change = PendingChange.objects.get()
    assert messages_of(done)[0].startswith(f"Proposed change #{change.pk}: delete of blip “DEMO_BLIP”.")
    assert (change.operation, change.base_version, change.notes) == ("delete", 1, "Superseded.")
    assert change.payload["name"] == "DEMO_BLIP"
    assert record("DEMO_BLIP", "blip").version == 1


def test_a_new_record_is_proposed_per_category(catalog, requestor_admin):
    chooser = requestor_admin.get(f"{ADMIN_RECORDS}propose/")
    choices = section(chooser, "category-choices")
    assert "image_generation" in choices and "blip" in choices and "lora" not in choices
    assert requestor_admin.get(f"{ADMIN_RECORDS}propose/lora/").status_code == 404

    url = f"{ADMIN_RECORDS}propose/blip/"
    assert 'name="name"' in body(requestor_admin.get(url))
    exists = requestor_admin.post(url, {"name": "DEMO_BLIP", "config": ""})
    assert field_errors(exists) == {
        "name": ["Model 'DEMO_BLIP' already exists in category 'blip'. Use PUT to update existing models."]
    }
    config = {"download": [{"file_name": "b.pth", "file_url": "https://example.org/b.pth"}]}
    done = submit_proposal(
        requestor_admin, url, {"name": "BLIP_NEW", "description": "New.", "config": json.dumps(config)}
    )
    change = PendingChange.objects.get()
    assert messages_of(done)[0].startswith(f"Proposed change #{change.pk}: create of blip “BLIP_NEW”.")
    assert (change.operation, change.base_version, change.payload["description"]) == ("create", None, "New.")
    assert change.payload["config"]["download"][0]["sha256sum"] == "FIXME"  # the v2 default


def test_users_without_the_propose_permission_are_refused(catalog, client):
    staff = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(staff)
    realism = record("Demo Realism")
    assert client.get(f"{ADMIN_RECORDS}{realism.pk}/propose-edit/").status_code == 403
    assert client.post(f"{ADMIN_RECORDS}{realism.pk}/propose-delete/", {}).status_code == 403
    assert client.post(f"{ADMIN_RECORDS}propose/blip/", {"name": "X"}).status_code == 403
    assert PendingChange.objects.count() == 0


def test_a_password_admin_proposes_as_a_django_user(catalog, admin_client, admin_user):
    post_edit(admin_client, description="By the site admin.")
    change = PendingChange.objects.get()
    assert (change.requested_by, change.requested_username) == (f"django:{admin_user.pk}", "admin")
    assert [c.pk for c in admin_client.get(ADMIN_QUEUE, {"mine": "1"}).context["cl"].result_list] == [
        change.pk
    ]


def test_the_record_page_lists_its_changes_and_applied_history(catalog, requestor_admin):
    applied = propose(description="Applied.")
    approve_ids(applied)
    changes_apply(change_ids=[applied.pk], job_id=None, actor=BY_APPROVER)
    waiting = propose(description="Waiting.")
    page = requestor_admin.get(f"{ADMIN_RECORDS}{record('Demo Realism').pk}/change/")
    history = section(page, "record-history")
    assert f"#{waiting.pk} update image_generation / Demo Realism pending" in history
    assert f"#{applied.pk} update image_generation / Demo Realism applied" in history
    assert f'href="{ADMIN_QUEUE}{waiting.pk}/change/"' in body(page)
    events = section(page, "record-events")
    newest = AuditEvent.objects.filter(model_name="Demo Realism").last()
    assert events.startswith(f"# when what by origin details {newest.pk} 2026-01-02 03:04:05 record update")
    assert "record update image_generation/Demo Realism App#2002 api-v2 fields: description" in events
    assert "record create image_generation/Demo Realism test import import" in events


def test_a_replica_takes_no_proposals(catalog, requestor_admin, settings):
    realism = record("Demo Realism")
    data = form_data(edit_page(requestor_admin))
    settings.HMR_REPLICATE_MODE = "REPLICA"
    assert 'id="propose-edit"' not in body(requestor_admin.get(f"{ADMIN_RECORDS}{realism.pk}/change/"))
    refused = requestor_admin.post(
        f"{ADMIN_RECORDS}{realism.pk}/propose-edit/", {**data, "description": "On a replica."}
    )
    assert messages_of(refused) == ["This instance is in REPLICA mode: changes are made on the PRIMARY."]
    assert PendingChange.objects.count() == 0


def test_a_backend_prefixed_text_name_is_refused_next_to_the_name(catalog, requestor_admin):
    refused = requestor_admin.post(
        f"{ADMIN_RECORDS}propose/text_generation/",
        {"name": "koboldcpp/Some-Model", "parameters": "7000000000"},
    )
    assert list(field_errors(refused)) == ["name"]
    assert "koboldcpp" in field_errors(refused)["name"][0]
    assert PendingChange.objects.count() == 0


def test_a_proposal_is_reviewed_as_a_diff_before_anything_is_queued(catalog, requestor_admin):
    url = f"{ADMIN_RECORDS}{record('Demo Realism').pk}/propose-edit/"
    typed = {
        **form_data(edit_page(requestor_admin)),
        "description": "Sharper.",
        "nsfw": "on",
        "notes": "Why.",
    }
    review = requestor_admin.post(url, typed)
    assert review.context["mode"] == "review" and PendingChange.objects.count() == 0
    assert section(review, "proposal-diff") == (
        "field old new "
        "description Demo Realism: a demonstration record written for HMR's quick start. → Sharper. "
        "nsfw critical false → true"
    )
    page = text(body(review))
    assert "Nothing is queued yet." in page and "Notes for the approvers: Why." in page
    assert 'value="Submit proposal"' in body(review) and 'value="Back to editing"' in body(review)

    # Back to editing: the form again, with what was typed.
    back = requestor_admin.post(url, {**review_form_data(review), "back": "Back to editing"})
    assert back.context["mode"] == "edit" and not back.context["form"].errors
    assert back.context["form"]["description"].value() == "Sharper." and back.context["form"]["nsfw"].value()
    assert PendingChange.objects.count() == 0

    # The record changed while the proposal was reviewed: the new diff is shown, nothing queued.
    applied = propose(description="Changed meanwhile.")
    approve_ids(applied)
    changes_apply(change_ids=[applied.pk], job_id=None, actor=BY_APPROVER)
    stale = requestor_admin.post(url, {**review_form_data(review), "confirm": "Submit proposal"})
    assert stale.context["mode"] == "review" and PendingChange.objects.count() == 1
    assert "The record changed while you were reviewing (it is now version 2)." in text(body(stale))
    assert "description Changed meanwhile. → Sharper." in section(stale, "proposal-diff")

    done = requestor_admin.post(url, {**review_form_data(stale), "confirm": "Submit proposal"}, follow=True)
    change = PendingChange.objects.exclude(pk=applied.pk).get()
    assert (change.base_version, change.payload["description"], change.notes) == (2, "Sharper.", "Why.")
    assert messages_of(done)[0].startswith(f"Proposed change #{change.pk}: update of image_generation")


def test_a_deletion_and_a_new_record_are_reviewed_too(catalog, requestor_admin):
    blip = record("DEMO_BLIP", "blip")
    review = requestor_admin.post(f"{ADMIN_RECORDS}{blip.pk}/propose-delete/", {"notes": "Gone."})
    assert review.context["mode"] == "review" and PendingChange.objects.count() == 0
    assert "delete of blip / DEMO_BLIP (deleted, " in text(body(review))
    rows = section(review, "proposal-diff")
    assert rows.startswith("field old new config {") and "name DEMO_BLIP → removed" in rows

    url = f"{ADMIN_RECORDS}propose/blip/"
    review = requestor_admin.post(url, {"name": "BLIP_NEW", "description": "New.", "config": ""})
    assert review.context["mode"] == "review" and PendingChange.objects.count() == 0
    assert "create of blip / BLIP_NEW (added, " in text(body(review))
    assert "description absent → New." in section(review, "proposal-diff")
