"""Rate limits on the Django cache (Redis in production), rates from HMR_THROTTLE_* settings.

- `HordeWriteThrottle` ("horde_write"): writes per AI-Horde user; the API's default throttle.
- `HordeLookupThrottle` ("horde_lookup"): AI-Horde key look-ups (cache misses) per client IP, so
  nobody can try keys through us; applied by the `apikey` authentication itself.
- `AdminSignInThrottle` ("admin_signin"): admin key sign-in attempts per client IP.

Client IPs come from REMOTE_ADDR, or X-Forwarded-For behind HMR_NUM_PROXIES proxies. When the
cache is down the throttles let requests through (django-redis ignores the outage).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.services import HordeUser


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self) -> str:
        # Read at each request, so a changed setting (and tests) need no re-import.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class HordeWriteThrottle(_ScopedThrottle):
    """Counts the writes (not GET/HEAD/OPTIONS) of callers a guard has identified; others pass.

    It reads `request.horde_user` (set by apps.api.permissions), never the lazy `request.user`,
    so an open POST with a stray key is not made to ask AI-Horde.
    """

    scope = "horde_write"

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "horde_user", None)
        if request.method in SAFE_METHODS or not isinstance(user, HordeUser):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.user_id}


class _PerClientThrottle(_ScopedThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class HordeLookupThrottle(_PerClientThrottle):
    scope = "horde_lookup"


class AdminSignInThrottle(_PerClientThrottle):
    scope = "admin_signin"
