"""Settings for `make test`: PostgreSQL and Redis, as in production (never SQLite only).

DATABASE_URL and REDIS_URL may point elsewhere; the defaults are this machine's services. Each
pytest-xdist worker gets its own Redis database number so workers never see each other's keys.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{1 + int(_worker) % 15}")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from hmr_site.settings.base import *  # noqa: E402,F403
from hmr_site.settings.base import BASE_DIR, env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HMR_LEGACY_DATA_DIR = env.str(
    "HMR_LEGACY_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "legacy")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
from hmr_site.settings.base import MIDDLEWARE  # noqa: E402

# Tests never serve collected static files.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
