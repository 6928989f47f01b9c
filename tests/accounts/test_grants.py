"""Role grants: approvers are requestors, grants seeded once from the environment, never revoked by it."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from apps.accounts.models import RoleGrant
from apps.accounts.selectors import role_has_holders, role_names_for_user
from apps.accounts.services import role_grant_create, role_grant_revoke, role_grants_seed
from apps.catalog.sources import DEMO_DIR
from apps.core.errors import Conflict

pytestmark = pytest.mark.django_db


def seed_roles(settings, requestors, approvers) -> str:
    settings.HMR_REQUESTOR_IDS, settings.HMR_APPROVER_IDS = requestors, approvers
    out = StringIO()
    call_command("seed_roles", stdout=out)
    return out.getvalue()


def held() -> set[tuple[str, str, str]]:
    return set(RoleGrant.objects.values_list("horde_user_id", "role", "granted_by"))


def test_approvers_are_requestors_and_roles_come_sorted(grants):
    assert role_names_for_user(horde_user_id="2002") == ["approver", "requestor"]
    assert role_names_for_user(horde_user_id="1001") == ["requestor"]
    assert role_names_for_user(horde_user_id="3003") == []
    role_grant_create(horde_user_id="2002", role="requestor", granted_by="test")
    assert role_names_for_user(horde_user_id="2002") == ["approver", "requestor"]


def test_with_no_grants_nobody_holds_any_role():
    assert not role_has_holders(role="requestor") and not role_has_holders(role="approver")
    role_grant_create(horde_user_id="2002", role="approver", granted_by="test")
    assert role_has_holders(role="requestor") and role_has_holders(role="approver")
    RoleGrant.objects.all().delete()
    role_grant_create(horde_user_id="1001", role="requestor", granted_by="test")
    assert role_has_holders(role="requestor") and not role_has_holders(role="approver")


def test_granting_twice_is_a_conflict(grants):
    with pytest.raises(Conflict, match=r"AI-Horde user 1001 already holds the requestor role\."):
        role_grant_create(horde_user_id="1001", role="requestor", granted_by="someone")


def test_seed_roles_grants_the_listed_ids_with_where_they_came_from(settings, frozen_clock):
    output = seed_roles(settings, ["1001", "1002"], ["2002"])
    assert held() == {
        ("1001", "requestor", "HMR_REQUESTOR_IDS"),
        ("1002", "requestor", "HMR_REQUESTOR_IDS"),
        ("2002", "approver", "HMR_APPROVER_IDS"),
    }
    assert set(RoleGrant.objects.values_list("granted_at", flat=True)) == {frozen_clock}
    assert "Granted requestor to AI-Horde user 1001." in output
    assert "Granted approver to AI-Horde user 2002." in output
    assert "3 listed grant(s) were seeded before" in seed_roles(settings, ["1001", "1002"], ["2002"])
    assert RoleGrant.objects.count() == 3


def test_seeding_never_revokes_and_never_regrants_what_the_admin_revoked(settings):
    seed_roles(settings, ["1001"], ["2002"])
    role_grant_create(horde_user_id="4004", role="approver", granted_by="root")
    role_grant_revoke(grant=RoleGrant.objects.get(horde_user_id="1001"), revoked_by="root")
    output = seed_roles(settings, ["1001"], [])  # 2002 no longer listed, 1001 still listed
    assert held() == {("2002", "approver", "HMR_APPROVER_IDS"), ("4004", "approver", "root")}
    assert "Granted" not in output
    assert "Granted requestor to AI-Horde user 5005." in seed_roles(settings, ["1001", "5005"], [])


def test_a_grant_made_in_the_admin_before_seeding_is_left_as_it_is(settings):
    role_grant_create(horde_user_id="1001", role="requestor", granted_by="root", note="from Discord")
    report = role_grants_seed(requestor_ids=["1001"], approver_ids=[])
    assert report.granted == []
    assert RoleGrant.objects.get().note == "from Discord"


def test_seed_roles_says_so_when_nothing_is_listed(settings):
    assert "HMR_REQUESTOR_IDS and HMR_APPROVER_IDS are empty; grant roles in the admin." in seed_roles(
        settings, [], []
    )


def test_the_role_groups_have_the_permissions_of_the_table(settings):
    Group.objects.all().delete()  # seed_roles (and bootstrap) recreate them
    seed_roles(settings, [], [])

    def perms(name):
        return sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()
        )

    assert perms("Requestors") == [
        "analytics.view_dashboard",
        "analytics.view_usagesnapshot",
        "audit.view_auditevent",
        "catalog.view_categorymetadata",
        "catalog.view_modelrecord",
        "moderation.add_pendingchange",
        "moderation.propose_change",
        "moderation.view_pendingchange",
        "moderation.view_reviewbatch",
        "textmodels.add_aliasentry",
        "textmodels.add_family",
        "textmodels.add_groupnameschema",
        "textmodels.change_aliasentry",
        "textmodels.change_family",
        "textmodels.change_groupnameschema",
        "textmodels.delete_aliasentry",
        "textmodels.delete_family",
        "textmodels.delete_groupnameschema",
        "textmodels.view_aliasentry",
        "textmodels.view_family",
        "textmodels.view_groupnameschema",
        "textmodels.view_textmodelgroup",
        "verification.view_downloadcheck",
        "verification.view_downloadtarget",
    ]
    assert perms("Approvers") == [
        "accounts.view_rolegrant",
        "moderation.apply_change",
        "moderation.review_change",
        "verification.check_downloads",
    ]


def test_bootstrap_seeds_the_roles(settings):
    settings.HMR_SEED_DIR = str(DEMO_DIR)  # the smallest catalog; bootstrap's loading is tested in tests/core
    settings.HMR_REQUESTOR_IDS, settings.HMR_APPROVER_IDS = ["1001"], ["2002"]
    out = StringIO()
    call_command("bootstrap", stdout=out)
    assert "Granted approver to AI-Horde user 2002." in out.getvalue()
    assert role_names_for_user(horde_user_id="2002") == ["approver", "requestor"]
