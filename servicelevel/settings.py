"""Settings, read from the environment only (see .env.example for every variable).

Embedded default: no DATABASE_URL → a SQLite file in the project folder; no REDIS_URL → Celery tasks run
in-process. Outside debug a missing DJANGO_SECRET_KEY stops startup.
"""

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_list, env_str, trusted_proxies


def env_int(name: str, *, default: int, unit: str = "") -> int:
    """A whole number ≥ 0 from the environment; anything else stops startup with the variable's name (and
    what the number counts, when it counts something)."""
    text = env_str(name)
    if not text:
        return default
    if not text.isdigit():
        counts = f" ({unit})" if unit else ""
        raise ImproperlyConfigured(f"{name} ska vara ett heltal ≥ 0{counts}, inte {text!r}.")
    return int(text)


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY saknas. Sätt miljövariabeln DJANGO_SECRET_KEY (se .env.example), "
            "eller DJANGO_DEBUG=1 för lokal utveckling."
        )
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - only reachable with DJANGO_DEBUG on

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
PORT = int(env_str("PORT") or 8000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "guardian",
    "django_tables2",
    "django_filters",
    "axes",
    "servicelevel",
    "units",
    "exemptions",
    "actionplan",
    "compliance",
    "portal",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    # First: X-Forwarded-* only from DJANGO_TRUSTED_PROXIES, before anything reads them (security.py).
    "servicelevel.security.ForwardedHeadersMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, the static files' and errors' too.
    "servicelevel.security.PolicyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # GET, HEAD and POST only: anything else is 405 on every path.
    "servicelevel.security.AnsweredMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A signed-in session ends DJANGO_SESSION_HOURS after its last request.
    "servicelevel.security.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # djangosaml2's own session cookie, only on /saml2/ and only with SAML configured (servicelevel/saml.py).
    "servicelevel.saml.SamlSessionMiddleware",
]

if not DEBUG:
    # Serves the collected /static/ from gunicorn in the production-like stack (WhiteNoise, without its
    # manifest); in debug runserver does it. Below the headers and the method check, so both apply.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("servicelevel.security.AnsweredMethodsMiddleware") + 1,
        "servicelevel.security.StaticFilesMiddleware",
    )

ROOT_URLCONF = "servicelevel.urls"
WSGI_APPLICATION = "servicelevel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's frame (base, partials, error pages, e-mails) in templates/; each portal feature's own
        # templates beside its views in portal/<feature>/templates/ (docs/architecture.md).
        "DIRS": [BASE_DIR / "templates", *sorted((BASE_DIR / "portal").glob("*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The region's name, its decision's number and title, the theme colour (region_texts.py).
                "servicelevel.context_processors.region",
            ],
        },
    },
]

# Form widgets render through the project's templates, so templates/django/forms/ may override one: the
# select's empty choice says "– välj –" instead of Django's "---------" in every form, the admin's too.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves one person at a time; wait for locks instead of failing at once, and
    # take the write lock when a transaction begins (IMMEDIATE), so two writers queue instead of the one
    # that read first failing with "database is locked" when it tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A list to extend (e.g. django-axes puts its backend first): PortalModelBackend is Django's ModelBackend
# refusing the demo accounts outside debug; guardian answers the object permissions.
AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the username+IP is locked out (django-axes), authenticates nobody.
    "servicelevel.accounts.LockoutBackend",
    "servicelevel.auth.PortalModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"

