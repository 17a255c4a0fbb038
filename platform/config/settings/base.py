from urllib.parse import unquote

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config.settings.env import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # No built-in fallback: a key anyone can read in the source signs nothing.
        # `manage.py`, `make run` and the tests give a checkout its own random key in
        # .data/secret_key (localdev.services.ensure_local_secret_key); a pod needs the Secret.
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Debugging only: a key for this process, so nothing signed outlives it.
    SECRET_KEY = get_random_secret_key()
# Rotation: the previous key stays valid for signatures (sessions, password-reset links)
# while it is listed here; see deploy/README.md, "Rotate secrets".
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost")
PLATFORM_NAME = env("PLATFORM_NAME", default="Councillor Caseload")
# Every council answers on <slug>.<PLATFORM_DOMAIN>; the bare domain is the central body's site.
# The tenant middleware rejects any host that is not a known domain, so the wildcard here
# only widens what reaches it.
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "testserver"],
)

SHARED_APPS = [
    # Our migrate_schemas must win over django-tenants', so tenants comes first in the
    # command lookup order (earlier INSTALLED_APPS entries take precedence).
    "tenants",
    "django_tenants",
    "core",
    # In both lists: each council keeps its own audit log, public the central body's.
    "audit",
    "accounts",
    "console",
    "billing",
    # In both lists: public sends billing/console email, each council its own (see mailer/).
    "mailer",
    # Platform-wide correspondence templates kept by the central body (public schema).
    "correspondence.shared",
    # No models: the `seed_demo` command (demo data for `make run`).
    "localdev",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "knox",
    "drf_spectacular",
    # Swagger UI's files, served from our own static files (a pinned copy, no CDN).
    "drf_spectacular_sidecar",
    "csp",
    # Per user, so in public (central staff) and in every council's schema.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "knox",
    "audit",
    "accounts",
    "caseload",
    "mailer",
    "reminders",
    "correspondence",
    "feedback",
    # The council's data exit (the two-admin casework export); above the council apps.
    "dataexit",
    "privacy",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
INSTALLED_APPS = list(dict.fromkeys([*SHARED_APPS, *TENANT_APPS]))

TENANT_MODEL = "tenants.Council"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# The migrated template every council is cloned from (see tenants.cloning).
TENANT_BASE_SCHEMA = "council_template"
# django-tenants' own clone path needs this; our provisioning replays a snapshot instead.
TENANT_CREATION_FAKES_MIGRATIONS = True
# Schemas cloned ahead of time, so onboarding a council is a rename (see tenants.cloning).
TENANT_SPARE_SCHEMAS = env.int("TENANT_SPARE_SCHEMAS", default=3)
# Councils migrated at once by migrate_schemas (each in its own transaction; tenants.migrating).
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATE_PROCESSES", default=2)
# A council whose tables stay locked this long is skipped, reported, and left for a rerun,
# rather than queueing its requests behind the migration.
TENANT_MIGRATE_LOCK_TIMEOUT_SECONDS = env.float("TENANT_MIGRATE_LOCK_TIMEOUT_SECONDS", default=10.0)
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Seconds a web process remembers which council a host name serves (tenants.selectors):
# saves a query and a SET per request; 0 looks every request up.
TENANT_HOST_CACHE_SECONDS = env.float("TENANT_HOST_CACHE_SECONDS", default=5.0)

MIDDLEWARE = [
    # First, so every answer carries the policy, even a 400 or a 404 for an unknown host.
    "csp.middleware.CSPMiddleware",
    # NUL bytes, invalid UTF-8 and absurdly nested JSON: a 400 before anything parses them.
    "core.hostile_input.HostileInputMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.HealthCheckMiddleware",
    # The request being answered, so audit entries note the client's address.
    "audit.middleware.AuditRequestMiddleware",
    "tenants.middleware.CouncilMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lapsed or cancelled licence: writes on a council's host are refused (billing/).
    "billing.middleware.LicenceReadOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits; a second factor before anything else when required.
    "accounts.middleware.SignInStateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a sign-in refused for lockout into its answer (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

# /_bench/floor, the HTTP benchmark's minimal endpoint (core.middleware.floor_response).
# Only `make bench` turns it on; it reveals nothing, but production has no use for it.
HTTP_FLOOR_ENDPOINT = env.bool("HTTP_FLOOR_ENDPOINT", default=False)

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
                "billing.context_processors.licence_banner",
                "feedback.context_processors.survey_prompt",
                "caseload.views.navigation.nav_items",
            ],
        },
    },
]


