"""The admin's "Text models" pages on the real data: the group list, a group's page, "Propose for
every member…" (preview, then one proposed batch), the proposed batch's approval, and the store
editors (which write through the services: audited, refusals on the form)."""

from __future__ import annotations

import re

from apps.audit.models import AuditEvent
from apps.moderation.models import PendingChange, ReviewBatch
from apps.textmodels.models import AliasEntry, Family
from tests.fake_horde import REQUESTOR
from tests.moderation.desk import body, messages_of, section, text
from tests.textmodels import realdata

GROUPS = "/admin/textmodels/textmodelgroup/"
GROUP = f"{GROUPS}group/"
PROPOSE = f"{GROUPS}group/propose/"
BATCHES = "/admin/moderation/reviewbatch/"


def row(response, group: str) -> str:
    html = body(response)
    start = html.index(f'<tr data-group="{group}">')
    return text(html[start : html.index("</tr>", start)])


def test_the_group_list_shows_members_sizes_quants_health_and_family(catalog, requestor_admin):
    page = requestor_admin.get(GROUPS)
    assert page.status_code == 200
    assert section(page, "group-count") == f"{len(realdata.groups())} of {len(realdata.groups())} groups"
    assert body(page).count("<tr data-group=") == 100  # a page
    page = requestor_admin.get(GROUPS, {"q": "magnum"})
    assert row(page, "magnum") == (
        "magnum 10 9B, 12B, 22B, 27B, 34B, 72B, 123B — inconsistent_baseline missing_baseline missing_description — —"
    )
    searched = requestor_admin.get(GROUPS, {"q": "gemma-4"})
    quantised = [g for g in realdata.groups() if "gemma-4" in g.lower()]
    assert section(searched, "group-count") == f"{len(quantised)} of {len(realdata.groups())} groups"
    assert "Q4_0" in row(searched, "gemma-4-it-qat-unquantized")


def test_a_group_page_shows_members_with_parts_what_they_share_and_what_differs(catalog, requestor_admin):
    page = requestor_admin.get(GROUP, {"name": "magnum"})
    assert page.status_code == 200
    members = section(page, "group-members")
    for r in realdata.group_rows("magnum"):
        parts = realdata.member_parts(r["name"])
        assert f"{r['name']} {parts['base_name']} {parts['size']}" in members
    assert section(page, "group-shared") == "nsfw false"
    differing = section(page, "group-differing")
    assert differing.startswith("baseline ")
    assert "3 \N{MULTIPLICATION SIGN} (empty)" in differing  # three members have no baseline
    assert section(page, "group-naming").startswith("template {author}/{base}-{size}-{version}")
    actions = section(page, "group-actions")
    assert "Propose for every member…" in actions and "Add: aliases of this group" in actions
    assert requestor_admin.get(GROUP, {"name": "no-such-group"}).status_code == 404


def test_propose_for_every_member_previews_then_queues_one_proposed_batch(
    catalog, requestor_admin, approver_admin
):
    form = requestor_admin.get(PROPOSE, {"name": "magnum"})
    assert form.context["form"]["nsfw"].value() == "false"  # shared values are prefilled
    nothing = requestor_admin.post(PROPOSE, {"name": "magnum", "preview": "1"})
    assert "Tick at least one field to set." in section(nothing, "form-errors")

    data = {"name": "magnum", "set_style": "on", "style": "roleplay", "nsfw": "false"}
    preview = requestor_admin.post(PROPOSE, {**data, "preview": "1"})
    names = [r["name"] for r in realdata.group_rows("magnum")]
    shown = section(preview, "preview")
    assert all(name in shown for name in names)
    # Every member changes: models.csv keeps no size tags, and a text update adds them.
    assert section(preview, "preview-heading").endswith(
        "(10 of 10 change; text updates also add the style and size tags)"
    )
    assert "style" in shown and "roleplay" in shown
    assert PendingChange.objects.count() == 0  # a preview writes nothing

    # Only what was previewed is proposed: other values are previewed first, nothing queued.
    unseen = requestor_admin.post(PROPOSE, {**data, "style": "chat", "propose": "1"})
    assert "These values were not previewed yet" in text(body(unseen)) and PendingChange.objects.count() == 0
    previewed = re.search(r'name="previewed" value="([0-9a-f]+)"', body(preview)).group(1)
    done = requestor_admin.post(PROPOSE, {**data, "previewed": previewed, "propose": "1"}, follow=True)
    batch = ReviewBatch.objects.get()
    assert messages_of(done) == [
        f"Proposed 10 changes as batch #{batch.pk} “Group 'magnum': style for every member”. "
        "Nothing changes until an approver approves and applies it."
    ]
    assert list(batch.changes.values_list("model_name", flat=True).order_by("id")) == names
    assert set(batch.changes.values_list("status", "origin")) == {("pending", "admin")}
    assert "Approve batch" not in body(done)  # a requestor does not review

    page = approver_admin.get(f"{BATCHES}{batch.pk}/change/")
    assert section(page, "batch-headline").startswith("proposed Proposed together by Requester#1001")
    assert "roleplay" in section(page, "proposed-changes")
    approved = approver_admin.post(
        f"{BATCHES}{batch.pk}/approve/", {"batch_title": "Magnum: roleplay"}, follow=True
    )
    assert "as batch" in messages_of(approved)[0]
    batch.refresh_from_db()
    assert (batch.is_proposed, batch.title, set(batch.changes.values_list("status", flat=True))) == (
        False,
        "Magnum: roleplay",
        {"approved"},
    )
    applied = approver_admin.post(f"{BATCHES}{batch.pk}/apply/", follow=True)
    assert messages_of(applied)[0].startswith("Applied 10 changes:")
    group = requestor_admin.get(GROUP, {"name": "magnum"})
    assert section(group, "group-shared") == "nsfw false style roleplay"


