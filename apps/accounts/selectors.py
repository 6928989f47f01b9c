"""Reads about roles. Always from the database, never cached: a grant changed in the admin counts
from the next request on, in every process."""

from __future__ import annotations

from apps.accounts.models import RoleGrant

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
