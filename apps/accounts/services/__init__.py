"""The identity layer's services (see each module): `accounts.services.horde_user_resolve` and friends."""

from apps.accounts.services.admin_users import (
    SignInRefused,
    admin_user_roles_sync,
    admin_user_sign_in,
    role_groups_sync,
    superuser_ensure,
)
from apps.accounts.services.grants import (
    SeedReport,
    role_grant_create,
    role_grant_note_update,
    role_grant_revoke,
    role_grants_seed,
)
from apps.accounts.services.keys import MAX_KEY_LENGTH, HordeUser, horde_user_cache_key, horde_user_resolve

__all__ = [
    "MAX_KEY_LENGTH",
    "HordeUser",
    "SeedReport",
    "SignInRefused",
    "admin_user_roles_sync",
    "admin_user_sign_in",
    "horde_user_cache_key",
    "horde_user_resolve",
    "role_grant_create",
    "role_grant_note_update",
    "role_grant_revoke",
    "role_grants_seed",
    "role_groups_sync",
    "superuser_ensure",
]
