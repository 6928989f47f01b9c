"""The Django users AI-Horde users sign in to the admin as, and the role groups they belong to.

A Horde-mapped user has no usable password, `is_staff` while they hold a role, and exactly the
groups of their roles (`apps.accounts.roles`). `admin_user_roles_sync` runs on each of their
admin requests (middleware), so a revoked or changed grant counts at the next request.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.db import transaction

from apps.accounts.errors import RoleRequired
from apps.accounts.models import HordeAccount
from apps.accounts.roles import GROUP_NAMES, GROUP_PERMISSIONS, Role
from apps.accounts.selectors import role_names_for_user
from apps.accounts.services.keys import HordeUser
from apps.core import clock
from apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)


def role_groups_sync(*, group_model=Group, permission_model=Permission) -> dict[str, list[str]]:
    """Create the role groups and give each exactly the permissions `roles.GROUP_PERMISSIONS` lists.

    Idempotent; the model arguments let a data migration pass its historical models. Permissions
    of models that do not exist yet are skipped (returned per group, for the caller to report).
    """
    missing: dict[str, list[str]] = {}
    for role, group_name in GROUP_NAMES.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        wanted = GROUP_PERMISSIONS[role]
        found = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                missing.setdefault(group_name, []).append(dotted)
            else:
                found.append(permission)
        group.permissions.set(found)
    return missing


class SignInRefused(ApplicationError):
    """The key is valid but may not sign in to the admin (no role, disabled or clashing account)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=403)


@transaction.atomic
def admin_user_sign_in(*, horde_user: HordeUser) -> AbstractUser:
    """The Django user for `horde_user`, created at the first sign-in, with the groups of their roles.

    The username follows the AI-Horde username ("Name#1234"); the AI-Horde user id is the stable
    link (`HordeAccount`). Raises RoleRequired (no role), SignInRefused (the account was disabled
    in the admin, or a local account already uses that username).
    """
    roles = role_names_for_user(horde_user_id=horde_user.user_id)
    if not roles:
        raise RoleRequired(Role.REQUESTOR)
    users = get_user_model()
    account = (
        HordeAccount.objects.select_for_update()
        .select_related("user")
        .filter(horde_user_id=horde_user.user_id)
    ).first()
    if account is None:
        if users.objects.filter(username=horde_user.username).exists():
            raise SignInRefused(
                f"{horde_user.username!r} is a local account already; ask an administrator to rename it."
            )
        user = users(username=horde_user.username, is_staff=True)
        user.set_unusable_password()
        user.save()
        account = HordeAccount.objects.create(user=user, horde_user_id=horde_user.user_id)
        logger.info("Admin account created for AI-Horde user %s", horde_user.user_id)
    user = account.user
    if not user.is_active:
        raise SignInRefused("This account has been disabled by an administrator.")
    if (
        user.username != horde_user.username
        and not users.objects.filter(username=horde_user.username).exists()
    ):
        user.username = horde_user.username  # renamed on AI-Horde
        user.save(update_fields=["username"])
    account.last_sign_in_at = clock.now()
    account.save(update_fields=["last_sign_in_at"])
    role_groups_sync()
    admin_user_roles_sync(user=user, roles=roles)
    return user


def admin_user_roles_sync(*, user: AbstractUser, roles: list[str]) -> None:
    """Make a Horde-mapped user's groups and staff flag match `roles`; writes only what changed.

    No roles: no groups and no staff flag, so even a session this middleware never sees again has
    no admin access.
    """
    wanted = {GROUP_NAMES[role] for role in roles}
    current = set(user.groups.values_list("name", flat=True))
    if current != wanted:
        user.groups.set(Group.objects.filter(name__in=wanted))
    if user.is_staff != bool(roles):
        user.is_staff = bool(roles)
        user.save(update_fields=["is_staff"])


def superuser_ensure(*, username: str, password: str) -> bool:
    """Create a password superuser named `username` unless any superuser exists; True if created."""
    users = get_user_model()
    with transaction.atomic():
        if users.objects.filter(is_superuser=True).exists():
            return False
        users.objects.create_superuser(username=username, email="", password=password)
    logger.info("Superuser %s created", username)
    return True
