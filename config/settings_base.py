"""Development settings, and the base every other settings module builds on."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SALESDESK_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "salesdesk.core",
    "salesdesk.accounts",
    "salesdesk.catalog",
    "salesdesk.customers",
    "salesdesk.inventory",
    "salesdesk.ledger",
    "salesdesk.sales",
    "salesdesk.fulfilment",
    "salesdesk.billing",
    "salesdesk.reporting",
    "salesdesk.setup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "salesdesk.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "salesdesk.accounts.middleware.CompanyMiddleware",
    # Last, so it sees a view's deadlock first and can run the view again (`core.retry`).
    "salesdesk.core.retry.RetryConflictsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "salesdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "salesdesk.accounts.context.navigation",
            ],
        },
    },
]


def postgresql_prepared_statements() -> dict:
    """Let PostgreSQL plan a statement once per connection, not at every run.

    Django turns prepared statements off so that transaction-mode poolers keep working. Our
    services run the same statements again and again (core.prepared composes them once), and
    planning a locked read with its parents took PostgreSQL three times as long as running
    it. psycopg prepares a statement on its third run on a connection when the parameters
    are bound by the server. SALESDESK_PG_PREPARE=0 goes back to Django's default (for a
    pooler that cannot carry prepared statements).
    """
    if os.environ.get("SALESDESK_PG_PREPARE", "1") == "0":
        return {}
    return {"server_side_binding": True, "prepare_threshold": 2}


def database_from_env() -> dict:
    """SQLite under var/ unless DATABASE_URL names another database (PostgreSQL in production).

    SALESDESK_SQLITE_PATH puts the SQLite file elsewhere with the same options (the
    benchmarks keep their generated companies in their own files under var/bench/).
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if database["ENGINE"] == "django.db.backends.postgresql":
            database.setdefault("OPTIONS", {}).update(postgresql_prepared_statements())
        return database
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "salesdesk.core.sqlite_backend",
        "NAME": Path(os.environ.get("SALESDESK_SQLITE_PATH") or VAR_DIR / "salesdesk.sqlite3"),
        # Every atomic block takes the write lock at BEGIN, so two writers never deadlock
        # on a lock upgrade; the busy timeout makes the loser wait instead of failing.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"),
        },
        # Tests run in memory unless asked for a file. Said explicitly: pytest-django knows an
        # in-memory default only by Django's own engine name, and this engine is a subclass.
        "TEST": {"NAME": VAR_DIR / "test.sqlite3" if os.environ.get("SALESDESK_TEST_DB_FILE") else ":memory:"},
    }


DATABASES = {"default": database_from_env()}
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise expects STATIC_ROOT to exist
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "salesdesk" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "salesdesk@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "salesdesk.accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "salesdesk.core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesdesk.core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Salesdesk API",
    "DESCRIPTION": (
        "Sales management: quotation to cash. Errors carry a stable `code`; see the "
        "`Error` schema. Send `X-Company` to act in another company you belong to and "
        "`Idempotency-Key` on POSTs to make retries safe."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LedgerAccountKindEnum": "salesdesk.ledger.models.Account.Kind"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "salesdesk.core.api.schema.add_common_headers_and_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# `manage.py load_demo` creates users whose password is their username: development only.
SALESDESK_DEMO_ALLOWED = True
SALESDESK_COMPANY_RESOLVER = "salesdesk.accounts.tenancy.resolve_request_company"
# The test settings (conftest.py) turn on the comparison of every prepared read and shortcut
# write with the ORM's own (core.prepared, core.rows). Named here even though off: asking the
# settings for a name they do not have costs an exception, about 1 us, some 190 times an order.
SALESDESK_CHECK_PREPARED = False

# SQLite cannot enforce "one top-level category per name" (a unique key with NULLs not
# distinct); on SQLite the audited writes check it instead (core.audit), PostgreSQL enforces it.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
