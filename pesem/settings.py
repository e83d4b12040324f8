"""Settings for the PESEM monitor, read from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY no está definido. Defínalo en el entorno "
            "(o use DJANGO_DEBUG=1 solo para desarrollo local)."
        )
    # Development only: a fixed key is acceptable because DEBUG never runs in production.
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tables2",
    "django_filters",
    "axes",
    "ninja",  # django-ninja (the API); its docs page is ours (pesem/api/docs.py), not Swagger
    "objectives.apps.ObjectivesConfig",
    "indicators.apps.IndicatorsConfig",
    "actors.apps.ActorsConfig",
    "pesem.apps.PesemConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the address is refused before any query sees it (PostgreSQL refuses NUL).
    "pesem.middleware.RejectNulMiddleware",
    # /planes/<code>/<page>: another plan's pages (before anything reads the path).
    "pesem.middleware.PlanPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the middlewares that set cookies: an answer with a cookie is never public.
    "pesem.middleware.CookieNeverPublicMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person opens only the plans they take part in (before any kept page).
    "pesem.middleware.PlanAccessMiddleware",
    # History records made during a request name its user, whatever path saved the row.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Pages of a logged-in user are never kept by the browser or a proxy.
    "pesem.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Kept pages per data version (pesem/cache/pages.py): after auth and messages.
    "pesem.cache.pages.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pesem.middleware.AuditRefusalMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "pesem.urls"

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
                "pesem.context_processors.roles",
                "pesem.context_processors.portal_footer",
                "pesem.context_processors.shown_plan",
            ],
        },
    },
]

WSGI_APPLICATION = "pesem.wsgi.application"

# SQLite file by default, so `make run` needs nothing installed; PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
# SQLite takes its write lock when a transaction begins (not at its first write, where a
# second writer would fail at once with "database is locked"), and a writer waits up to 20 s
# for another's: concurrent workflow actions queue instead of answering 500.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if os.environ.get("DJANGO_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB_NAME"]}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters at least: the demo password (10) is refused for any real account.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es-pe"
LANGUAGES = [("es-pe", "Español (Perú)")]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["pesem.formats"]

# Absolute: another plan's pages run below /planes/<code>/ as a script prefix
# (pesem.middleware.PlanPathMiddleware), and a relative STATIC_URL would take the prefix of
# the first request that read it.
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # indicators.workflow.inbox_views.landing: tasks or tablero by role
LOGOUT_REDIRECT_URL = "login"

# Where load_plan reads the plan from.
PLAN_FIXTURES_DIR = Path(os.environ.get("PESEM_FIXTURES_DIR", BASE_DIR / "fixtures"))

# Monitoring rules (README, "Reglas de seguimiento"): lower bounds of the green and yellow
# bands, in percent of achievement; grey means no data or no target.
PESEM_LIGHT_GREEN = float(os.environ.get("PESEM_LIGHT_GREEN", "95"))
PESEM_LIGHT_YELLOW = float(os.environ.get("PESEM_LIGHT_YELLOW", "75"))
# When two tables publish different targets for one year, computations use the first source
# of this list (the conflict is still shown). A target the planning office sets in the system
# comes first; then Anexo 6, the articulation template the sector
# filed with CEPLAN and the only table with 2016 milestones.
PESEM_TARGET_SOURCE_PRIORITY = ["Oficina de planeamiento", "Anexo 6", "Cuadro 5"]
# Consecutive values differing by more than this factor are flagged as a jump.
PESEM_JUMP_FACTOR = float(os.environ.get("PESEM_JUMP_FACTOR", "5"))
# The public portal and open data under /publico/ (validated data only; README, "Portal
# público y datos abiertos"). Off by default: /publico/ answers 404 until the office opens it.
PESEM_PUBLIC_PORTAL = env_bool("PESEM_PUBLIC_PORTAL", False)
# Requests a minute per client IP on the public portal (429 beyond): one person browsing needs
# a few; `make bench` raises it to measure the pages, not the limit.
PESEM_PORTAL_RATE_LIMIT = int(os.environ.get("PESEM_PORTAL_RATE_LIMIT", "120"))

# --- e-mail (README, "Correo y recordatorios") ---------------------------------------------
# Mails are rows of the outbox (indicators.OutboundMail) written with the change that causes
# them; `send_mail_outbox` and `send_reminders` hand them to this SMTP server. Without a server
# in local development (DJANGO_DEBUG=1), they are printed on the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PESEM <pesem@localhost>")
if DEBUG and not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
# Absolute base of the links in mails (no request to take the host from in a command).
PESEM_SITE_URL = os.environ.get("PESEM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Uploaded evidence and pending imports go to the default storage. Local disk by default;
# with several app servers point DJANGO_MEDIA_ROOT at a shared volume, or set
# DJANGO_STORAGE_BACKEND to another backend (e.g. storages.backends.s3.S3Storage after
# installing django-storages) so no server keeps files of its own.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # absolute, as STATIC_URL
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        )
    },
    # Compressed, content-hashed files served by whitenoise (no separate static server).
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PESEM_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Pages link only to the content-hashed copies ({% static %}): the unhashed ones are not kept,
# nor compressed. Source maps (read only by a browser's developer tools) are served as they
# are. Both halve the work of collectstatic, which the systemd unit runs at every start
# (measured: 40 s of a 2-core machine before, see docs/operations.md).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- security (production: DEBUG off) ------------------------------------------------------
# Behind a proxy that terminates HTTPS and sets X-Forwarded-Proto (see README).
if env_bool("DJANGO_BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health check may speak plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# A refused form (expired session, or posted from another site) gets the Spanish 403 page.
CSRF_FAILURE_VIEW = "pesem.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Sessions expire after a working day of inactivity-independent time, and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy: our own origin only, no inline script. plotly.js adds <style>
# elements for its charts, so styles also allow 'unsafe-inline' (styles only, never scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling: after PESEM_LOGIN_FAILURES failed attempts for a username from one IP the
# login is locked for PESEM_LOGIN_COOLOFF_MINUTES (Spanish page: templates/lockout.html), for
# that username from that IP only; and after PESEM_LOGIN_IP_FAILURES failed attempts from one IP
# whatever the usernames (password spraying), that IP is locked for the same time. The IP is the
# client's as PESEM_PROXY_COUNT proxies of ours report it (pesem.middleware.client_ip): 0 means
# REMOTE_ADDR, X-Forwarded-For ignored. The two limits are one callable (pesem.limits.login).
PESEM_LOGIN_FAILURES = int(os.environ.get("PESEM_LOGIN_FAILURES", "5"))
PESEM_LOGIN_IP_FAILURES = int(os.environ.get("PESEM_LOGIN_IP_FAILURES", "20"))
AXES_FAILURE_LIMIT = "pesem.limits.login.failure_limit"
AXES_COOLOFF_TIME = int(os.environ.get("PESEM_LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True
PESEM_PROXY_COUNT = int(os.environ.get("PESEM_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "pesem.middleware.client_ip"

# Shared state lives in the database (sessions, lockouts, cache), never in process memory.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Off only in tests, whose writes roll back without committing (so never bump the version);
# the cache tests turn it on with committed writes.
PESEM_PAGE_CACHE = env_bool("PESEM_PAGE_CACHE", True)
# The report's XLSX and PDF are built inside the request that asks for them while the plan has
# at most this many indicators; past it, by `manage.py build_reports` (pesem/report/files.py).
PESEM_REPORT_INLINE_MAX_INDICATORS = int(
    os.environ.get("PESEM_REPORT_INLINE_MAX_INDICATORS", "300")
)
# The ministry named in the monitoring report's header (PDF and XLSX).
PESEM_MINISTRY_NAME = os.environ.get("PESEM_MINISTRY_NAME", "Ministerio de Relaciones Exteriores")
# Cached pages and fragments are keyed on the data version (pesem/cache/data.py). The cache is
# shared by every process: the database table `pesem_cache` by default (createcachetable),
# Redis through django-redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("PESEM_CACHE_PREFIX", "pesem"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pesem_cache",
            # Django's default (300 entries, a third culled past it) would drop kept pages of
            # the current version: there is one copy per page, address and audience.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PESEM_CACHE_MAX_ENTRIES", "20000"))},
        }
    }

# --- logging: one JSON line per write and per refusal (logger "pesem.audit") ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pesem.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "pesem.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    },
}
