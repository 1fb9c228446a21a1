"""Django settings for dangjian, read from DANGJIAN_* environment variables (see env.py)."""

import os
from pathlib import Path

from dangjian.demo.personas import PERSONAS
from dangjian.env import (
    database_from_url,
    envbool,
    envint,
    envlist,
    envsecret,
    envstr,
    persistent_secret,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(envstr("DANGJIAN_HOME", str(PACKAGE_DIR.parent.parent))).resolve()
VAR_DIR = Path(envstr("DANGJIAN_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DANGJIAN_DEBUG", False)
# Demo mode relaxes nothing about access; it only shows demo logins on the sign-in page and
# skips the forced password change of the demo accounts.
DEMO_MODE = envbool("DANGJIAN_DEMO", False)
SECRET_KEY = envsecret("DANGJIAN_SECRET_KEY") or persistent_secret(VAR_DIR / "secret_key")
ALLOWED_HOSTS = envlist("DANGJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": database_from_url(
        envstr("DANGJIAN_DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Domain apps first, lowest layer first (facts → judgments → actions → presentation):
    # an app's zh_Hans catalogue then wins over Django's own for the same msgid ("Filter").
    "dangjian.core",
    "dangjian.rulebook",
    "dangjian.access",
    "dangjian.registry",
    "dangjian.party",
    "dangjian.governance",
    "dangjian.orglife",
    "dangjian.dues",
    "dangjian.notices",
    "dangjian.transfers",
    "dangjian.inspections",
    "dangjian.recruitment",
    "dangjian.rules",
    "dangjian.recommendations",
    "dangjian.applications",
    "dangjian.recognition",
    "dangjian.ledgers",
    "dangjian.documents",
    "dangjian.cases",
    "dangjian.dashboard",
    "dangjian.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
]
BEHIND_PROXY = envbool("DANGJIAN_BEHIND_PROXY", False)  # see core.http.client_ip
# Notifications (the bell, notices.services.notify) may also go out by e-mail to users who have
# an address: off by default, as no mail server is assumed on an intranet.
NOTIFY_BY_EMAIL = envbool("DANGJIAN_NOTIFY_EMAIL", False)
EMAIL_HOST = envstr("DANGJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DANGJIAN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = envstr("DANGJIAN_EMAIL_FROM", "dangjian@localhost")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.middleware.SecurityHeadersMiddleware",
    "dangjian.access.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.site",
                "dangjian.access.context_processors.capabilities",
                # Demo sign-ins on the sign-in page (empty unless DANGJIAN_DEMO is set).
                "dangjian.demo.context_processors.demo_sign_ins",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("DANGJIAN_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dangjian.access.passwords.CharacterClassValidator"},
    {
        # The demo's passwords are public: nobody may choose one (forced change included).
        "NAME": "dangjian.access.passwords.PublishedPasswordValidator",
        "OPTIONS": {"passwords": [persona["password"] for persona in PERSONAS]},
    },
    # Not the current password nor one of the last PASSWORD_HISTORY_SIZE (hashes kept).
    {"NAME": "dangjian.access.passwords.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_SIZE = envint("DANGJIAN_PASSWORD_HISTORY", 5)
# The lockout is part of authenticating (every caller of authenticate() is covered).
AUTHENTICATION_BACKENDS = ["dangjian.access.backends.LockoutBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after inactivity (等保 asks for a timeout); each request renews the window.
SESSION_COOKIE_AGE = envint("DANGJIAN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Production is HTTPS: secure cookies, the redirect to https and HSTS are on unless debug or demo
# (both on http://127.0.0.1). DANGJIAN_PLAIN_HTTP=1 is the one switch for an intranet served
# without TLS; the three finer switches below stay for the rare mixed case.
PLAIN_HTTP = envbool("DANGJIAN_PLAIN_HTTP", DEBUG or DEMO_MODE)
SECURE_COOKIES = envbool("DANGJIAN_SECURE_COOKIES", not PLAIN_HTTP)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = envbool("DANGJIAN_SSL_REDIRECT", not PLAIN_HTTP)
SECURE_HSTS_SECONDS = envint("DANGJIAN_HSTS_SECONDS", 0 if PLAIN_HTTP else 365 * 24 * 3600)
# Behind nginx, gunicorn takes the scheme from X-Forwarded-Proto (docs/operations.md 2.5), so
# the redirect sees https requests as such.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DANGJIAN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("DANGJIAN_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Error pages are the project's, in Chinese (templates/400.html … 500.html); so is this one.
CSRF_FAILURE_VIEW = "dangjian.access.views.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = envstr("DANGJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# npm packages are served straight from node_modules under a "vendor/" prefix.
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor", BASE_DIR / "node_modules")]
STORAGES = {
    # Uploads are sealed at rest with the field key (core.sealed, core.storage).
    "default": {"BACKEND": "dangjian.core.storage.SealedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# Archived ledger uploads (and their error workbooks) are removed this many days after upload
# by `dangjian prune_uploads` (docs/operations.md); the upload's record and audit stay.
UPLOAD_RETENTION_DAYS = envint("DANGJIAN_UPLOAD_RETENTION_DAYS", 180)
MEDIA_URL = "/media/"
# An export of more rows than this is made by the task worker and downloaded from 我的导出
# (access.background_exports): at ~0.5 ms a row, a province's member ledger would hold a
# request for minutes. Its file is kept this many days, then removed by the nightly run.
EXPORT_IN_REQUEST_ROWS = envint("DANGJIAN_EXPORT_IN_REQUEST_ROWS", 10_000)
EXPORT_RETENTION_DAYS = envint("DANGJIAN_EXPORT_RETENTION_DAYS", 7)

DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DANGJIAN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The periodic jobs (dashboard.scheduled): `dangjian scheduler` queues `dangjian nightly` once a
# day at this local time (HH:MM) and the notice reminders every so many minutes.
NIGHTLY_AT = envstr("DANGJIAN_NIGHTLY_AT", "01:15")
REMIND_EVERY_MINUTES = envint("DANGJIAN_REMIND_EVERY_MINUTES", 15)
# After a write marks the journal of touched subjects (core.touch), the rules follow it:
# "task" queues rules.tasks.follow_facts for the task worker, "request" runs it when the
# request's transaction commits, "off" leaves it to the next run.
DANGJIAN_FOLLOW_FACTS = envstr("DANGJIAN_FOLLOW_FACTS", "task")
# Threads that evaluate rules side by side in a run (rules.parallel), each with its own
# database connection (count them into PostgreSQL's max_connections); 1: one after the other.
RULE_WORKERS = envint("DANGJIAN_RULE_WORKERS", min(4, os.cpu_count() or 1))

# Key for encrypting ID numbers and phones at rest (AES-256-GCM) and for their blind index.
# Generated into var/ for the demo; production must pass DANGJIAN_FIELD_KEY or _FILE.
FIELD_ENCRYPTION_KEYS = envlist("DANGJIAN_FIELD_KEYS", []) or [
    envsecret("DANGJIAN_FIELD_KEY") or persistent_secret(VAR_DIR / "field_key", 32)
]
BLIND_INDEX_KEY = envsecret("DANGJIAN_BLIND_INDEX_KEY") or persistent_secret(
    VAR_DIR / "blind_index_key", 32
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("DANGJIAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