# Sign-in through the region's identity provider over OpenID Connect (servicelevel/oidc.py, identity.py;
# docs/deployment.md "Inloggning med SITHS eID"). Off while OIDC_ISSUER is empty. The claims named here
# carry the person's HSA-id, the values mapped to roles (ClaimRoleRule) and the unit / provider HSA-ids
# that become their grants, re-read at every sign-in.
OIDC_ISSUER = env_str("OIDC_ISSUER")  # exactly as the provider's ID tokens say it in `iss`
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SCOPES = env_str("OIDC_SCOPES") or "openid profile"
OIDC_HSA_ID_CLAIM = env_str("OIDC_HSA_ID_CLAIM") or "employeeHsaId"
OIDC_ROLE_CLAIM = env_str("OIDC_ROLE_CLAIM")
OIDC_UNIT_CLAIM = env_str("OIDC_UNIT_CLAIM")
OIDC_PROVIDER_CLAIM = env_str("OIDC_PROVIDER_CLAIM")
# What a sign-in's roles and unit/provider HSA-ids become (the units app's grants; servicelevel/identity.py
# names it here, as REPORT_CONTENT below, since servicelevel sits below units).
SIGN_IN_RIGHTS = "units.sign_in.set_rights"
# How far the portal's clock and the provider's may differ when an ID token's exp and iat are checked.
OIDC_CLOCK_LEEWAY_SECONDS = env_int("OIDC_CLOCK_LEEWAY_SECONDS", default=60, unit="sekunder")
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER är satt: sätt också OIDC_CLIENT_ID och OIDC_CLIENT_SECRET.")
if OIDC_ISSUER and "openid" not in OIDC_SCOPES.split():
    raise ImproperlyConfigured(f"OIDC_SCOPES ska innehålla openid, inte {OIDC_SCOPES!r}.")
# The portal's own password form (break-glass administration, the demo); 0 turns it off, and every
# password sign-in with it, the admin's too (servicelevel/auth.py).
LOCAL_LOGIN = env_bool("DJANGO_LOCAL_LOGIN", default=True)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes; servicelevel/accounts.py), counted two ways within the
# cool-off of 15 minutes: 5 wrong passwords for one username from one address lock that username from
# that address (a mistyping colleague behind the same proxy locks out nobody else); 10 for one username
# from any addresses lock the account everywhere (an attacker with many addresses gets 10 guesses, not 5
# per address). The account limit is higher so that a colleague's typing, or one attacker's address, does
# not lock the account for everyone; its price — anyone who knows a username can lock that account for
# the cool-off — is weighed in docs/deployment.md. A failure during a lock restarts it; a success clears
# the username's failures. Unlock early: `python manage.py axes_reset_username NAME`.
LOGIN_FAILURE_LIMITS = {("username", "ip_address"): 5, ("username",): 10}
AXES_LOCKOUT_PARAMETERS = [list(group) for group in LOGIN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["username", "ip_address"]
AXES_HANDLER = "servicelevel.accounts.LockoutHandler"  # a limit per group (axes has one for all)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "servicelevel.accounts.locked_out"
# The client behind the trusted proxy, never an address a client names itself (servicelevel/security.py).
AXES_CLIENT_IP_CALLABLE = "servicelevel.security.client_ip"
# axes' admin pages are English only; the admin stays Swedish (the command above unlocks).
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Files uploaded at /import/ wait here between their check and their import (web and worker must share
# it: a volume in docker-compose). Removed once the job has its outcome, or a day after the upload when it
# was never imported (servicelevel.import_jobs.expire_uploads, hourly).
IMPORT_UPLOAD_DIR = env_str("IMPORT_UPLOAD_DIR") or str(BASE_DIR / "media" / "imports")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads spill to a temporary file, not memory

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# HTTPS (docs/deployment.md). Outside debug the defaults are the secure ones; each is an environment
# variable so a deployment can loosen one knowingly (e.g. trying the stack on http://localhost).
SESSION_COOKIE_SECURE = not DEBUG
# A signed-in session ends after DJANGO_SESSION_HOURS (default 10, a working day) without a request; each
# request moves the end (servicelevel/security.py: SlidingSessionMiddleware, at most once per 5 minutes).
SESSION_HOURS = env_int("DJANGO_SESSION_HOURS", default=10, unit="timmar")
if SESSION_HOURS < 1:
    raise ImproperlyConfigured("DJANGO_SESSION_HOURS ska vara ett heltal ≥ 1 (timmar).")
SESSION_COOKIE_AGE = SESSION_HOURS * 3600
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (servicelevel/security.py; docs/frontend.md). Scripts only
# from the portal's own files (the vendored htmx): no inline script, no eval (htmx's hx-on and js: would
# need it; the templates use neither). Styles may be inline: the pages' <style> blocks and a few style
# attributes, which run no code. data: images are the design system's SVG icons. The shape is Django
# 6.0's SECURE_CSP, so its own middleware can take this over after an upgrade.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Permissions-Policy: every browser feature the portal does not use, switched off for it and anything
# it could embed. Only features Chromium knows: an unknown one is a console warning on every page
# (tests/browser/test_csp.py fails on it; Chromium 156 does not know "bluetooth" or "web-share").
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)
# Behind a TLS-terminating proxy gunicorn sees plain HTTP; the proxy's X-Forwarded-Proto says whether the
# browser used HTTPS, and its X-Forwarded-For who the browser is. Both are believed only with
# DJANGO_BEHIND_PROXY=1 and only from the addresses in DJANGO_TRUSTED_PROXIES (IPs or CIDR networks):
# ForwardedHeadersMiddleware removes them from every other request, and gunicorn.conf.py gives gunicorn
# the same list. The proxy must set (overwrite) X-Forwarded-Proto and append to X-Forwarded-For.
TRUSTED_PROXIES = trusted_proxies()
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
# Origins (scheme + host) whose POSTs are accepted when the proxy's public address differs from the Host
# gunicorn sees, e.g. https://servicenivå.skane.se.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=not DEBUG)
# The container health check asks gunicorn directly over plain HTTP; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000, unit="sekunder")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for the HSTS preload directive. Preloading binds the whole registrable domain
    # (the region's, not just the portal's host) into the browsers' lists for good, so it is the domain
    # owner's decision, made with DJANGO_HSTS_PRELOAD=1; until then the warning says nothing new.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Celery: with REDIS_URL a real broker; without it every task runs in-process, eagerly, so the embedded
# default (make run) needs nothing else running.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL

# Django's cache: the page cache (servicelevel/page_cache.py) and the dashboard's figures. Redis with
# REDIS_URL, under a key prefix of its own beside Celery's keys in the same database; without it the
# process's own memory (the embedded default's one process: a change made by another process, such as
# `manage.py import_data` beside `runserver`, shows there after at most DJANGO_PAGE_CACHE_SECONDS).
# DJANGO_PAGE_CACHE_SECONDS bounds how long a page is kept (every change that could alter it replaces the
# generation sooner); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", default=600, unit="sekunder")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its redis-py clients (servicelevel/page_cache.py).
            "BACKEND": "servicelevel.page_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "servicelevel-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers recycle to bound memory: WeasyPrint keeps fonts, images and layout caches per process, so a
# child process is replaced after this many tasks or once it has grown past this many KiB (docs/reports.md).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50, unit="uppgifter")
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=600_000, unit="KiB"
)

