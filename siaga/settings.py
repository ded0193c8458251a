"""Django settings, read from the environment (documented in docs/configuration.md)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from siaga.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time,
    env_timezone,
    parse_database_url,
    parse_email_url,
)


def env_networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or networks (``10.0.0.0/8``) as networks."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network; write e.g. 127.0.0.1,10.1.2.0/24."
            ) from None
    return networks


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SIAGA_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

_secret = env_str("SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (DEBUG is off, so no development key is used)."
        )
    _secret = "siaga-development-only-key-do-not-use-in-production"  # noqa: S105
elif len(_secret) < 32 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is shorter than 32 characters; use a long random string.")
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty; list the host names this server answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address people use to reach Siaga, for links in e-mail and WhatsApp messages.
BASE_URL = (env_str("SIAGA_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SIAGA_BASE_URL={BASE_URL!r} must start with https:// (or http://).")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_HOURS", 72, minimum=1) * 3600

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the Swagger UI of /api/docs from its own static files, not from a CDN
    "siaga.core",
    "siaga.org",
    "siaga.rostering",
    "siaga.attendance",
    "siaga.workday",
    "siaga.meetings",
    "siaga.outbreak",
    "siaga.measures",
    "siaga.services",
    "siaga.delivery",
    "siaga.survey",
    "siaga.command",
    "siaga.demo",
]

MIDDLEWARE = [
    "siaga.core.production.ProxyMiddleware",
    "siaga.core.metrics.MetricsMiddleware",
    "siaga.core.middleware.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "siaga.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "siaga.core.middleware.ActorMiddleware",
    "siaga.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "siaga.urls"
WSGI_APPLICATION = "siaga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "siaga" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "siaga.core.context_processors.siaga",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'siaga.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "siaga.core.hashers.SiagaArgon2PasswordHasher",  # Argon2id, OWASP's parameters (see the module)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "siaga.services.auth.CitizenBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): lock a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "id", ("id", "en"))
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [Path(env_str("SIAGA_LOCALE_DIR", str(BASE_DIR / "locale")) or BASE_DIR / "locale")]
LANGUAGE_COOKIE_NAME = "siaga_language"
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "siaga" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "private"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security: production-safe by default; SIAGA_HTTPS=false only for plain-HTTP test or intranet setups.
HTTPS = env_bool("SIAGA_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Probes on the loopback address reach the web server without nginx, so without X-Forwarded-Proto.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS commits every subdomain of the government's domain to HTTPS for years; that is the
# operator's decision (SECURE_HSTS_PRELOAD=true), so the deploy check does not warn about it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies (addresses or networks) whose X-Forwarded-For / X-Request-ID are believed.
TRUSTED_PROXY_NETWORKS = env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"])

# Mail
_email = parse_email_url(env_str("EMAIL_URL") or ("console:" if DEBUG else "smtp://localhost:25"))
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or _email.from_email or "Siaga <siaga@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# WhatsApp Cloud API (off unless both token and phone number id are set)
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN", "") or ""
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "") or ""
WHATSAPP_API_URL = (env_str("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0") or "").rstrip("/")
WHATSAPP_TIMEOUT = env_int("WHATSAPP_TIMEOUT", 10, minimum=1)
if bool(WHATSAPP_TOKEN) != bool(WHATSAPP_PHONE_NUMBER_ID):
    raise ImproperlyConfigured("Set both WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID, or neither.")
if not WHATSAPP_API_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("WHATSAPP_API_URL must start with https:// (or http:// on a test network).")

# Notifications: retries with exponential backoff
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 30, minimum=1)

# Background tasks (django-tasks; `siaga worker` runs them): the database queue by default, or RQ on a
# Redis server (REDIS_URL) for many worker hosts (docs/scale.md "Queue backends").
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            (
                "django_tasks_db.DatabaseBackend",
                "django_tasks_rq.RQBackend",
                "django_tasks.backends.immediate.ImmediateBackend",
            ),
        ),
        "QUEUES": ["default"],
    }
}
# RQ's job timeout: a roster solve of a province's unit may take many minutes.
RQ_QUEUES = {
    "default": {
        "URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": env_int("TASK_TIMEOUT_SECONDS", 3600, minimum=60),
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")

# CPU threads one roster solve may use (the worker host's cores).
ROSTER_WORKERS = env_int("ROSTER_WORKERS", 2, minimum=1)

# Days presence intervals (who was where, for contact tracing) are kept before the purge deletes them.
PRESENCE_RETENTION_DAYS = env_int("PRESENCE_RETENTION_DAYS", 60, minimum=1)

# Evening time (HH:MM, each government's local time) after which people working from home who have not
# written the day's work report are reminded, and minutes after which an unanswered recall is escalated.
_reminder_at = env_str("WORK_REPORT_REMINDER_AT", "17:00") or "17:00"
try:
    WORK_REPORT_REMINDER_AT = dt.time.fromisoformat(_reminder_at)
except ValueError:
    raise ImproperlyConfigured(
        f"WORK_REPORT_REMINDER_AT={_reminder_at!r} is not a time of day; write it as HH:MM, e.g. 17:00."
    ) from None
RECALL_ESCALATE_AFTER_MINUTES = env_int("RECALL_ESCALATE_AFTER_MINUTES", 30, minimum=1)

# Outbreak follow-up: the time of day (HH:MM, each government's local time) by which people under isolation or
# quarantine answer the daily symptom check (after it the task force is told who has not), and the days
# after which a closed case's personal data is anonymised.
SYMPTOM_CHECK_DEADLINE = env_time("SYMPTOM_CHECK_DEADLINE", "12:00")
HEALTH_DATA_RETENTION_DAYS = env_int("HEALTH_DATA_RETENTION_DAYS", 730, minimum=1)

# How far (seconds) a phone's clock may be off the server's before a check-in is refused.
ATTENDANCE_CLOCK_SKEW_SECONDS = env_int("ATTENDANCE_CLOCK_SKEW_SECONDS", 300, minimum=0)

# Citizens' portal: one-time codes (registration, sign-in by code): minutes a code is valid, wrong tries
# allowed per code, seconds before another code may be sent to the same address.
PORTAL_CODE_TTL_MINUTES = env_int("PORTAL_CODE_TTL_MINUTES", 10, minimum=1)
PORTAL_CODE_ATTEMPTS = env_int("PORTAL_CODE_ATTEMPTS", 5, minimum=1)
PORTAL_CODE_RESEND_SECONDS = env_int("PORTAL_CODE_RESEND_SECONDS", 60, minimum=0)

API_TOKEN_PREFIX = "sga_"  # noqa: S105 - a public prefix, not a secret

# Decision documents: how they are signed (docs/documents.md). "local": each official's PKCS#12 under
# SIGNING_DIR, issued by the government CA kept there; "remote": a BSrE-style signing service. (Read from the
# environment variable SIGNING_BACKEND; the setting has another name because Django's own SIGNING_BACKEND
# is the cookie signer.)
DOCUMENT_SIGNING_BACKEND = env_choice("SIGNING_BACKEND", "local", ("local", "remote"))
SIGNING_DIR = Path(env_str("SIGNING_DIR", str(VAR_DIR / "signing")) or VAR_DIR / "signing")
SIGNING_SERVICE_URL = (env_str("SIGNING_SERVICE_URL", "") or "").rstrip("/")
SIGNING_SERVICE_USER = env_str("SIGNING_SERVICE_USER", "") or ""
SIGNING_SERVICE_PASSWORD = env_str("SIGNING_SERVICE_PASSWORD", "") or ""
SIGNING_SERVICE_TIMEOUT = env_int("SIGNING_SERVICE_TIMEOUT", 60, minimum=1)
if DOCUMENT_SIGNING_BACKEND == "remote" and not (
    SIGNING_SERVICE_URL and SIGNING_SERVICE_USER and SIGNING_SERVICE_PASSWORD
):
    raise ImproperlyConfigured(
        "SIGNING_BACKEND=remote needs SIGNING_SERVICE_URL, SIGNING_SERVICE_USER and SIGNING_SERVICE_PASSWORD."
    )
# The certificates (PEM or DER files) a signature must chain to; by default the local CA's root.
SIGNING_TRUST_ROOTS = env_list("SIGNING_TRUST_ROOTS", [str(SIGNING_DIR / "ca.crt.pem")])
# Public verification (/verifikasi/): requests per minute from one IP address before "429 Too Many Requests".
VERIFY_RATE_LIMIT = env_int("VERIFY_RATE_LIMIT", 30, minimum=1)

# Log lines on standard error (journald keeps them): "plain" text or "json" (one object a line); both
# carry the request id (X-Request-ID).
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "siaga.core.production.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "siaga.core.production.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

# Public services back office: working days before an application's due date at which the assigned
# officer and the unit head are warned (again when it is breached).
SERVICE_SLA_WARNING_DAYS = env_int("SERVICE_SLA_WARNING_DAYS", 2, minimum=0)

# Health check (/healthz) and Prometheus metrics (/metrics), docs/deploy.md.
# /healthz fails when the oldest due background task has waited longer than this (the worker is down).
HEALTH_TASK_MAX_AGE_SECONDS = env_int("HEALTH_TASK_MAX_AGE_SECONDS", 300, minimum=1)
# /metrics answers only these addresses/networks, or a request with "Authorization: Bearer METRICS_TOKEN".
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "") or ""
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN is shorter than 32 characters; use a long random string.")

# Hour of the morning (0-23, the government's local time) from which the daily situation report is sent to
# its subscribers, once a day each.
COMMAND_REPORT_HOUR = env_int("COMMAND_REPORT_HOUR", 6, minimum=0)
if COMMAND_REPORT_HOUR > 23:
    raise ImproperlyConfigured(f"COMMAND_REPORT_HOUR={COMMAND_REPORT_HOUR} is not an hour of the day; use 0 to 23.")
# Seconds the command center keeps a government's figures for every viewer (0: count on every request).
COMMAND_CACHE_SECONDS = env_int("COMMAND_CACHE_SECONDS", 30, minimum=0)
# The cache (the command center's figures) is shared by every web process of a host, so that they are
# counted once per COMMAND_CACHE_SECONDS and not once per process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# PostgreSQL month partitions of presence and the audit log (siaga/core/partitions.py, docs/scale.md): the
# current month and this many months before it are kept; older month partitions are dropped by the daily job.
# Presence keeps at least the months PRESENCE_RETENTION_DAYS spans; the audit log never less than presence.
PRESENCE_RETENTION_MONTHS = env_int("PRESENCE_RETENTION_MONTHS", max(1, -(-PRESENCE_RETENTION_DAYS // 28)), minimum=1)
AUDIT_RETENTION_MONTHS = env_int("AUDIT_RETENTION_MONTHS", 120, minimum=1)
if AUDIT_RETENTION_MONTHS < PRESENCE_RETENTION_MONTHS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_MONTHS={AUDIT_RETENTION_MONTHS} is shorter than PRESENCE_RETENTION_MONTHS="
        f"{PRESENCE_RETENTION_MONTHS}; keep the audit log at least as long as presence."
    )


# Background workers (docs/configuration.md, docs/scale.md): a roster solve renews its lease every
# TASK_HEARTBEAT_SECONDS; a solve or a signing-batch item whose lease is older than TASK_HEARTBEAT_TIMEOUT
# seconds belongs to a worker presumed dead (killed, host lost) and is queued again by the periodic job.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 5, minimum=1)
TASK_HEARTBEAT_TIMEOUT = env_int("TASK_HEARTBEAT_TIMEOUT", 60, minimum=2)
if TASK_HEARTBEAT_TIMEOUT <= TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("TASK_HEARTBEAT_TIMEOUT must be longer than TASK_HEARTBEAT_SECONDS.")
# Batch signing: the passphrase is sealed for the workers with this key (default: derived from SECRET_KEY;
# every web process and worker must have the same), and a sealed passphrase is refused after
# SIGNING_BATCH_TTL seconds (items still waiting then fail and must be signed again).
SIGNING_BATCH_KEY = env_str("SIGNING_BATCH_KEY", "") or ""
SIGNING_BATCH_TTL = env_int("SIGNING_BATCH_TTL", 3600, minimum=60)
