"""Settings shared by every environment. Everything that differs between machines comes from
the environment through one ``env`` object (django-environ)."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    PORTAL_DISTRICT_NAME=(str, "娄星区"),
    PORTAL_DISTRICT_CODE=(str, "431302"),
    REDIS_URL=(str, ""),
    API_PAGE_SIZE=(int, 50),
    API_MAX_PAGE_SIZE=(int, 500),
)


def reporter_keys_read(env: environ.Env) -> list[str]:
    """The reporter-identity Fernet keys from ``PORTAL_REPORTER_KEYS`` (comma-separated) or the file
    named by ``PORTAL_REPORTER_KEY_FILE`` (one key a line, ``#`` comments), newest first; [] if neither."""
    keys = [key.strip() for key in env.list("PORTAL_REPORTER_KEYS", default=[]) if key.strip()]
    key_file = env("PORTAL_REPORTER_KEY_FILE", default="")
    if key_file:
        lines = Path(key_file).read_text(encoding="ascii").splitlines()
        keys += [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    return keys


env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DEBUG = env("DJANGO_DEBUG")
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

DISTRICT_NAME = env("PORTAL_DISTRICT_NAME")
DISTRICT_CODE = env("PORTAL_DISTRICT_CODE")
PORTAL_TITLE = f"{DISTRICT_NAME}基层治理平台"
# Repeat and duplicate detection at intake: earlier cases received within this many days (or still
# open) are suggested to the officer (issue 20).
SECURITY_REPEAT_WINDOW_DAYS = env.int("PORTAL_REPEAT_WINDOW_DAYS", default=90)
# The portal's own address, for links in e-mails (notices).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- E-mail (notices): EMAIL_URL such as smtp+tls://user:password@smtp.example.gov.cn:587; the console
# in development (messages printed by the worker) ------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 10
# Webhook receivers on loopback/private addresses are refused (SSRF) unless this is set (a closed intranet).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{PORTAL_TITLE} <noreply@localhost>")

# --- Database: PostgreSQL only -----------------------------------------------------------------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from governance.embedded_db import embedded_database_url, ensure_database

    _url = embedded_database_url(BASE_DIR)
    ensure_database(_url)
    DATABASES = {"default": env.db_url_config(_url)}
    # A demo server on the developer's machine: a commit need not wait for the disk (a crash can
    # lose the last commits, never corrupt the data); migrate and seed_demo run several times faster.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# No JIT compilation: the portal's queries are short or index-bound, and on the dashboard's partial-month
# query (one UNION ALL over a dozen sources) at district scale compiling took 5 of its 6.4 s (bench_dashboard;
# 1.4 s without it). PostgreSQL's own advice for OLTP; set per connection, so replicas get it too.
JIT_OFF = "-c jit=off"


def _with_jit_off(config: dict) -> dict:
    options = config.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} {JIT_OFF}".strip()
    return config


_with_jit_off(DATABASES["default"])
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
# Read replicas (issue 18): DATABASE_REPLICA_URLS, comma-separated PostgreSQL streaming replicas of the
# primary, become DATABASES["replica_0"], ["replica_1"]…; governance.db_router sends reads made outside a
# write to them (README, "Read replicas"). None configured: the router does nothing.
DATABASE_REPLICAS: list[str] = []
for _index, _replica_url in enumerate(u.strip() for u in env.list("DATABASE_REPLICA_URLS", default=[]) if u.strip()):
    _replica = env.db_url_config(_replica_url)
    _replica["ENGINE"] = "django.db.backends.postgresql"
    _replica.setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # A replica that does not answer is given up on quickly; reads then go to the primary.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    _with_jit_off(_replica)
    # Tests see the replica as the primary's test database (no second test database is created).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_index}")
DATABASE_ROUTERS = ["governance.db_router.ReplicaRouter"]
# After a write a browser reads the primary for this many seconds (a signed cookie): read-your-writes.
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=5)
# A replica's reachability, up or down, is remembered this many seconds per process.
DATABASE_REPLICA_HEALTH_SECONDS = env.float("DATABASE_REPLICA_HEALTH_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "governance.apps.PortalAdminConfig",  # django.contrib.admin with the scoped autocomplete
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "pgtrigger",
    "pghistory",
    "django_celery_beat",
    "axes",
    # The second factor (TOTP and recovery codes) of discipline staff and district admins.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "governance",
    "residential",
    "villages",
    "security",
    "integrity",
    "civility",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in the path or query string is a 400 here, not a 500 from PostgreSQL later.
    "governance.middleware.RejectNulCharactersMiddleware",
    # Read replicas: a request's reads go to a replica until it writes; a short cookie keeps a browser
    # that wrote on the primary (governance.db_router). A no-op without DATABASE_REPLICA_URLS.
    "governance.db_router.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "governance.sessions.SessionIdleMiddleware",
    # Holders of SECOND_FACTOR_ROLES are sent to the verify/enrol page until the session is verified.
    "governance.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Touches an API key's "last used" after an answered request, outside the audit context.
    "governance.api.middleware.ApiKeyUsageMiddleware",
    # Attaches the user and URL of each request to every audit row written during it.
    "pghistory.middleware.HistoryMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
AUTH_USER_MODEL = "governance.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in throttling and sessions -----------------------------------------------------------
# django-axes counts failed sign-ins (pages, admin, API keys) in the database, so a lockout holds
# across processes and with Redis down. An account is locked after AXES_FAILURE_LIMIT failures from
# any address, and an address after as many for any account; an administrator unlocks in the admin
# (Axes → Access attempts → delete) or with ``manage.py axes_reset_username <name>``.
# Django's ModelBackend, its permissions read in one query (``governance.auth.PermissionBackend``).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "governance.auth.PermissionBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Hours; none (locked until an administrator unlocks) unless the environment sets one.
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=None)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "governance.auth.lockout_response"
# The username axes records is cut to its column (255): a longer one is a failed sign-in, never a 500.
AXES_USERNAME_CALLABLE = "governance.auth.axes_username"
# Behind a reverse proxy (README "Deploying"), how many proxies stand before Django: the client's own
# address is then read from X-Forwarded-For, so one person's lock is not everyone's.
# Without it only the direct peer counts (X-Forwarded-For from a client is never trusted).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False  # failures and lockouts are still logged (warnings); every sign-in is not
# Sessions end after a working day without a request (governance.sessions renews the expiry on
# activity, at most once per SESSION_RENEW_SECONDS).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 3600)
SESSION_RENEW_SECONDS = 300

