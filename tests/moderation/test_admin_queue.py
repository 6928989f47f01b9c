"""The queue in the admin: counts per status, columns, filters, search, and the change page."""

import re
from datetime import timedelta

import pytest

from apps.catalog.categories import Category
from apps.core import clock
from apps.moderation import services
from apps.moderation.models import PendingChange
from apps.moderation.services import changes_apply
from tests.conftest import FROZEN_AT
from tests.moderation.conftest import ADMIN_QUEUE
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, approve_ids, body, propose, record, section, text

pytestmark = pytest.mark.django_db


def rows(response) -> dict[int, str]:
    """The list's rows as text, by change id."""
    changes = response.context["cl"].result_list
    return {change.pk: text(row) for change, row in zip(changes, _rows(response), strict=True)}


def _rows(response) -> list[str]:
    html = body(response)
    table = html[html.index('id="result_list"') : html.index("</table>", html.index('id="result_list"'))]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL)


def ids(response) -> list[int]:
    return [c.pk for c in response.context["cl"].result_list]


def test_the_list_counts_each_status_and_shows_what_a_moderator_needs(catalog, approver_admin):
    critical = propose(nsfw=True)  # nsfw is critical for image records
    harmless = propose("Demo Painter", description="Only words.")
    applied = propose("Demo Anime XL", description="Applied one.")
    batch = approve_ids(applied, title="Week 1")
    changes_apply(change_ids=[applied.pk], job_id=None, actor=BY_APPROVER)

    page = approver_admin.get(ADMIN_QUEUE)
    assert (
        section(page, "queue-summary")
        == "2 Pending 0 Approved 0 Applying 1 Applied 0 Rejected 0 my submissions"
    )
    listed = rows(page)
    assert listed[critical.pk] == (
        f"{critical.pk} Demo Realism Update · Image Generation pending critical Requester#1001 — 0 minutes"
    )
    assert listed[harmless.pk].endswith("Update · Image Generation pending Requester#1001 — 0 minutes")
    assert listed[applied.pk].endswith(
        f"Update · Image Generation applied Requester#1001 #{batch.pk} 0 minutes"
    )
    assert f'title="Week 1">#{batch.pk}</a>' in body(page)
    assert ids(page) == [applied.pk, harmless.pk, critical.pk]  # newest first


def test_filters_status_category_operation_requester_batch_and_search(catalog, approver_admin):
    mine = propose("Demo Painter", actor=BY_APPROVER, description="By the approver.")
    theirs = propose(description="By the requestor.")
    blip = propose("DEMO_BLIP", category="blip", description="A blip edit.")
    batch = approve_ids(theirs)

    def listed(**params):
        return ids(approver_admin.get(ADMIN_QUEUE, params))

    assert listed(status__exact="approved") == [theirs.pk]
    assert listed(status__exact="pending") == [blip.pk, mine.pk]
    assert listed(category__exact="blip") == [blip.pk]
    assert listed(operation__exact="update") == [blip.pk, theirs.pk, mine.pk]
    assert listed(operation__exact="delete") == []
    assert listed(requester="2002") == [mine.pk]
    assert listed(batch=str(batch.pk)) == [theirs.pk]
    assert listed(batch="none") == [blip.pk, mine.pk]
    assert listed(q="painter") == [mine.pk]
    assert listed(q="Requester#1001") == [blip.pk, theirs.pk]
    page = approver_admin.get(ADMIN_QUEUE)
    assert "Requester#1001" in section(page, "changelist-filter") and "App#2002" in section(
        page, "changelist-filter"
    )


def test_the_age_filter(catalog, approver_admin):
    clock.freeze(FROZEN_AT - timedelta(days=10))
    old = propose(description="Ten days ago.")
    clock.freeze(FROZEN_AT - timedelta(days=3))
    recent = propose("Demo Painter", description="Three days ago.")
    clock.freeze(FROZEN_AT - timedelta(hours=2))
    fresh = propose("Demo Anime XL", description="Two hours ago.")
    clock.freeze(FROZEN_AT)

    def listed(age):
        return ids(approver_admin.get(ADMIN_QUEUE, {"age": age}))

    assert (listed("day"), listed("week"), listed("older")) == ([fresh.pk], [fresh.pk, recent.pk], [old.pk])
    assert "1 week" in rows(approver_admin.get(ADMIN_QUEUE))[old.pk]


