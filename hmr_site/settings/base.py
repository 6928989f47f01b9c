"""Settings shared by every environment, read from the environment with django-environ.

Every variable is documented in README.md with its default. Invalid values stop the process at
start with `ImproperlyConfigured` and a message that names the variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from hmr_site.settings.environment import (
    boolean,
    choice,
    env,
    http_url,
    networks,
    positive_float,
    positive_int,
    throttle_rate,
    time_of_day,
    user_ids,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = boolean("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_celery_beat",
    "apps.core",
    "apps.catalog",
    "apps.audit",
    "apps.api",
    "apps.accounts",
    "apps.analytics",
    "apps.sync",
    "apps.textmodels",
    "apps.moderation",
    "apps.verification",
    "apps.site",
    "hmr_site",  # the top: commands that wire the apps together
]

MIDDLEWARE = [
    "apps.api.hot.HotResponseStore",  # outermost: it keeps final responses for the WSGI hot path
    "apps.api.errors.RefuseNulMiddleware",  # 422 for a NUL character PostgreSQL cannot take
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.HordeRoleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hmr_site.urls"
WSGI_APPLICATION = "hmr_site.wsgi.application"
ASGI_APPLICATION = "hmr_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database and cache -------------------------------------------------------------------------
if not env.str("DATABASE_URL", default=""):
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the embedded default: a SQLite file under var/
try:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'hmr.sqlite3'}")}
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if not (_engine := DATABASES["default"].get("ENGINE", "")).startswith("django.db.backends."):
    raise ImproperlyConfigured(
        "DATABASE_URL is not a valid database URL: use postgres://, sqlite:/// or mysql:// "
        f"(engine {_engine!r} is unknown)"
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", positive_int("DATABASE_CONN_MAX_AGE", 60, allow_zero=True))
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
_cache_url = env.str("CACHE_URL", default="") or REDIS_URL
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hmr"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                # A Redis outage slows reads down (database fallback); it never turns them into 500s.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    # The document cache handles Redis trouble itself (backs off, reads the database instead).
    CACHES["documents"] = {
        **CACHES["default"],
        "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
elif _cache_url:
    try:
        CACHES = {"default": env.cache_url_config(_cache_url)}
    except Exception as exc:  # django-environ raises several types for a bad scheme
        raise ImproperlyConfigured(f"CACHE_URL is not a valid cache URL: {exc}") from exc
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hmr"}}
CACHES.setdefault("documents", CACHES["default"])

# --- Auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST framework and OpenAPI -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # The `apikey` header is resolved lazily (only when a guard asks), so open reads never call AI-Horde.
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.HordeApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["apps.accounts.throttles.HordeWriteThrottle"],
    "NUM_PROXIES": positive_int("HMR_NUM_PROXIES", 0, allow_zero=True),
    "DEFAULT_THROTTLE_RATES": {
        "horde_write": throttle_rate("HMR_THROTTLE_WRITE_RATE", "60/minute"),
        "horde_lookup": throttle_rate("HMR_THROTTLE_KEY_LOOKUP_RATE", "30/minute"),
        "admin_signin": throttle_rate("HMR_THROTTLE_ADMIN_SIGNIN_RATE", "10/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.HmrSchema",
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.api.negotiation.JsonOnlyNegotiation",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Horde Model Reference (HMR)",
    "DESCRIPTION": "The moderated registry of AI model metadata for the AI-Horde.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Reads are public; browsers on the listed origins may call the API ("*" allows any origin).
_cors_origins = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-encoding",
    "apikey",
    "content-type",
    "if-modified-since",
    "if-none-match",
    "origin",
    "user-agent",
)
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "X-Snapshot-As-Of", "X-Snapshot-Stale")

# --- HMR ----------------------------------------------------------------------------------------
HMR_REPLICATE_MODE = choice("HMR_REPLICATE_MODE", "PRIMARY", ("PRIMARY", "REPLICA"))
HMR_CANONICAL_FORMAT = choice("HMR_CANONICAL_FORMAT", "v2", ("v2", "legacy"))
HMR_SEED_DIR = env.str("HMR_SEED_DIR", default="")
HMR_EXPORT_DIR = Path(env.str("HMR_EXPORT_DIR", default=str(BASE_DIR / "var" / "export")))
HMR_GITHUB_RAW_BASE = env.str("HMR_GITHUB_RAW_BASE", default="https://raw.githubusercontent.com/")
HMR_IMAGE_REPO = env.str("HMR_IMAGE_REPO", default="Haidra-Org/AI-Horde-image-model-reference")
HMR_IMAGE_BRANCH = env.str("HMR_IMAGE_BRANCH", default="main")
HMR_TEXT_REPO = env.str("HMR_TEXT_REPO", default="Haidra-Org/AI-Horde-text-model-reference")
HMR_TEXT_BRANCH = env.str("HMR_TEXT_BRANCH", default="main")
HMR_HTTP_TIMEOUT_SECONDS = positive_int("HMR_HTTP_TIMEOUT_SECONDS", 20)
# A process that takes a document from Redis builds its per-record pieces in a background thread,
# so its next change costs what it changed (catalog/assembly.py). Off in tests (no stray threads).
HMR_DOCUMENT_PIECES_WARM = boolean("HMR_DOCUMENT_PIECES_WARM", True)
HMR_DOCUMENT_CACHE_CONTROL = env.str(
    "HMR_DOCUMENT_CACHE_CONTROL", default="public, max-age=0, must-revalidate"
)
HMR_ADMIN_USERNAME = env.str("HMR_ADMIN_USERNAME", default="admin")
HMR_ADMIN_PASSWORD = env.str("HMR_ADMIN_PASSWORD", default="")

# --- Identity (apps/horde, apps/accounts) ---------------------------------------------------------
HMR_AI_HORDE_URL = http_url("HMR_AI_HORDE_URL", "https://aihorde.net/api/")
HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS = positive_float("HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS", 5)
HMR_AI_HORDE_READ_TIMEOUT_SECONDS = positive_float("HMR_AI_HORDE_READ_TIMEOUT_SECONDS", 10)
# Key look-ups running at once per process, and how long another one waits for a running look-up
# before AI-Horde counts as slow (503 "Auth service timed out" at once): apps/accounts/services/keys.py.
HMR_AI_HORDE_LOOKUPS_PER_PROCESS = positive_int("HMR_AI_HORDE_LOOKUPS_PER_PROCESS", 1)
HMR_AI_HORDE_LOOKUP_WAIT_SECONDS = positive_float("HMR_AI_HORDE_LOOKUP_WAIT_SECONDS", 0.5, allow_zero=True)
HMR_AUTH_CACHE_SECONDS = positive_int("HMR_AUTH_CACHE_SECONDS", 60)
HMR_AUTH_NEGATIVE_CACHE_SECONDS = positive_int("HMR_AUTH_NEGATIVE_CACHE_SECONDS", 10)
# Seeds for accounts.RoleGrant (`manage.py bootstrap` / `seed_roles`); the database is the truth.
HMR_REQUESTOR_IDS = user_ids("HMR_REQUESTOR_IDS")
HMR_APPROVER_IDS = user_ids("HMR_APPROVER_IDS")
# --- Background work: exports, GitHub sync, replica pull (apps/sync) --------------------------
HMR_SYNC_INTERVAL_MINUTES = positive_int("HMR_SYNC_INTERVAL_MINUTES", 30)
HMR_REPLICA_PULL_INTERVAL_MINUTES = positive_int("HMR_REPLICA_PULL_INTERVAL_MINUTES", 5)
HMR_RUN_HISTORY_DAYS = positive_int("HMR_RUN_HISTORY_DAYS", 90)
HMR_PRIMARY_API_URL = env.str("HMR_PRIMARY_API_URL", default="https://models.aihorde.net/api").rstrip("/")
HMR_PRIMARY_API_TIMEOUT_SECONDS = positive_int("HMR_PRIMARY_API_TIMEOUT_SECONDS", 10)
HMR_REPLICA_GITHUB_FALLBACK = boolean("HMR_REPLICA_GITHUB_FALLBACK", True)
HMR_GITHUB_API_URL = env.str("HMR_GITHUB_API_URL", default="https://api.github.com").rstrip("/")
HMR_GITHUB_TOKEN = env.str("HMR_GITHUB_TOKEN", default="")
HMR_GITHUB_APP_ID = env.str("HMR_GITHUB_APP_ID", default="")
HMR_GITHUB_APP_INSTALLATION_ID = env.str("HMR_GITHUB_APP_INSTALLATION_ID", default="")
# A key pasted into one line of an env file keeps its line breaks as "\n".
HMR_GITHUB_APP_PRIVATE_KEY = env.str("HMR_GITHUB_APP_PRIVATE_KEY", default="", multiline=True)
HMR_GITHUB_APP_PRIVATE_KEY_PATH = env.str("HMR_GITHUB_APP_PRIVATE_KEY_PATH", default="")
if HMR_GITHUB_APP_ID:
    if not HMR_GITHUB_APP_ID.isdigit():
        raise ImproperlyConfigured(f"HMR_GITHUB_APP_ID must be a number, got {HMR_GITHUB_APP_ID!r}.")
    if not HMR_GITHUB_APP_INSTALLATION_ID.isdigit():
        raise ImproperlyConfigured(
            "HMR_GITHUB_APP_INSTALLATION_ID must be a number when HMR_GITHUB_APP_ID is set."
        )
    if not HMR_GITHUB_APP_PRIVATE_KEY and not HMR_GITHUB_APP_PRIVATE_KEY_PATH:
        raise ImproperlyConfigured(
            "HMR_GITHUB_APP_PRIVATE_KEY or HMR_GITHUB_APP_PRIVATE_KEY_PATH is required "
            "when HMR_GITHUB_APP_ID is set."
        )
    if HMR_GITHUB_APP_PRIVATE_KEY_PATH and not Path(HMR_GITHUB_APP_PRIVATE_KEY_PATH).is_file():
        raise ImproperlyConfigured(
            f"HMR_GITHUB_APP_PRIVATE_KEY_PATH={HMR_GITHUB_APP_PRIVATE_KEY_PATH!r} is not a readable file."
        )
HMR_GITHUB_SYNC_BRANCH = env.str("HMR_GITHUB_SYNC_BRANCH", default="hmr/sync")
HMR_GITHUB_PR_LABELS = env.list("HMR_GITHUB_PR_LABELS", default=["automated", "sync"])
HMR_GITHUB_PR_REVIEWERS = env.list("HMR_GITHUB_PR_REVIEWERS", default=[])
HMR_GITHUB_PR_TEAM_REVIEWERS = env.list("HMR_GITHUB_PR_TEAM_REVIEWERS", default=[])
# GitHub asks integrations to pace write calls (secondary rate limits); reads are not paced.
HMR_GITHUB_WRITE_INTERVAL_SECONDS = positive_float("HMR_GITHUB_WRITE_INTERVAL_SECONDS", 1.0, allow_zero=True)
# Each GitHub call is retried this many times on 5xx and rate limits (exponential backoff from
# HMR_GITHUB_RETRY_BACKOFF_SECONDS); a rate limit asking to wait longer than
# HMR_GITHUB_RETRY_WAIT_MAX_SECONDS (Retry-After, secondary or primary limit reset) fails the call
# at once, and the sync task retries later.
HMR_GITHUB_RETRIES = positive_int("HMR_GITHUB_RETRIES", 3, allow_zero=True)
HMR_GITHUB_RETRY_BACKOFF_SECONDS = positive_float("HMR_GITHUB_RETRY_BACKOFF_SECONDS", 1, allow_zero=True)
HMR_GITHUB_RETRY_WAIT_MAX_SECONDS = positive_float("HMR_GITHUB_RETRY_WAIT_MAX_SECONDS", 60, allow_zero=True)

# --- Curation analytics: AI-Horde usage, statistics, deletion risk, two approvals (apps/analytics) -
# The AI-Horde usage calls run only in the background refresh; requests read its snapshot.
HMR_USAGE_REFRESH_MINUTES = positive_int("HMR_USAGE_REFRESH_MINUTES", 10)
HMR_USAGE_STALE_MINUTES = positive_int("HMR_USAGE_STALE_MINUTES", 3 * HMR_USAGE_REFRESH_MINUTES)
HMR_USAGE_HISTORY_DAYS = positive_int("HMR_USAGE_HISTORY_DAYS", 90)
# "all" (not upstream's "known"): names AI-Horde itself does not know are the news moderators want.
HMR_AI_HORDE_MODEL_STATE = choice("HMR_AI_HORDE_MODEL_STATE", "all", ("known", "custom", "all"))
HMR_AI_HORDE_USAGE_READ_TIMEOUT_SECONDS = positive_float("HMR_AI_HORDE_USAGE_READ_TIMEOUT_SECONDS", 30)
HMR_AI_HORDE_ATTEMPTS = positive_int("HMR_AI_HORDE_ATTEMPTS", 3)
HMR_AI_HORDE_RETRY_BASE_SECONDS = positive_float("HMR_AI_HORDE_RETRY_BASE_SECONDS", 1, allow_zero=True)
HMR_AI_HORDE_RETRY_MAX_SECONDS = positive_float("HMR_AI_HORDE_RETRY_MAX_SECONDS", 15, allow_zero=True)
HMR_AI_HORDE_BREAKER_FAILURES = positive_int("HMR_AI_HORDE_BREAKER_FAILURES", 5)
HMR_AI_HORDE_BREAKER_COOLDOWN_SECONDS = positive_int("HMR_AI_HORDE_BREAKER_COOLDOWN_SECONDS", 120)
HMR_PREFERRED_FILE_HOSTS = env.list("HMR_PREFERRED_FILE_HOSTS", cast=str.strip, default=["huggingface.co"])
HMR_LOW_USAGE_PERCENT_IMAGE = positive_float("HMR_LOW_USAGE_PERCENT_IMAGE", 0.0065)
HMR_LOW_USAGE_PERCENT_TEXT = positive_float("HMR_LOW_USAGE_PERCENT_TEXT", 0.02)
HMR_TEXT_IGNORE_DOWNLOAD_HOSTS = boolean("HMR_TEXT_IGNORE_DOWNLOAD_HOSTS", True)
# Changes to the N most used records (monthly usage) of a category need two approvers; 0: never.
HMR_PROTECTED_TOP_N = positive_int("HMR_PROTECTED_TOP_N", 10, allow_zero=True)

# --- Download checks (apps/verification) ---------------------------------------------------------
# Every download URL of a proposed change, on demand, and every record's nightly: HEAD (or a
# one-byte GET), never to a non-public address, limited per host across all workers.
HMR_VERIFY_USER_AGENT = env.str(
    "HMR_VERIFY_USER_AGENT",
    default="HMR-download-check/1.0 (Horde Model Reference; checks that model download links work)",
)
HMR_VERIFY_CONNECT_TIMEOUT_SECONDS = positive_float("HMR_VERIFY_CONNECT_TIMEOUT_SECONDS", 5)
HMR_VERIFY_READ_TIMEOUT_SECONDS = positive_float("HMR_VERIFY_READ_TIMEOUT_SECONDS", 15)
HMR_VERIFY_RETRIES = positive_int("HMR_VERIFY_RETRIES", 2, allow_zero=True)
HMR_VERIFY_RETRY_BACKOFF_SECONDS = positive_float("HMR_VERIFY_RETRY_BACKOFF_SECONDS", 2, allow_zero=True)
HMR_VERIFY_MAX_REDIRECTS = positive_int("HMR_VERIFY_MAX_REDIRECTS", 10)
HMR_VERIFY_HOST_CONCURRENCY = positive_int("HMR_VERIFY_HOST_CONCURRENCY", 2)
HMR_VERIFY_HOST_RATE = throttle_rate("HMR_VERIFY_HOST_RATE", "2/second")
HMR_VERIFY_WORKERS = positive_int("HMR_VERIFY_WORKERS", 8)
HMR_VERIFY_FRESH_HOURS = positive_int("HMR_VERIFY_FRESH_HOURS", 20)
HMR_VERIFY_NIGHTLY_AT = time_of_day("HMR_VERIFY_NIGHTLY_AT", "01:00")
HMR_VERIFY_NIGHTLY_SPREAD_MINUTES = positive_int("HMR_VERIFY_NIGHTLY_SPREAD_MINUTES", 240, allow_zero=True)
HMR_VERIFY_SLICE_SIZE = positive_int("HMR_VERIFY_SLICE_SIZE", 20)
HMR_VERIFY_HISTORY_DAYS = positive_int("HMR_VERIFY_HISTORY_DAYS", 180)
HMR_VERIFY_ON_PROPOSAL = boolean("HMR_VERIFY_ON_PROPOSAL", True)
# Non-public networks checks may reach all the same (an internal mirror); empty: none.
HMR_VERIFY_ALLOWED_NETWORKS = networks("HMR_VERIFY_ALLOWED_NETWORKS")

# --- The public catalog (apps/site) -------------------------------------------------------------
# Pages are rendered once per data revision and kept in each process's memory (apps/site/caching.py).
HMR_SITE_CACHE_MB = positive_int("HMR_SITE_CACHE_MB", 64)
HMR_SITE_CACHE_CONTROL = env.str("HMR_SITE_CACHE_CONTROL", default="public, max-age=0, must-revalidate")

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(
    ("redis://", "rediss://", "sentinel://", "amqp://", "amqps://", "pyamqp://", "memory://")
):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL.split('://')[0]}://… is not supported: use redis:// or amqp://."
    )
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never used for eager tasks; keeps kombu from looking for AMQP
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_RESULT_EXPIRES = 86400
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="hmr")
# A task whose worker disappears (container stopped) is delivered again; every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for any task that declares none; each HMR task declares its own limits.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# A web request that queues a task must not hang while the broker is down (the nightly export
# check repairs a missed export).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every wait on the broker is bounded, also when it accepts connections but never answers (a stopped
# or overloaded Redis: without a socket timeout a publish waits forever and the applying request
# hangs; tests/faults/test_broker_down.py).
HMR_BROKER_TIMEOUT_SECONDS = positive_float("HMR_BROKER_TIMEOUT_SECONDS", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = HMR_BROKER_TIMEOUT_SECONDS
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    # A worker reads its BRPOP polls (1 s) from its event loop when they arrive, so the timeout
    # does not cut them short (an idle worker ran clean with 0.5 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": HMR_BROKER_TIMEOUT_SECONDS,
        "socket_connect_timeout": HMR_BROKER_TIMEOUT_SECONDS,
    }
    # redis-py reconnects a stale connection by itself (a broker restarted); a retry here would
    # only wait again, 2-3 timeouts each, on a broker that does not answer.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {**CELERY_TASK_PUBLISH_RETRY_POLICY, "max_retries": 0}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
