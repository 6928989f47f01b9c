"""Capability guards for every write and queue endpoint, with upstream's statuses and messages.

They live here, not in apps/accounts, because they are the API's wire contract: the order of the
checks and the 401/403/503 answers are upstream's (docs/upstream-behaviour.md §5, §6, §11). What a
role *is* stays in `accounts.selectors`; how a key is resolved in `accounts.services`.

Put identity first, then the gates, as upstream checks them:

    permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("v2")]

Writes of a caller a guard identified are throttled per AI-Horde user by `HordeWriteThrottle`, the
default throttle (keep it when setting `throttle_classes`).

- no `apikey` header → 401 "Not authenticated" (+ `WWW-Authenticate: APIKey`);
- nobody holds the role at all → 401 "Invalid API key", without asking AI-Horde (fail closed);
- a key AI-Horde refuses → 401 "Invalid API key"; AI-Horde down → 503 "Auth service …";
- a valid key without the role → 403 "You are not on the pending queue requestor|approver list.";
- REPLICA → 503; writes through the API version that is not canonical → 503.

Roles are read from the database at every request (no restart, no stale cache). The guards
raise; they never return False, so DRF's own 403 message never shows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.authentication import apikey_from
from apps.accounts.errors import InvalidApiKey, RoleRequired
from apps.accounts.models import RoleGrant
from apps.accounts.selectors import role_has_holders, role_names_for_user
from apps.accounts.services import HordeUser
from apps.core.errors import Unavailable

REPLICA_MESSAGE = (
    "This instance is in REPLICA mode and does not support write operations. "
    "Only PRIMARY instances can modify data."
)


def request_horde_user(request) -> HordeUser:
    """The caller's AI-Horde user; asks AI-Horde (or the cache) the first time in a request.

    Raises NotAuthenticated (no key), InvalidApiKey, AuthServiceUnavailable or Throttled.
    """
    if apikey_from(request) is None:
        raise exceptions.NotAuthenticated()
    user = request.user
    if not isinstance(user, HordeUser):  # evaluates the lazy user: this is where AI-Horde is asked
        raise ImproperlyConfigured("The view needs accounts.authentication.HordeApiKeyAuthentication.")
    request.horde_user = user  # what HordeWriteThrottle counts against
    return user


class IsReader(BasePermission):
    """Any key that resolves to an AI-Horde user."""

    def has_permission(self, request, view) -> bool:
        request_horde_user(request)
        return True


class _HasRole(BasePermission):
    role: str

    def has_permission(self, request, view) -> bool:
        if apikey_from(request) is None:
            raise exceptions.NotAuthenticated()
        if not role_has_holders(role=self.role):
            raise InvalidApiKey()
        user = request_horde_user(request)
        if self.role not in role_names_for_user(horde_user_id=user.user_id):
            raise RoleRequired(self.role)
        return True


class IsRequestor(_HasRole):
    """A requestor or an approver (approvers are requestors)."""

    role = RoleGrant.Role.REQUESTOR


class IsApprover(_HasRole):
    role = RoleGrant.Role.APPROVER


class PrimaryOnly(BasePermission):
    """503 on a REPLICA: it serves reads only."""

    def has_permission(self, request, view) -> bool:
        if settings.HMR_REPLICATE_MODE != "PRIMARY":
            raise Unavailable(REPLICA_MESSAGE)
        return True


class CanonicalWrites(BasePermission):
    """503 when `version` ("v2" or "legacy") is not the deployment's HMR_CANONICAL_FORMAT.

    Used as an instance: `CanonicalWrites("v2")` (DRF instantiates permission classes by calling
    them, so an instance returns itself).
    """

    def __init__(self, version: str) -> None:
        if version not in ("v2", "legacy"):
            raise ValueError(f"CanonicalWrites: unknown API version {version!r}")
        self.version = version

    def __call__(self) -> CanonicalWrites:
        return self

    def has_permission(self, request, view) -> bool:
        if self.version != settings.HMR_CANONICAL_FORMAT:
            raise Unavailable(
                "This deployment does not expose write operations for this API. "
                f"Expected canonical_format='{self.version}', got '{settings.HMR_CANONICAL_FORMAT}'."
            )
        return True


class GuardedWritesMixin:
    """For a view whose reads are open and whose writes are guarded on the same URL (GET and POST
    `/{category}`): `permission_classes` apply to GET/HEAD/OPTIONS, `write_permission_classes` to
    the other methods."""

    write_permission_classes: list = []

    def get_permissions(self):
        method = self.request.method
        if method in SAFE_METHODS:
            return super().get_permissions()
        if method.lower() not in self.http_method_names or not hasattr(self, method.lower()):
            return []  # not a method of this route: 405 with `Allow`, whoever asks
        return [permission() for permission in self.write_permission_classes]
