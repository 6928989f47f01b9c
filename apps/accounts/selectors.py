"""Reads about roles. Always from the database, never cached: a grant changed in the admin counts
from the next request on, in every process."""

from __future__ import annotations

from apps.accounts.models import RoleGrant
from apps.audit.models import AuditEvent
from apps.audit.services import Actor

Role = RoleGrant.Role

# The grants that give a role: approvers are requestors.
GIVEN_BY: dict[str, tuple[str, ...]] = {
    Role.REQUESTOR: (Role.REQUESTOR, Role.APPROVER),
    Role.APPROVER: (Role.APPROVER,),
}


def role_names_for_user(*, horde_user_id: str) -> list[str]:
    """The roles `horde_user_id` holds, sorted (["approver", "requestor"] for an approver)."""
    granted = set(RoleGrant.objects.filter(horde_user_id=horde_user_id).values_list("role", flat=True))
    return sorted(role for role, givers in GIVEN_BY.items() if granted.intersection(givers))


def role_has_holders(*, role: str) -> bool:
    """False when nobody holds `role`: every check for it then fails closed, without asking AI-Horde."""
    return RoleGrant.objects.filter(role__in=GIVEN_BY[role]).exists()


def admin_user_actor(user) -> Actor:
    """Who an admin user acts as in the audit trail: their AI-Horde id when they signed in with a
    key, else `django:<pk>`."""
    account = getattr(user, "horde_account", None)
    actor_id = account.horde_user_id if account is not None else f"django:{user.pk}"
    return Actor(origin=AuditEvent.Origin.ADMIN, id=actor_id, name=user.get_username())
