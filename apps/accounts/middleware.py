"""Re-checks the roles of a user signed in with an AI-Horde key, at every request.

A revoked grant therefore counts at the user's next request: with no role left they are signed
out (and lose their groups and staff flag); with fewer or more roles their groups follow. Users
who signed in with a password are not touched. Costs two small queries, for Horde sessions only.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import logout

from apps.accounts.selectors import role_names_for_user
from apps.accounts.services import admin_user_roles_sync

logger = logging.getLogger(__name__)

# The session holds the AI-Horde user id of a key sign-in; never the key.
SESSION_HORDE_USER_ID = "accounts_horde_user_id"


class HordeRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        horde_user_id = request.session.get(SESSION_HORDE_USER_ID)
        if horde_user_id and request.user.is_authenticated:
            roles = role_names_for_user(horde_user_id=horde_user_id)
            admin_user_roles_sync(user=request.user, roles=roles)
            if not roles:
                logger.info("AI-Horde user %s signed out: no role left", horde_user_id)
                logout(request)
                messages.warning(request, "Your role on this service was revoked; you have been signed out.")
        return self.get_response(request)
