"""The `apikey` header, for DRF: `request.user` is the key's `HordeUser`, resolved lazily.

This is the default authentication of every API view. It does not ask AI-Horde when the request
arrives, only when something reads `request.user`'s attributes — the guards of
`apps/api/permissions.py` do, after their own checks. So open reads never call AI-Horde (and an
invalid key on them is ignored, as upstream), and a role check that fails closed refuses without
calling it. Without the header `request.user` is None (UNAUTHENTICATED_USER).

Resolving may raise InvalidApiKey (401), AuthServiceUnavailable (503) or Throttled (429: too many
uncached look-ups from one client); apps/api/errors.py renders them.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.accounts.services import horde_user_resolve
from apps.accounts.throttles import HordeLookupThrottle

HEADER = "HTTP_APIKEY"


def apikey_from(request) -> str | None:
    """The `apikey` header's value, or None when it is absent or blank."""
    value = request.META.get(HEADER, "").strip()
    return value or None


class HordeApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        apikey = apikey_from(request)
        if apikey is None:
            return None

        def check_lookup_rate() -> None:
            throttle = HordeLookupThrottle()
            if not throttle.allow_request(request, None):
                raise exceptions.Throttled(throttle.wait())

        return SimpleLazyObject(
            lambda: horde_user_resolve(apikey=apikey, before_lookup=check_lookup_rate)
        ), None

    def authenticate_header(self, request) -> str:
        return "APIKey"
