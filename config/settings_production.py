"""Production settings: secrets and hosts come from the environment; everything is locked down.

`manage.py check --deploy` reports nothing with these settings (a test asserts it).
"""

import os

from config.settings_base import *  # noqa: F403

DEBUG = False
SALESDESK_DEMO_ALLOWED = False  # demo users have their username as password
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
WHITENOISE_USE_FINDERS = False
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Reports may read from a replica; without one the alias points at the primary.
if os.environ.get("DATABASE_REPORTS_URL"):
    import dj_database_url

    DATABASES["reports"] = dj_database_url.parse(os.environ["DATABASE_REPORTS_URL"], conn_max_age=60)  # noqa: F405

LOGGING["root"]["level"] = "INFO"  # noqa: F405
