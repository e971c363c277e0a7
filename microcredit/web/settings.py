"""Settings, all from the environment (ARCHITECTURE §1).

DATABASE_URL  postgres://… for PostgreSQL (psycopg 3); unset → SQLite under var/ (WAL mode).
MICROCREDIT_DEBUG=1  debug on (off by default).
MICROCREDIT_VAR  where the SQLite file, secret key, uploads and job files live (default ./var).
MICROCREDIT_BUSINESS_DATE  pins the business date (demo, tests); see apps.core.clock.
MICROCREDIT_HTTPS=1  served over HTTPS (behind a proxy that sets X-Forwarded-Proto): HSTS, secure
    cookies, redirect to https — `python -m microcredit check --deploy` passes with it.
MICROCREDIT_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://xd.example.cn) when the site is
    reached through a proxy under another host/port; default: none beyond the request's own host.
MICROCREDIT_NUM_PROXIES  how many reverse proxies stand in front (client IP for throttles and
    lockout is taken from X-Forwarded-For only then); default 0 = REMOTE_ADDR.
"""

import datetime as dt

from pathlib import Path
import os
import secrets

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MICROCREDIT_VAR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated into var/ on first run."""
    if os.environ.get("MICROCREDIT_SECRET_KEY"):
        return os.environ["MICROCREDIT_SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("MICROCREDIT_DEBUG", "") in ("1", "true", "yes")
ALLOWED_HOSTS = os.environ.get("MICROCREDIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
# Django already trusts the request's own host; extra origins only for proxies (never hard-coded).
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("MICROCREDIT_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o.strip()]
HTTPS = os.environ.get("MICROCREDIT_HTTPS", "") in ("1", "true", "yes")
NUM_PROXIES = int(os.environ.get("MICROCREDIT_NUM_PROXIES", "0") or 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "microcredit.apps.core",
    "microcredit.apps.audit",
    "microcredit.apps.regions",
    "microcredit.apps.reference",
    "microcredit.apps.accounts",
    "microcredit.apps.households",
    "microcredit.apps.problems",
    "microcredit.apps.jobs",
    "microcredit.apps.loans",
    "microcredit.apps.funds",
    "microcredit.apps.projects",
    "microcredit.apps.monitoring",
    "microcredit.apps.reminders",
    "microcredit.apps.rating",
    "microcredit.apps.postloan",
    "microcredit.apps.collection",
    "microcredit.apps.origination",
    "microcredit.apps.exchange",
    "microcredit.apps.calc",
    "microcredit.apps.reports",
    "microcredit.apps.portal",
    "microcredit.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else the browser's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "microcredit.apps.portal.access.HouseholdConfinement",  # a household's login reaches the portal only
    "microcredit.web.middleware.CurrentRequestMiddleware",
    "microcredit.web.middleware.NoStoreForUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "microcredit.apps.core.middleware.DomainErrorMiddleware",
    # Last: turns a locked-out login (flagged by the axes backend) into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username+IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "microcredit.apps.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "microcredit.web.urls"
WSGI_APPLICATION = "microcredit.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microcredit.apps.accounts.context_processors.navigation",
                "microcredit.apps.core.todo.todo_badge",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "microcredit.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [] if os.environ.get("MICROCREDIT_DEMO") else [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]  # the switch's order; the default is LANGUAGE_CODE
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # the proxy must overwrite it
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Content-Security-Policy (django-csp 4). Scripts only from our own static files (HTMX, ECharts,
# Swagger UI are vendored; no inline script, no CDN); a template that ever needs an inline script
# uses {{ request.csp_nonce }}. Inline *styles* stay allowed: HTMX injects its indicator style and a
# few templates carry style attributes; CSS cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Shared by the web workers (throttle counters must be seen by every worker): a table in the
# database, created by `migrate` (accounts' post_migrate) and by the test runner.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "microcredit_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# Login lockout (django-axes): 5 failures of one username from one IP lock that pair for 15 min;
# the web login, the admin login and POST /api/v1/auth/token all count. Audited (accounts.signals).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "microcredit.apps.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "microcredit.apps.accounts.lockout.client_ip"
NINJA_NUM_PROXIES = NUM_PROXIES

# Business settings (defaults a county can change; DOMAIN.md).
MICROCREDIT_BUSINESS_DATE = os.environ.get("MICROCREDIT_BUSINESS_DATE", "")
MICROCREDIT_API_TOKEN_DAYS = 30
MICROCREDIT_API_TOKENS_PER_USER = 5  # minting one more revokes the oldest (accounts.tokens)
# Identity verification (ARCHITECTURE §5): per officer and per client IP, "count/period".
MICROCREDIT_VERIFY_RATE_USER = os.environ.get("MICROCREDIT_VERIFY_RATE_USER", "30/min")
MICROCREDIT_VERIFY_RATE_IP = os.environ.get("MICROCREDIT_VERIFY_RATE_IP", "60/min")
