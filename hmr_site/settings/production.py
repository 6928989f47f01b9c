"""Production settings: secure cookies and HSTS on top of the environment-driven base."""

from hmr_site.settings.base import *  # noqa: F403
from hmr_site.settings.environment import boolean

SESSION_COOKIE_SECURE = boolean("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