# PDF reports (/rapporter/): stored under MEDIA_ROOT/reports and served only through the portal's download
# view, which checks rights: MEDIA_URL is never routed. The task builds a report's HTML with the function
# named here (the portal owns the pages' selectors and templates; compliance only stores and renders).
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
REPORT_CONTENT = "portal.reports.content.report_html"
# Report requests per person (compliance.reports.report_request): a region report is seconds of a worker's
# CPU, so one person may have at most this many being made at a time (queued or rendering) and ask for at
# most this many an hour. Far above what an analyst asks for; 0 turns a limit off.
REPORT_MAX_RUNNING_PER_PERSON = env_int("DJANGO_REPORT_MAX_RUNNING_PER_PERSON", default=3, unit="rapporter")
REPORT_MAX_PER_HOUR = env_int("DJANGO_REPORT_MAX_PER_HOUR", default=30, unit="rapporter")
# The portal's address in e-mails (reminders link to the exemption's page).
PORTAL_URL = env_str("PORTAL_URL", "http://localhost:8000").rstrip("/")
# The region this deployment follows, by the region code of its rulebooks (docs/rules.md).
# The deployment's region by its rulebooks' code; empty: the region of the version loaded last
# (servicelevel/region.py).
SERVICELEVEL_REGION = env_str("SERVICELEVEL_REGION", "")
# The pages' accent colour (#rrggbb); empty: the region's own (servicelevel/region_texts.py THEME_COLOURS).
SERVICELEVEL_THEME_COLOUR = env_str("SERVICELEVEL_THEME_COLOUR", "")

# E-mail (reminders and the exemption workflow's messages, docs/reports.md): printed on the console in
# development (DJANGO_DEBUG=1), SMTP otherwise; EMAIL_BACKEND overrides either.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=20, unit="sekunder")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Servicenivåportalen <servicenivaportalen@skane.se>")

