"""One settings module, driven by environment variables (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-never-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
if "127.0.0.1" not in ALLOWED_HOSTS:  # the container's own health check asks for /healthz on 127.0.0.1
    ALLOWED_HOSTS.append("127.0.0.1")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "caseload.admin_site.CaseloadAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "offenders",
    "visits",
    "notifications",
    "supervision",
    "availability",
    "caseload",
]

MIDDLEWARE = [
    "caseload.metrics.RequestTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "caseload.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "caseload.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caseload.twofactor.TwoFactorRequiredMiddleware",
    "caseload.history.HistoryContextMiddleware",
    "caseload.replica.WrittenAtMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseload.urls"
WSGI_APPLICATION = "caseload.wsgi.application"
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
                "offenders.context_processors.role",
            ],
        },
    },
]

if not env("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL is not set: start caseload with ./dev run or ./dev test")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Settings of each database session, given as a connection option (which takes the place of PGOPTIONS: those are
# carried over). A connection pooler may refuse connection options: behind one, set the two below to 0 and true, and
# set them on the server instead.
# Memory each session may keep temporary tables in (an import's staging tables, the flag job's working set),
# taken only as they need it: with the server's default of 8 MB, a 1M-row import reads its staging tables back
# from disk at every step (README: Figures). 0 leaves the server's setting.
CASELOAD_DB_TEMP_BUFFERS_MB = env.int("CASELOAD_DB_TEMP_BUFFERS_MB", default=256)
# JIT compilation, which PostgreSQL starts on a query's estimated cost: a page's query that runs in a few
# milliseconds but is estimated high (a supervisor's officers, grouped, on a national register) spent 30 ms
# compiling, and the flag run over the whole register is no faster with it (README: Figures). True leaves the
# server's setting.
CASELOAD_DB_JIT = env.bool("CASELOAD_DB_JIT", default=False)
_session_settings = [f"-c temp_buffers={CASELOAD_DB_TEMP_BUFFERS_MB}MB"] if CASELOAD_DB_TEMP_BUFFERS_MB else []
_session_settings += [] if CASELOAD_DB_JIT else ["-c jit=off"]
if _session_settings:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _given = _options.get("options") or os.environ.get("PGOPTIONS", "")
    _options["options"] = " ".join([_given, *_session_settings]).strip()
# Prepared statements, which Django leaves off for the sake of connection poolers: three statements ask for one, the
# one that brings a write's flags in line (visits/flagging.py; planned afresh it was a third of a logged visit's
# time), the one that reads a signed-in request's user (caseload/signed_in.py; planning it took five times as long
# as running it) and the one that reads the dashboard's figures (caseload/dashboards/counted.py; as long). False
# behind a pooler that does not carry them (PgBouncer in transaction mode before 1.21).
CASELOAD_DB_PREPARED_STATEMENTS = env.bool("CASELOAD_DB_PREPARED_STATEMENTS", default=True)
if CASELOAD_DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5  # Django's own cursors prepare nothing
# A streaming replica for the dashboards' and exports' reads (caseload/replica.py); the primary answers without one.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**DATABASES["default"], **env.db("DATABASE_REPLICA_URL"), "TEST": {"MIRROR": "default"}}
    # A replica that does not answer within seconds is skipped for a while, and the primary answers.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 3, **DATABASES["default"].get("OPTIONS", {}),
                                       **DATABASES["replica"].get("OPTIONS", {})}
DATABASE_ROUTERS = ["caseload.replica.ReplicaRouter"]
# A page read from the replica says how old its figures are once the replica is this far behind.
CASELOAD_REPLICA_NOTICE_SECONDS = env.int("CASELOAD_REPLICA_NOTICE_SECONDS", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")  # the Celery broker and result backend

AUTHENTICATION_BACKENDS = [
    "caseload.signin.LockoutBackend",  # django-axes: must come first
    "caseload.signin.PasswordBackend",
    "caseload.sso.backend.ProviderBackend",
]
PASSWORD_HASHERS = [
    "caseload.passwords.Argon2idHasher",
    # Passwords stored by earlier releases: they still sign in, and are stored again as Argon2id as they do.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions live in the database so that the web keeps working while Redis is down.
SESSION_ENGINE = "caseload.sessions"  # Django's database sessions, each read one prepared statement
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False  # caseload/sessions.py pushes the expiry forward once a minute
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers ask over plain HTTP inside the network (/metrics, which takes a token, stays on HTTPS).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# /metrics (Prometheus) answers only `Authorization: Bearer <this>`; unset, it is off.
CASELOAD_METRICS_TOKEN = env("CASELOAD_METRICS_TOKEN", default="")
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The proxy terminates TLS and says so in this header; only trust it behind such a proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Preloading HSTS is a commitment made with browser vendors, so it stays the operator's choice.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Lockout after repeated failed sign-ins (django-axes): 5 failures for one username from one
# address within 15 minutes lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in (TOTP, django-otp): required of supervisors and admins when on.
CASELOAD_REQUIRE_2FA = env.bool("CASELOAD_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="caseload")

# Single sign-on with the force's identity provider (OpenID Connect; caseload/sso/): on when the issuer is set.
CASELOAD_OIDC_ISSUER = env("CASELOAD_OIDC_ISSUER", default="")
CASELOAD_OIDC_PROVIDER_NAME = env("CASELOAD_OIDC_PROVIDER_NAME", default="your organisation's account")
OIDC_RP_CLIENT_ID = env("CASELOAD_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("CASELOAD_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("CASELOAD_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("CASELOAD_OIDC_SCOPES", default="openid email profile")
# The claim listing the person's groups, and which group gives which role ("group=Officer,other=Supervisor"; Entra
# ID gives groups by object id). The most senior role mapped wins; no mapped group, no access.
CASELOAD_OIDC_GROUPS_CLAIM = env("CASELOAD_OIDC_GROUPS_CLAIM", default="groups")
CASELOAD_OIDC_GROUP_ROLES = env.dict("CASELOAD_OIDC_GROUP_ROLES", default={})
CASELOAD_OIDC_STAFF_ID_CLAIM = env("CASELOAD_OIDC_STAFF_ID_CLAIM", default="")  # matched to the officers' staff_id
# Require the provider to say it checked a second factor: an `amr` value among these, or an `acr` among those.
CASELOAD_OIDC_REQUIRE_MFA = env.bool("CASELOAD_OIDC_REQUIRE_MFA", default=False)
CASELOAD_OIDC_MFA_AMR = env.list("CASELOAD_OIDC_MFA_AMR", default=["mfa", "otp", "hwk", "swk", "fido", "sc"])
CASELOAD_OIDC_MFA_ACR = env.list("CASELOAD_OIDC_MFA_ACR", default=[])
# With single sign-on on, only these usernames may still sign in with a password (a break-glass admin); "*": all.
CASELOAD_LOCAL_SIGNIN = env.list("CASELOAD_LOCAL_SIGNIN", default=["*"])
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the sign-out at the provider (id_token_hint)
OIDC_TIMEOUT = env.int("CASELOAD_OIDC_TIMEOUT", default=10)
OIDC_CALLBACK_CLASS = "caseload.sso.views.CallbackView"
OIDC_AUTHENTICATE_CLASS = "caseload.sso.views.StartView"
OIDC_OP_LOGOUT_URL_METHOD = "caseload.sso.views.provider_logout_url"

# Change history (django-pghistory): database triggers, so bulk and import writes are caught too.
PGHISTORY_APPEND_ONLY = True
# History rows are found by object and by context; their copies of the tracked rows' keys need no index
# (each index would be paid for on every write, a million times over in a register import).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_CONTEXT_FIELD = pghistory.ContextForeignKey(db_index=True)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True)
PGHISTORY_ADMIN_CLASS = "caseload.history.ChangeHistoryAdmin"
PGHISTORY_ADMIN_MODEL = "caseload.ChangeEvent"
PGHISTORY_ADMIN_LIST_DISPLAY = [
    "pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "user", "ip", "url", "pgh_diff",
]
PGHISTORY_ADMIN_ALL_EVENTS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="caseload@localhost")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "refresh-flags-hourly": {
        "task": "visits.tasks.refresh_flags",
        "schedule": crontab(minute=5),
    },
    "daily-snapshot": {
        "task": "visits.tasks.take_daily_snapshot",
        "schedule": crontab(hour=0, minute=30),
    },
    "import-watchdog": {
        "task": "caseload.imports.tasks.fail_stopped_imports",
        "schedule": crontab(minute="*/5"),
    },
    "import-files-retention": {
        "task": "caseload.imports.tasks.delete_expired_import_files",
        "schedule": crontab(hour=1, minute=15),
    },
    "daily-digest": {
        "task": "visits.tasks.send_supervisor_digests",
        "schedule": crontab(hour=6, minute=0),
    },
    "dip-samples-monthly": {
        "task": "supervision.tasks.draw_dip_samples",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# Local policy (see README: Configuration)
CASELOAD_INITIAL_VISIT_DAYS = env.int("CASELOAD_INITIAL_VISIT_DAYS", default=14)
# The first risk assessment review falls due this many days after registration; an event that calls for a fresh
# assessment (a return to the community, a move) brings the review forward to this many days after it.
CASELOAD_FIRST_REVIEW_DAYS = env.int("CASELOAD_FIRST_REVIEW_DAYS", default=28)
CASELOAD_REVIEW_TRIGGER_DAYS = env.int("CASELOAD_REVIEW_TRIGGER_DAYS", default=28)
# Notifications (local policy): one falling due while away is due this many days after the return; a trip abroad
# is notified this many days before departure, or it is marked late.
CASELOAD_NOTIFY_AFTER_RETURN_DAYS = env.int("CASELOAD_NOTIFY_AFTER_RETURN_DAYS", default=3)
CASELOAD_TRAVEL_LEAD_DAYS = env.int("CASELOAD_TRAVEL_LEAD_DAYS", default=7)
CASELOAD_IMPORT_MAX_MB = env.int("CASELOAD_IMPORT_MAX_MB", default=200)
# What an import file is read within (caseload/imports/limits.py; SECURITY.md: Import limits).
CASELOAD_IMPORT_MAX_ROWS = env.int("CASELOAD_IMPORT_MAX_ROWS", default=2_000_000)
CASELOAD_IMPORT_MAX_CELL_CHARS = env.int("CASELOAD_IMPORT_MAX_CELL_CHARS", default=10_000)
CASELOAD_IMPORT_MAX_UNPACKED_MB = env.int("CASELOAD_IMPORT_MAX_UNPACKED_MB", default=1024)
CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB = env.int("CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB", default=128)
# Uploaded files and error lists are deleted this many days after their import (a beat task).
CASELOAD_IMPORT_RETENTION_DAYS = env.int("CASELOAD_IMPORT_RETENTION_DAYS", default=30)
# From this many new offenders on, an import checks keys and builds indexes once (caseload/imports/bulk.py).
CASELOAD_IMPORT_BULK_ROWS = env.int("CASELOAD_IMPORT_BULK_ROWS", default=100_000)

LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "caseload.logformat.JsonFormatter"}},
    "filters": {"register_redaction": {"()": "caseload.logfilters.RegisterRedactionFilter"}},
    "handlers": {
        # LOG_FORMAT=json: one JSON object a line, for a log collector.
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                    "filters": ["register_redaction"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # SQL parameters hold names and addresses: never log queries, whatever LOG_LEVEL says.
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# An offender is unseen once their last visit is older than interval x (1 + this fraction).
CASELOAD_UNSEEN_GRACE_FRACTION = env.float("CASELOAD_UNSEEN_GRACE_FRACTION", default=0.5)
# Rows a table page shows at most, whatever ?per_page= asks for.
CASELOAD_MAX_PAGE_SIZE = env.int("CASELOAD_MAX_PAGE_SIZE", default=100)