def test_the_store_editors_write_through_the_services(catalog, requestor_admin):
    add = "/admin/textmodels/aliasentry/add/"
    form = requestor_admin.get(add, {"canonical": "c4ai-command-r"})
    assert form.context["form"]["canonical"].value() == "c4ai-command-r"
    saved = requestor_admin.post(
        add, {"canonical": "c4ai-command-r", "aliases": "c4ai-command-r-plus\n\n"}, follow=True
    )
    assert messages_of(saved) == ["Saved group alias entry “c4ai-command-r”."]
    taken = requestor_admin.post(add, {"canonical": "other", "aliases": "c4ai-command-r-plus"})
    assert "is already registered under canonical group 'c4ai-command-r'" in text(body(taken))
    assert list(AliasEntry.objects.values_list("canonical", flat=True)) == ["c4ai-command-r"]
    event = AuditEvent.objects.get(category="text_group_aliases")
    assert (event.operation, event.origin, event.actor_name, event.payload["after"]["aliases"]) == (
        "create",
        "admin",
        REQUESTOR.username,
        ["c4ai-command-r-plus"],
    )

    family_add = "/admin/textmodels/family/add/"
    requestor_admin.post(family_add, {"name": "Cohere", "members": "c4ai-command-r\nc4ai-command-r-plus"})
    family = Family.objects.get()
    edit = requestor_admin.get(f"/admin/textmodels/family/{family.pk}/change/")
    assert edit.context["form"]["members"].value() == "c4ai-command-r\nc4ai-command-r-plus"
    assert "create" in section(edit, "store-history")
    requestor_admin.post(f"/admin/textmodels/family/{family.pk}/delete/", {"post": "yes"})
    assert Family.objects.count() == 0
    assert list(
        AuditEvent.objects.filter(category="text_group_families").values_list("operation", flat=True)
    ) == [
        "create",
        "delete",
    ]

    schema = requestor_admin.post(
        "/admin/textmodels/groupnameschema/add/",
        {"group_name": "magnum", "separator": "_", "part_order": "base, size", "author_included": "on"},
        follow=True,
    )
    assert messages_of(schema)[-1] == "Saved naming schema “magnum”."
    page = requestor_admin.get(GROUP, {"name": "magnum"})
    assert "Naming (stored schema)" in text(body(page))
    assert "Edit: naming schema" in section(page, "group-actions")


def test_on_a_replica_nothing_is_offered_and_writes_are_refused(catalog, requestor_admin, settings):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    page = requestor_admin.get(GROUP, {"name": "magnum"})
    assert "Propose for every member" not in body(page) and 'id="group-actions"' not in body(page)
    assert requestor_admin.get("/admin/textmodels/aliasentry/add/").status_code == 403
    refused = requestor_admin.post(
        PROPOSE, {"name": "magnum", "set_style": "on", "style": "x", "propose": "1"}
    )
    assert "REPLICA mode" in text(body(refused))
    assert PendingChange.objects.count() == 0