# --- Second factor (django-otp) ------------------------------------------------------------------
# Superusers and holders of these roles sign in with a password and then a TOTP code (or a
# one-time recovery code): until then every page and the admin send them to /account/otp/, and the
# API refuses their session (API keys of other systems are unaffected). README, "Accounts".
SECOND_FACTOR_ROLES = env.list("SECOND_FACTOR_ROLES", default=["district_admin", "discipline_inspector"])
OTP_TOTP_ISSUER = PORTAL_TITLE
# A wrong code makes the device wait 1, 2, 4, 8… seconds before the next try; every wrong code also
# counts as a failed sign-in for django-axes (AXES_FAILURE_LIMIT locks the account).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
RECOVERY_CODE_COUNT = 10

# --- The reporter's identity (integrity.ClueReporter), encrypted at rest -------------------------
# Fernet keys kept outside the database: PORTAL_REPORTER_KEYS (comma-separated) or
# PORTAL_REPORTER_KEY_FILE (one key a line). The first key encrypts; every key decrypts, so a new key
# goes first and ``manage.py reporter_keys_rotate`` re-encrypts the rows (README, "Deploying").
# Production refuses to start without one; local and test settings make their own.
REPORTER_KEYS = reporter_keys_read(env)

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
                "governance.context_processors.portal",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Chinese for everyone, whatever the browser asks for: district staff work in Chinese.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "governance" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (all assets vendored; no CDN) ------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cache, Redis, Celery ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")


def redis_caches(url: str) -> dict:
    """The cache (dashboard figures) and the rate limiter's cache on Redis at ``url``; with none, in
    process memory. Redis is optional to a request: an unreachable Redis is a cache miss for "default"
    and a per-process limit for "throttle" (``governance.cache``), logged once a minute, and no call
    waits more than one second for it."""
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
        }
    options = {"socket_connect_timeout": 1, "socket_timeout": 1, "retry_on_timeout": False}
    return {
        "default": {"BACKEND": "governance.cache.ResilientRedisCache", "LOCATION": url, "OPTIONS": options},
        "throttle": {
            "BACKEND": "governance.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {**options, "LOCAL_FALLBACK": True},
        },
    }


