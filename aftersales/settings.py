"""Settings of the after-sales desk, all read from the environment (12-factor).

With nothing set, the desk runs on embedded defaults: SQLite under ``var/`` and a
Celery broker on kombu's filesystem transport, so a laptop with only Python runs
the web server, a worker and beat. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis.
"""

import re
import zoneinfo
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_currency, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # A per-checkout key kept under var/, so sessions survive restarts on a laptop.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key(), encoding="utf-8")
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The currency queues rank money at stake in; other currencies convert by ExchangeRate.
DESK_CURRENCY = env_currency("DESK_CURRENCY", "USD")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc files, served from our static files (no CDN)
    "tickets",
    "templates_lib",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything else under /api/, so every error there ends up as JSON.
    "tickets.api.errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, which tells it a signed-in caller from an anonymous one.
    "tickets.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tickets.context_processors.alerts",
            ],
        },
    },
]

# Database -------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'desk.sqlite3'}"),
        # 0 by default: the development server and the test live server run each
        # request in a thread of its own, and kept connections would pile up there.
        # Long-lived processes (gunicorn in docker compose) set 60.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, worker and beat share one SQLite file on a laptop: wait for
    # the write lock instead of failing, and let readers run beside a writer (WAL).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tickets.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Time and languages ---------------------------------------------------------
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not an IANA time zone") from None
USE_I18N = True
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# Static and uploaded files ----------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
# Evidence files (photos, chat exports) are capped so one upload cannot fill the disk.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Largest request body (uploaded files aside); the API answers 413 above it. 10 MiB
# carries a sync batch of 1,000 orders with their items.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# Email ------------------------------------------------------------------------
# Django 6.1's MAILERS: the console in development, SMTP when EMAIL_BACKEND says so.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mail_options = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "desk@localhost")

# Alerts -------------------------------------------------------------------------
# An outbound webhook for every alert (optional); bodies are signed with the secret.
ALERT_WEBHOOK_URL = env_str("ALERT_WEBHOOK_URL")
ALERT_WEBHOOK_SECRET = env_str("ALERT_WEBHOOK_SECRET")
if ALERT_WEBHOOK_URL and not ALERT_WEBHOOK_SECRET:
    raise ImproperlyConfigured("ALERT_WEBHOOK_SECRET must be set when ALERT_WEBHOOK_URL is")

# Celery -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any countdown the desk uses (webhook retries wait at most 50 min).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
    # A cache every web process shares, so API rate limits count per key, not per process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "desk",
        }
    }
else:
    # kombu's filesystem transport: a broker made of three folders, no server at all.
    _broker_dir = VAR_DIR / "celery-broker"
    for sub in ("out", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Fixed system jobs live here, in code; `expires` drops a tick that waited too long
# in the queue, since the next tick redoes the same state-based work.
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "tickets.sweep_deadlines",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "webhooks-dispatch": {
        "task": "tickets.webhooks_dispatch",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "record-beat-heartbeat": {
        "task": "tickets.record_heartbeat",
        "schedule": crontab(),
        "kwargs": {"name": "beat"},
        "options": {"expires": 50},
    },
    "purge-idempotency-keys": {
        "task": "tickets.purge_idempotency_keys",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
}

# REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so its challenge ("Bearer") makes unauthenticated API calls a 401.
        "tickets.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "tickets.api.errors.exception_handler",
    # JSON first (with a 400 for input the stack cannot hold), then the browser's forms.
    "DEFAULT_PARSER_CLASSES": [
        "tickets.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "tickets.api.schema.DeskAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["tickets.api.throttling.ApiKeyRateThrottle"],
}
# Requests per API key (or signed-in user) and period: "N/s", "N/min", "N/hour", "N/day";
# empty turns throttling off. Generous by default: it stops a runaway loop, not an ERP.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/min").strip()
if API_THROTTLE_RATE and not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE must look like 1200/min; got {API_THROTTLE_RATE!r}")

# OpenAPI schema at /api/schema/, Swagger UI at /api/docs/ (assets from drf-spectacular-sidecar).
SPECTACULAR_SETTINGS = {
    "TITLE": "After-sales desk API",
    "DESCRIPTION": (
        "ERP sync API of the after-sales desk. Send `Authorization: Bearer KEY`.\n\n"
        "**Errors.** A 400 is `{\"field\": [\"message\", ...], \"non_field_errors\": [...]}` "
        "(schema `FieldErrors`); every other error is `{\"detail\": \"...\", \"code\": \"...\"}` "
        "(schema `Error`): 401, 403, 404, 405, 409, 413, 415, 429 (with `Retry-After`). "
        "No input should ever give a 5xx.\n\n"
        "**Limits.** Request bodies up to `DATA_UPLOAD_MAX_MEMORY_SIZE` (10 MiB by default); "
        "`API_THROTTLE_RATE` requests per key (1200/min by default).\n\n"
        "**Retries.** Send `Idempotency-Key` on a POST: a retry with the same key gets the first "
        "response back (`Idempotent-Replayed: true`) for 24 hours."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind" with different choices: name each set
    # after its vocabulary so clients get stable enum names (and no collision warnings).
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"tickets.choices.{name}"
        for name in ("Marketplace", "OrderStatus", "TicketStatus", "DisputeStatus", "ProposalStatus", "ReturnStatus",
                     "MessageKind", "EvidenceKind", "ClockKind", "ClockState", "AlertLevel", "ProposalParty",
                     "ProposalSolution")
    },
    # Error responses, the error body and the Idempotency-Key header on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tickets.api.schema.document_errors",
        "tickets.api.schema.document_sync_limits",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