# "session" (default): a direct connection or a session-mode pooler. "transaction": behind
# PgBouncer in transaction mode; every statement then runs in a transaction that sets its
# own search path (core.postgresql_backend). deploy/README.md, "Connection poolers".
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="session").strip().lower()
if DATABASE_POOL_MODE not in ("session", "transaction"):
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MODE={DATABASE_POOL_MODE!r} is not a pool mode: use session or transaction."
    )


def _database() -> dict:
    config = env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/caseload")
    # django-tenants' backend, which also works behind a transaction-mode pooler.
    config["ENGINE"] = "core.postgresql_backend"
    # A Unix socket directory arrives percent-encoded in the URL's host part.
    config["HOST"] = unquote(str(config.get("HOST", "")))
    # Persistent connections, health-checked.
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", 5)
    if DATABASE_POOL_MODE == "transaction":
        # Both live in a server session, which a transaction-mode pooler does not keep.
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config["OPTIONS"]["prepare_threshold"] = None
    config["TEST"] = {"NAME": env("DATABASE_TEST_NAME", default=f"test_{config['NAME']}")}
    return config


DATABASES = {"default": _database()}
# A connection is closed before it serves more distinct councils than this (0: never), which
# bounds the catalog cache each PostgreSQL backend keeps (core.postgresql_backend;
# deploy/SCALING.md has the measured memory per council).
DATABASE_RECYCLE_AFTER_COUNCILS = env.int("DATABASE_RECYCLE_AFTER_COUNCILS", default=100)
# Applied to each new connection by core.db.configure_session (why 0: see there).
DATABASE_PARALLEL_WORKERS_PER_GATHER = env.int("DATABASE_PARALLEL_WORKERS_PER_GATHER", default=0)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=""),
        # Keys are prefixed per council so one council's cache never answers another's.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password validators, sessions, tokens, lockout, two-factor: config.settings.security.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# Cookies carry no Domain attribute, so the browser keeps them to the exact host that set
# them: fife.example's session never reaches inverclyde.example. The session row also
# lives in the council's own schema, so a copied cookie finds nothing elsewhere.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = env.bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How the platform's absolute URLs are written (links in emails, Stripe redirects): every one
# is built by core.links from these and PLATFORM_DOMAIN. The port is for a site that is not
# on 80/443, e.g. `make run` on 8000; behind the production ingress it stays empty.
PLATFORM_URL_SCHEME = env("PLATFORM_URL_SCHEME", default="https" if SECURE else "http").lower()
if PLATFORM_URL_SCHEME not in ("http", "https"):
    raise RuntimeError(f"PLATFORM_URL_SCHEME must be http or https, not {PLATFORM_URL_SCHEME!r}")
PLATFORM_URL_PORT = env("PLATFORM_URL_PORT", default="").strip()
if PLATFORM_URL_PORT and not (PLATFORM_URL_PORT.isdigit() and 0 < int(PLATFORM_URL_PORT) < 65536):
    raise RuntimeError(f"PLATFORM_URL_PORT must be a port number, not {PLATFORM_URL_PORT!r}")
X_FRAME_OPTIONS = "DENY"
# Django accepts a POST whose Origin is the request's own host (fife's form posting to fife).
# No wildcard over the platform domain: council hosts are one *site* to a browser, so
# `https://*.<domain>` would let a page on one council's host post to another's.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Built by `make frontend` (GOV.UK Frontend, htmx) and committed; see frontend/build.mjs.
STATICFILES_DIRS = [BASE_DIR / "platform" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
MEDIA_URL = "/media/"
# Case attachments (caseload): size cap; types are checked by content in caseload.services.
CASELOAD_ATTACHMENT_MAX_BYTES = env.int("CASELOAD_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# JSON bodies nested deeper are refused with a 400 before parsing (core.hostile_input).
REQUEST_JSON_MAX_DEPTH = env.int("REQUEST_JSON_MAX_DEPTH", default=32)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CouncilTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    # JSON only: DRF's browsable HTML pages need inline script (the API docs page, Swagger UI
    # from a local copy, is the way to explore the API in a browser).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env("LOGIN_THROTTLE_RATE", default="10/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Councillor Caseload API",
    "DESCRIPTION": "Per-council API: each council answers on its own subdomain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar (a version pinned by our requirements, served
    # as our own static files) instead of the latest from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two operations call their choice "decision": each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "DepartureDecisionEnum": ["handover", "close", "export"],
        "ExtensionDecisionEnum": ["accept", "refuse"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.log_level("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO (console reports, letters).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every failed sign-in at INFO as well as its WARNING.
        "axes": {"level": "WARNING"},
    },
}
