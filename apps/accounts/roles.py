"""Roles and the Django groups that give them admin permissions — the one table to extend.

An AI-Horde user who signs in to the admin joins the group of every role they hold (an approver
joins both groups, since approvers are requestors). The groups are managed by code: the data
migration `accounts.0002` creates them, and `services.role_groups_sync` (run by `manage.py
bootstrap` and `seed_roles`, and at every key sign-in) gives each group exactly the permissions
listed here. Permissions of models not migrated yet are skipped and added by the next sync.

To give a role more admin rights (the moderation app will): add `"app_label.codename"` entries
below. The next `bootstrap` applies them; add a migration to your app that calls
`role_groups_sync` if the groups must have them right after `migrate`.
"""

from __future__ import annotations

from apps.accounts.models import RoleGrant

Role = RoleGrant.Role

GROUP_NAMES: dict[str, str] = {
    Role.REQUESTOR: "Requestors",
    Role.APPROVER: "Approvers",
}

GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.REQUESTOR: (
        "catalog.view_modelrecord",
        "catalog.view_categorymetadata",
        "audit.view_auditevent",
        "moderation.view_pendingchange",
        "moderation.add_pendingchange",
        "moderation.propose_change",
        "moderation.view_reviewbatch",
        "analytics.view_usagesnapshot",
        "analytics.view_dashboard",
        # The text-model toolkit: groups to look at; the stores, which requestors may write.
        "textmodels.view_textmodelgroup",
        *(
            f"textmodels.{action}_{model}"
            for model in ("aliasentry", "family", "groupnameschema")
            for action in ("view", "add", "change", "delete")
        ),
        "verification.view_downloadtarget",
        "verification.view_downloadcheck",
    ),
    # Approvers are in "Requestors" as well; list only what approvers have on top.
    Role.APPROVER: (
        "accounts.view_rolegrant",
        "moderation.review_change",
        "moderation.apply_change",
        "verification.check_downloads",
    ),
}
