"""Role grants: granted and revoked in the admin, seeded once from the environment.

Grants are not written to `audit.AuditEvent` (that trail is for records and the queue, replayed
per category); a grant carries who granted it and when, and the admin's history (`LogEntry`)
records every grant and revocation made there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from apps.accounts.models import RoleGrant, RoleSeed
from apps.core import clock
from apps.core.errors import Conflict

logger = logging.getLogger(__name__)
Role = RoleGrant.Role


def role_grant_create(*, horde_user_id: str, role: str, granted_by: str, note: str = "") -> RoleGrant:
    """Grant `role` to `horde_user_id`; effective from the user's next request.

    Raises Conflict (409) when the user already holds that grant.
    """
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(
                horde_user_id=horde_user_id,
                role=role,
                granted_by=granted_by,
                granted_at=clock.now(),
                note=note,
            )
    except IntegrityError:
        raise Conflict(f"AI-Horde user {horde_user_id} already holds the {role} role.") from None
    logger.info("Role %s granted to AI-Horde user %s by %s", role, horde_user_id, granted_by)
    return grant


def role_grant_note_update(*, grant: RoleGrant, note: str) -> RoleGrant:
    """Change a grant's note. A grant's user and role never change: revoke it and grant another."""
    grant.note = note
    grant.save(update_fields=["note"])
    return grant


def role_grant_revoke(*, grant: RoleGrant, revoked_by: str) -> None:
    """Remove a grant. The user loses the role at their next request (nothing caches roles)."""
    grant.delete()
    logger.info("Role %s revoked from AI-Horde user %s by %s", grant.role, grant.horde_user_id, revoked_by)


@dataclass(frozen=True)
class SeedReport:
    granted: list[tuple[str, str]]
    already_seeded: list[tuple[str, str]]


def role_grants_seed(*, requestor_ids: list[str], approver_ids: list[str]) -> SeedReport:
    """Grant the roles listed in HMR_REQUESTOR_IDS / HMR_APPROVER_IDS, each (id, role) pair once.

    Why not at `migrate` (a post_migrate handler): that would also seed every test database and
    every `flush`, hide a security-relevant write in a signal, and run before the operator can see
    it. Instead `manage.py bootstrap` (run at every start by `make run` and the container
    entrypoint) and `manage.py seed_roles` call this, and print what they granted.

    Idempotent. Never revokes, and never grants a pair again once seeded (`RoleSeed`): a grant
    revoked in the admin stays revoked across restarts even while the environment still lists it.
    A pair already granted in the admin is left as it is.
    """
    wanted = [(uid, Role.REQUESTOR, "HMR_REQUESTOR_IDS") for uid in requestor_ids]
    wanted += [(uid, Role.APPROVER, "HMR_APPROVER_IDS") for uid in approver_ids]
    now = clock.now()
    with transaction.atomic():
        seeded = set(RoleSeed.objects.values_list("horde_user_id", "role"))
        held = set(RoleGrant.objects.values_list("horde_user_id", "role"))
        fresh = [(uid, role, source) for uid, role, source in wanted if (uid, role) not in seeded]
        RoleGrant.objects.bulk_create(
            [RoleGrant(horde_user_id=u, role=r, granted_by=s, granted_at=now) for u, r, s in fresh],
            ignore_conflicts=True,
        )
        RoleSeed.objects.bulk_create(
            [RoleSeed(horde_user_id=u, role=r, seeded_at=now) for u, r, _ in fresh], ignore_conflicts=True
        )
    granted = [(u, r) for u, r, _ in fresh if (u, r) not in held]
    for uid, role in granted:
        logger.info("Role %s granted to AI-Horde user %s from the environment", role, uid)
    return SeedReport(granted=granted, already_seeded=[(u, r) for u, r, _ in wanted if (u, r) in seeded])