def test_my_submissions_lists_only_the_users_own_changes(catalog, requestor_admin, approver_admin):
    own = propose(description="Mine.")
    propose("Demo Painter", actor=BY_APPROVER, description="Not mine.")
    page = requestor_admin.get(ADMIN_QUEUE)
    assert "1 my submissions" in section(page, "queue-summary")
    assert 'href="?mine=1"' in body(page)
    mine = requestor_admin.get(ADMIN_QUEUE, {"mine": "1"})
    assert ids(mine) == [own.pk]
    assert ids(approver_admin.get(ADMIN_QUEUE, {"mine": "1"})) != [own.pk]


def test_the_change_page_shows_the_diff_both_records_the_lifecycle_and_events(catalog, approver_admin):
    change = propose(description="Sharper.", nsfw=True, tags=["demo", "photo"])
    page = approver_admin.get(f"{ADMIN_QUEUE}{change.pk}/change/")
    diff = section(page, "field-diff")
    assert (
        "description Demo Realism: a demonstration record written for HMR's quick start. → Sharper." in diff
    )
    assert "nsfw critical false → true" in diff
    assert 'tags ["demo"] → ["demo", "photo"]' in diff
    html = body(page)
    critical_row = html[html.rindex("<tr", 0, html.index(">nsfw ")) : html.index(">nsfw ")]
    assert "hmr-critical-row" in critical_row
    description_row = html[html.rindex("<tr", 0, html.index(">description<")) : html.index(">description<")]
    assert "hmr-critical-row" not in description_row
    assert 'id="critical-flag"' in html
    assert '"description": "Sharper."' in section(page, "proposed-json")
    assert '"nsfw": false' in section(page, "live-json")
    lifecycle = section(page, "lifecycle")
    assert lifecycle == "requested 2026-01-02 03:04:05 by Requester#1001 via api-v2"
    assert section(page, "change-events").endswith(
        f"enqueue change #{change.pk} Requester#1001 api-v2 operation: update, category: image_generation, "
        "model: Demo Realism"
    )


def test_a_change_without_critical_fields_is_not_flagged(catalog, approver_admin):
    change = propose(description="Words only.")
    page = approver_admin.get(f"{ADMIN_QUEUE}{change.pk}/change/")
    assert 'id="critical-flag"' not in body(page)
    assert "critical" not in section(page, "field-diff")


def test_a_delete_proposal_shows_every_field_removed(catalog, approver_admin):
    change = services.change_enqueue(
        proposal=services.Proposal(Category.BLIP, "delete", "DEMO_BLIP"), actor=BY_REQUESTOR
    )
    page = approver_admin.get(f"{ADMIN_QUEUE}{change.pk}/change/")
    assert "(deleted, " in text(body(page))
    assert "name DEMO_BLIP → removed" in section(page, "field-diff")
    assert "Snapshot to delete (v2)" in text(body(page))


def test_the_queue_is_read_only(catalog, approver_admin):
    change = propose(description="x")
    assert approver_admin.get(f"{ADMIN_QUEUE}add/").status_code == 403
    assert approver_admin.post(f"{ADMIN_QUEUE}{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert approver_admin.post(f"{ADMIN_QUEUE}{change.pk}/change/", {"status": "applied"}).status_code == 403
    assert PendingChange.objects.get().status == "pending"


def test_the_list_takes_a_fixed_number_of_queries(catalog, approver_admin, django_assert_max_num_queries):
    for name in ("Demo Realism", "Demo Painter", "Demo Anime XL", "Demo Inpaint"):
        propose(name, description=f"{name}, edited.")
    with django_assert_max_num_queries(20) as few:
        approver_admin.get(ADMIN_QUEUE)
    for _ in range(6):
        propose("Demo Painter", description="Again.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        approver_admin.get(ADMIN_QUEUE)
    assert record("Demo Painter").version == 1