CACHES = redis_caches(REDIS_URL)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# With no broker configured, tasks run in-process so the portal works without Redis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task leaves its
# message unacknowledged, and Redis hands it to another worker CELERY_VISIBILITY_TIMEOUT seconds after
# delivery (looked for every 10 s). Every task is idempotent, so a second delivery changes nothing. The
# hard time limit stays below the visibility timeout, so a live task is never delivered twice; the
# longest task (the monthly ranking, 20 s at 200 000 households) has ten times that. README, Reliability.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=280)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_VISIBILITY_TIMEOUT - 30)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, CELERY_TASK_TIME_LIMIT // 2)
CELERY_TIMEZONE = TIME_ZONE
# Per-district work (governance.fanout): N > 0 spreads the districts' tasks over queues districts-0…N-1
# (a city or province deployment: workers take their share with -Q); 0 keeps them on the default queue.
CELERY_DISTRICT_QUEUES = env.int("CELERY_DISTRICT_QUEUES", default=0)
# Fail fast when Redis is down, so that a web request never hangs on publishing a task.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for messages of dead workers every 10 s (kombu's default scans only every 10th time: 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Audit trail (django-pghistory) ------------------------------------------------------------
# Event tables are protected by triggers: nobody can update or delete an audit row.
PGHISTORY_APPEND_ONLY = True
# Reads change nothing; only writes need the request's user and URL attached to their audit rows.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.ApiKeyAuthentication",
        # Django's session, refused until a user who needs the second factor has passed it.
        "governance.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["governance.api.permissions.ScopedModelPermissions"],
    # NUL characters and absurdly deep bodies are refused with a 400 before any field sees them.
    "DEFAULT_PARSER_CLASSES": [
        "governance.api.parsers.JSONParser",
        "governance.api.parsers.FormParser",
        "governance.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.StandardPagination",
    "PAGE_SIZE": env("API_PAGE_SIZE"),
    "DEFAULT_SCHEMA_CLASS": "governance.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "governance.api.throttling.AnonRateThrottle",
        "governance.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="1200/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_MAX_PAGE_SIZE = env("API_MAX_PAGE_SIZE")

SPECTACULAR_SETTINGS = {
    "TITLE": f"{PORTAL_TITLE} API",
    "DESCRIPTION": _("基层治理平台 REST API：行政区划、人员、家庭户、组织与职务，以及各业务模块。"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "governance.schema.error_responses_hook",
    ],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# A file with more rows than this is checked and imported by a Celery worker (a progress page),
# not while the admin waits (issue 11, item 8).
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2000)
# The largest file an import accepts (bytes): 20 MB holds some 200 000 rows of a register as .xlsx;
# a bigger file is refused before it is read (governance.uploads), with a Chinese message.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "governance.uploads.ImportSizeLimitHandler",  # past IMPORT_MAX_BYTES an import file is not kept
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploaded files of background imports (full 身份证号 and phones) are deleted when the job ends; a
# nightly task deletes those of jobs older than this, never confirmed ones too (issue 11).
IMPORT_FILE_KEEP_HOURS = env.int("IMPORT_FILE_KEEP_HOURS", default=24)
# A small import's file waits here for the clerk's confirmation (governance.uploads): deleted when
# refused, confirmed, or older than IMPORT_FILE_KEEP_HOURS.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "governance.uploads.ImportTempStorage"
IMPORT_TMP_DIR = env.str("IMPORT_TMP_DIR", default="")  # "" → <temp dir>/portal-imports

# --- Logging: never write personal data (身份证号, phone) to logs ------------------------------
CSRF_FAILURE_VIEW = "governance.error_views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "governance.logging.MaskPersonalDataFilter"},
        "one_line_client_errors": {"()": "governance.logging.OneLineClientErrorFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_client_errors", "mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default adds a console handler to "django" when DEBUG is on: every refused
        # request (a 403 or 404) was then printed twice, once with a whole traceback. One handler: ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING", "propagate": True},
        "axes": {"level": "WARNING", "propagate": True},
    },
}
