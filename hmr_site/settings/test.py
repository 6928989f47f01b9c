"""Settings for `make test`: PostgreSQL and Redis, as in production (never SQLite only).

DATABASE_URL and REDIS_URL may point elsewhere; the defaults are this machine's services. Each
pytest-xdist worker gets its own Redis database number (HMR_TEST_REDIS_DB_BASE + worker index)
so workers never see each other's keys.
"""

import os

from hmr_site.settings.environment import env

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr")
_worker = int(env.str("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw") or "0")
_redis_db = env.int("HMR_TEST_REDIS_DB_BASE", default=1) + _worker
# The xdist workers inherit the environment of the controller, which imported these settings
# first: a REDIS_URL defaulted there (marked) is recomputed per worker, or they would all share
# one database and flush each other's keys.
if "REDIS_URL" not in os.environ or os.environ.get("HMR_TEST_REDIS_URL_DEFAULTED") == "1":
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{_redis_db % 16}"
    os.environ["HMR_TEST_REDIS_URL_DEFAULTED"] = "1"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Exports queued by committed test transactions land under var/ (ignored by git), one dir per worker.
_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("HMR_EXPORT_DIR", os.path.join(_root, "var", f"test-export-gw{_worker}"))

from hmr_site.settings.base import *  # noqa: E402,F403
from hmr_site.settings.base import BASE_DIR, MIDDLEWARE  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in the test process unless a test starts a real worker (tests/sync/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# No background threads building document pieces behind a test's back (tests/catalog/test_assembly.py
# turns it on where it waits for them).
HMR_DOCUMENT_PIECES_WARM = False
# No pause between GitHub write calls against the fake GitHub.
HMR_GITHUB_WRITE_INTERVAL_SECONDS = 0
# No pause between retries against the fake AI-Horde.
HMR_AI_HORDE_RETRY_BASE_SECONDS = 0
HMR_AI_HORDE_RETRY_MAX_SECONDS = 0
# The broker of the end-to-end worker test: a Redis database of its own (make test uses 1..3).
HMR_TEST_CELERY_BROKER_URL = env.str("HMR_TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
HMR_LEGACY_DATA_DIR = env.str(
    "HMR_LEGACY_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "legacy")
)
# Earlier real states of the legacy repos (tests/catalog/fidelity/), read in place.
HMR_LEGACY_HISTORY_DIR = env.str(
    "HMR_LEGACY_HISTORY_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "legacy-history")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never serve collected static files.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# Download checks against the fake file hosts (tests/fake_files.py): short timeouts, no pause
# between retries or between requests to one host (the tests that measure them set their own).
HMR_VERIFY_CONNECT_TIMEOUT_SECONDS = 1
HMR_VERIFY_READ_TIMEOUT_SECONDS = 1
HMR_VERIFY_RETRY_BACKOFF_SECONDS = 0
HMR_VERIFY_HOST_RATE = "1000/second"
