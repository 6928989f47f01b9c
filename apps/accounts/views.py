"""The admin's "Sign in with AI-Horde API key" form (posted from templates/admin/login.html)."""

from __future__ import annotations

import logging

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from apps.accounts.errors import AuthServiceUnavailable, InvalidApiKey, RoleRequired
from apps.accounts.middleware import SESSION_HORDE_USER_ID
from apps.accounts.services import MAX_KEY_LENGTH, SignInRefused, admin_user_sign_in, horde_user_resolve
from apps.accounts.throttles import AdminSignInThrottle

logger = logging.getLogger(__name__)
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


@sensitive_post_parameters("apikey")
@csrf_protect
@never_cache
def admin_key_sign_in(request):
    """Resolve the key, map the AI-Horde user to their admin account, sign them in.

    Refusals re-render the admin login page with a message and the matching status: 400 (no
    key), 401 (unknown key), 403 (no role, disabled account), 429 (too many attempts from this
    address, HMR_THROTTLE_ADMIN_SIGNIN_RATE), 503 (AI-Horde unreachable).
    """
    if request.method != "POST":
        return redirect("admin:login")
    next_url = _safe_next(request, request.POST.get(REDIRECT_FIELD_NAME, ""))
    throttle = AdminSignInThrottle()
    if not throttle.allow_request(request, None):
        wait = int(throttle.wait() or 1) + 1
        return _refused(request, next_url, f"Too many sign-in attempts; try again in {wait} seconds.", 429)
    apikey = request.POST.get("apikey", "").strip()
    if not apikey or len(apikey) > MAX_KEY_LENGTH:
        return _refused(request, next_url, "Enter your AI-Horde API key.", 400)
    try:
        horde_user = horde_user_resolve(apikey=apikey)
        user = admin_user_sign_in(horde_user=horde_user)
    except InvalidApiKey:
        return _refused(request, next_url, "AI-Horde does not recognise this API key.", 401)
    except AuthServiceUnavailable as exc:
        return _refused(request, next_url, f"AI-Horde could not be reached ({exc.message}); try again.", 503)
    except RoleRequired:
        message = f"{horde_user.username} holds no role here; ask an administrator for the requestor role."
        return _refused(request, next_url, message, 403)
    except SignInRefused as exc:
        return _refused(request, next_url, exc.message, 403)
    login(request, user, backend=PASSWORD_BACKEND)
    request.session[SESSION_HORDE_USER_ID] = horde_user.user_id
    logger.info("AI-Horde user %s signed in to the admin", horde_user.user_id)
    return redirect(next_url)


def _safe_next(request, candidate: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if candidate and allowed else reverse("admin:index")


def _refused(request, next_url: str, message: str, status: int) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": reverse("admin:login"),
        "username": request.user.get_username(),
        "form": AdminAuthenticationForm(request),
        REDIRECT_FIELD_NAME: next_url,
        "horde_error": message,
    }
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/login.html", context, status=status)