# Exemptions (docs/exemptions.md): "tidsbegränsat" is a bound — an exemption decided in the portal ends at
# most this many months after its first day (exemptions/rules.py); imported ones keep the file's range.
EXEMPTION_MAX_MONTHS = env_int("DJANGO_EXEMPTION_MAX_MONTHS", default=12, unit="månader")
if EXEMPTION_MAX_MONTHS < 1:
    raise ImproperlyConfigured("DJANGO_EXEMPTION_MAX_MONTHS ska vara ett heltal ≥ 1 (månader).")

# The REST API (docs/api.md): Bearer tokens only (no session, so no CSRF), JSON only, per-token throttling in
# Django's cache (Redis with REDIS_URL). API_THROTTLE_RATE: requests per token, "N/s|min|hour|day".
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured("API_THROTTLE_RATE ska vara antal/tid, t.ex. 600/min (s, min, hour, day).")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Servicenivåportalen API",
    "DESCRIPTION": "Enheternas resultat, regelverket, avstegen och import av filer (docs/api.md). "
    "Anropen kräver en nyckel: `Authorization: Bearer <nyckel>`, skapad under /konto/api-nycklar/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# SAML 2 sign-in (servicelevel/saml.py; docs/deployment.md "SAML 2 sign-in"). Off unless SAML_SP_ENTITY_ID
# and the IdP's metadata (SAML_IDP_METADATA_URL or SAML_IDP_METADATA_FILE) are both set; the ACS URL is
# PORTAL_URL + /saml2/acs/. The attributes' names are settings, the values' meaning data (identity.py).
SAML_SP_ENTITY_ID = env_str("SAML_SP_ENTITY_ID")
SAML_IDP_METADATA_URL = env_str("SAML_IDP_METADATA_URL")
SAML_IDP_METADATA_FILE = env_str("SAML_IDP_METADATA_FILE")
SAML_IDP_METADATA_CERT_FILE = env_str("SAML_IDP_METADATA_CERT_FILE")
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE")
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE")
SAML_SP_KEY_PEM = env_str("SAML_SP_KEY_PEM")
SAML_SP_CERT_PEM = env_str("SAML_SP_CERT_PEM")
SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY")
SAML_HSA_ID_ATTRIBUTE = env_str("SAML_HSA_ID_ATTRIBUTE") or "urn:sambi:names:attribute:employeeHsaId"
SAML_ROLE_ATTRIBUTE = env_str("SAML_ROLE_ATTRIBUTE") or "urn:sambi:names:attribute:commissionPurpose"
SAML_UNIT_ATTRIBUTE = env_str("SAML_UNIT_ATTRIBUTE") or "urn:sambi:names:attribute:healthCareUnitHsaId"
SAML_PROVIDER_ATTRIBUTE = (
    env_str("SAML_PROVIDER_ATTRIBUTE") or "urn:sambi:names:attribute:healthCareProviderHsaId"
)
if bool(SAML_SP_ENTITY_ID) != bool(SAML_IDP_METADATA_URL or SAML_IDP_METADATA_FILE):
    raise ImproperlyConfigured(
        "SAML kräver både SAML_SP_ENTITY_ID och identitetsleverantörens metadata (SAML_IDP_METADATA_URL "
        "eller SAML_IDP_METADATA_FILE), eller ingen av dem (docs/deployment.md)."
    )
if bool(SAML_SP_KEY_FILE or SAML_SP_KEY_PEM) != bool(SAML_SP_CERT_FILE or SAML_SP_CERT_PEM):
    raise ImproperlyConfigured(
        "SAML: tjänstens nyckel och certifikat hör ihop — sätt både SAML_SP_KEY_FILE (eller SAML_SP_KEY_PEM) "
        "och SAML_SP_CERT_FILE (eller SAML_SP_CERT_PEM), eller ingen av dem."
    )
# djangosaml2: the configuration from servicelevel.saml (never a SAML_CONFIG dict here), no django-csp.
SAML_CONFIG_LOADER = "servicelevel.saml.config_loader"
SAML_CSP_HANDLER = ""
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_SESSION_COOKIE_NAME = "saml_session"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
    # In-process tasks would otherwise log a line per task in the development server's console.
    "loggers": {
        "celery": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
        # WeasyPrint logs each layout step and page at INFO (reports: docs/reports.md).
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
