"""One settings module, driven by environment variables; SQLite under var/ by default.

TRELLIS_PRODUCTION 1 in production (``make serve`` and deploy/ set it): refuses to start without a
                   secret key, allowed hosts and DATABASE_URL, or with debug on.
TRELLIS_DEBUG      1 to show debug pages (``make run`` sets it); off by default.
TRELLIS_SECRET_KEY required in production; otherwise one is made and kept in var/secret_key.
TRELLIS_ALLOWED_HOSTS  comma-separated; default 127.0.0.1,localhost.
DATABASE_URL       sqlite:////absolute/path.sqlite3 or postgres://user@host:port/name.
TRELLIS_PG_OPTIONS PostgreSQL session settings (default "-c random_page_cost=1.1", for SSDs).
DATABASE_REPLICA_URL  a PostgreSQL replica of DATABASE_URL: the dashboards' aggregate reads go there.
TRELLIS_REPLICA_AFTER_SAVE_SECONDS  after a save, that person's dashboards read the primary this long (60).
TRELLIS_SESSION_IDLE_MINUTES  sign out after this many minutes without a request (default 30).
TRELLIS_API_TOKEN_DAYS  how long a new API token lasts unless its maker says (default 90).
TRELLIS_PROXY_COUNT  reverse proxies in front of the app, for the sign-in throttle's addresses (default 0).
TRELLIS_EMAIL_BACKEND, TRELLIS_EMAIL_HOST, TRELLIS_EMAIL_PORT, TRELLIS_EMAIL_HOST_USER,
TRELLIS_EMAIL_HOST_PASSWORD, TRELLIS_EMAIL_USE_TLS, TRELLIS_FROM_EMAIL  invitations and password resets
                   (default: the console; production says so at start-up).
TRELLIS_REQUIRE_2FA  1 (default): SENCOs, leaders, the office and superusers must set up two-factor
                   sign-in before they see pupil data; 0 turns the requirement off (demo, tests).
TRELLIS_OIDC_PROVIDERS  JSON list of OpenID Connect sign-in services (Microsoft Entra ID, Google
                   Workspace) for the trust's or schools' staff; see the README "Signing in".
TRELLIS_DEADLINE_DUE_SOON_DAYS  a statutory step is "due soon" this many days ahead (default 28).
TRELLIS_UNDER5_REVIEW_MONTHS  EHC plan reviews of under-5s every this many months, 3 to 6 (default 6).
TRELLIS_SITE_URL   the address people open Trellis at, for links in emails sent by the worker
                   (the weekly to-do email); default http://localhost:8000.
TRELLIS_HTTPS      1 when served over HTTPS: secure cookies, HTTP redirected to HTTPS, HSTS for a year.
TRELLIS_BACKGROUND_IMPORT_ROWS  an import of more pupils than this runs on the worker (default 2000).
TRELLIS_RETENTION_YEARS  a pupil's SEN file is kept until this birthday, then listed for deletion (31).
TRELLIS_WORKER_STALE_SECONDS  /health/ calls the worker "stale" after this long without a heartbeat (60).
"""

import datetime as dt
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from trellis.accounts.oidc_config import oidc_apps_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRELLIS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("TRELLIS_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _refuse_unsafe_production() -> None:
    """Production mode never falls back to a dev default: a key written to one machine's disk would
    differ between app machines (signing everyone out at random), and debug pages show settings."""
    missing = [
        name for name in ("TRELLIS_SECRET_KEY", "TRELLIS_ALLOWED_HOSTS", "DATABASE_URL") if not os.environ.get(name)
    ]
    if missing:
        raise ImproperlyConfigured(f"TRELLIS_PRODUCTION is on, so {', '.join(missing)} must be set (see the README).")
    key = os.environ["TRELLIS_SECRET_KEY"]
    if len(key) < 50 or len(set(key)) < 5:  # Django's own test of a strong key (security.W009)
        raise ImproperlyConfigured(
            "TRELLIS_SECRET_KEY must be at least 50 random characters: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' makes one."
        )
    if _env_flag("TRELLIS_DEBUG"):
        raise ImproperlyConfigured("TRELLIS_PRODUCTION is on, so TRELLIS_DEBUG must be off.")


PRODUCTION = _env_flag("TRELLIS_PRODUCTION")
if PRODUCTION:
    _refuse_unsafe_production()
DEBUG = _env_flag("TRELLIS_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("TRELLIS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "ninja",  # the API docs page from ninja's own static files, not a CDN (CSP allows only 'self')
    "django_htmx",
    "template_partials",
    "axes",
    # Sign-in: password (allauth.account), Microsoft/Google single sign-on (OpenID Connect) and
    # two-factor codes (allauth.mfa); see trellis/accounts/signin.py and the README "Signing in".
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "trellis.accounts",
    "trellis.schools",
    "trellis.pupils",
    "trellis.audit",
    "trellis.idempotency",
    "trellis.api",
    "trellis.demo",
    "trellis.dashboards",
    "trellis.transfer",
    "trellis.assessment",
    "trellis.plans",
    "trellis.identification",
    "trellis.evidence",
    "trellis.provision",
    "trellis.jobs",
    "trellis.meetings",
    "trellis.deadlines",
    "trellis.dataprotection",
    "trellis.documents",
    "trellis.families",
    "trellis.specialists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "trellis.lib.middleware.SecurityHeadersMiddleware",  # no-store and Permissions-Policy, below static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trellis.lib.replica.StickToPrimaryAfterSave",  # after a save, this person's dashboards read the primary
    "trellis.accounts.idle.IdleTimeoutMiddleware",  # before sign-in is required: keeps an expired form
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trellis.accounts.middleware.LoginRequiredMiddleware",  # pages need sign-in by default
    "trellis.accounts.twofactor.RequireTwoFactorMiddleware",  # leaders set up 2FA before anything else
    "trellis.evidence.voice_lock.PupilVoiceLockMiddleware",  # a tablet locked to a pupil's voice page
    "trellis.lib.busy.BusyDatabaseMiddleware",  # a locked database is "busy, try again" (503), not a 500
    "trellis.lib.middleware.BadQueryMiddleware",  # a query string a page cannot use: 400, saying why
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the sign-in page's message
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trellis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.accounts.context_processors.navigation",
            ],
        },
    },
]

# Widgets render with the project's templates too (the three-part date input); the renderer also
# offers back a form that was posted after the session timed out (trellis/accounts/idle.py).
FORM_RENDERER = "trellis.accounts.idle.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'trellis.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,  # a connection PostgreSQL dropped (restart, failover) is replaced, not a 500
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # A save waits this long for the one write lock: imports hold it for seconds (they stage
        # first), so a wait this long succeeds; past it the page says "busy, try again".
        "timeout": 15,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's default random_page_cost (4) assumes spinning disks; on SSDs it leads the planner
    # to read every target to find one school's. 1.1 is the usual SSD value (set it server-wide
    # instead, or change it here with TRELLIS_PG_OPTIONS).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", os.environ.get("TRELLIS_PG_OPTIONS", "-c random_page_cost=1.1")
    )
    # Without it a request (and the load balancer's health check) waits for ever on a lost server.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)

# Dashboards' aggregate reads from a PostgreSQL replica (trellis/lib/replica.py): only with
# DATABASE_REPLICA_URL. After a save, that person's dashboards read the primary for this long.
REPLICA_AFTER_SAVE_SECONDS = int(os.environ.get("TRELLIS_REPLICA_AFTER_SAVE_SECONDS", "60"))
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=60, conn_health_checks=True)
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a replica of DATABASE_URL's database (PostgreSQL)")
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # under test, the replica is the test database itself
    DATABASE_ROUTERS = ["trellis.lib.replica.ReplicaRouter"]

# Nothing in process memory: several app processes (or machines) serve one trust, so sessions
# (Django's default, the database), sign-in throttling (django-axes, the database), one-time keys
# and locks (the database) and the cache are shared. `manage.py createcachetable` makes its table.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trellis_cache",
    }
}

# Background jobs (trellis/jobs): django-tasks with its database queue, a table in DATABASES, so
# nothing else is installed or run but `manage.py run_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TRELLIS_BACKGROUND_IMPORT_ROWS = int(os.environ.get("TRELLIS_BACKGROUND_IMPORT_ROWS", "2000"))
TRELLIS_RETENTION_YEARS = int(os.environ.get("TRELLIS_RETENTION_YEARS", "31"))
TRELLIS_WORKER_STALE_SECONDS = int(os.environ.get("TRELLIS_WORKER_STALE_SECONDS", "60"))
# A batch of documents' zip (pupils' records) is deleted this many days after it was made.
TRELLIS_BATCH_KEEP_DAYS = int(os.environ.get("TRELLIS_BATCH_KEEP_DAYS", "7"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# A specialist's report is overdue this many weeks after they saw the pupil; a referral not yet
# seen is a long wait after this many weeks (18: the NHS referral-to-treatment standard).
SPECIALIST_REPORT_WEEKS = int(os.environ.get("TRELLIS_SPECIALIST_REPORT_WEEKS", "6"))
REFERRAL_LONG_WAIT_WEEKS = int(os.environ.get("TRELLIS_REFERRAL_LONG_WAIT_WEEKS", "18"))
# How long a parent's invitation link works (it works once).
FAMILY_INVITATION_DAYS = 7
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sign-in throttling (django-axes, counted in the database). An account is paused after
# AXES_FAILURE_LIMIT wrong passwords from anywhere; an address after TRELLIS_SIGNIN_ADDRESS_LIMIT
# for any accounts (higher, because a whole school signs in from one address). Either lifts
# AXES_COOLOFF_TIME after the last failure, or when an administrator unlocks it (audited).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",  # the session's backend after a Microsoft/Google sign-in
]
AXES_HANDLER = "trellis.accounts.lockout.Handler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 10
TRELLIS_SIGNIN_ADDRESS_LIMIT = 50
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_CALLABLE = "trellis.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "trellis.accounts.lockout.client_ip"
# Behind a reverse proxy every request comes from the proxy: say how many proxies there are, so
# the address is read from their X-Forwarded-For (0: the address is the connection's own).
TRELLIS_PROXY_COUNT = int(os.environ.get("TRELLIS_PROXY_COUNT", "0"))
if TRELLIS_PROXY_COUNT:
    # The proxy ends HTTPS and says so in X-Forwarded-Proto (deploy/nginx.conf overwrites any the
    # client sent); without this every request looks like HTTP and is redirected for ever.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# django-allauth's sign-in form names its field "login"; Trellis's is still "username" (forms.SignInForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # unlocking goes through /account/lockouts/, which audits it

# Signing in (django-allauth): by username and password, or with the school's Microsoft or Google
# account (OpenID Connect; trellis/accounts/signin.py matches a verified email to an existing user:
# nobody signs themselves up), then a code from an authenticator app when they have set one up.
ACCOUNT_ADAPTER = "trellis.accounts.signin.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "trellis.accounts.signin.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "trellis.accounts.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]  # unused: signing up is closed
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts are made by the school, with the address it knows
ACCOUNT_SESSION_REMEMBER = True  # the session lasts SESSION_COOKIE_AGE, as before; no "remember me" box
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# A reset asked for an unknown address sends nothing (and the page says the same either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
# django-axes throttles wrong passwords (by account and by address, with its own page), so allauth's
# own password limits are off (signin.AccountAdapter.pre_authenticate): they would lock a whole school's
# address first. Its "login_failed" limit still counts wrong two-factor codes: 5 per person in 5 minutes.
ACCOUNT_RATE_LIMITS = {"login": False, "login_failed": "5/300s/key"}
SOCIALACCOUNT_LOGIN_ON_GET = False  # a cross-site link cannot start a sign-in
SOCIALACCOUNT_STORE_TOKENS = False  # Trellis calls no Microsoft or Google API
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_apps_from_environment()}}
MFA_ADAPTER = "trellis.accounts.twofactor.MFAAdapter"
# Passkeys (WebAuthn: a security key, or the phone's or computer's own) as a second factor after the
# password. Not passwordless sign-in (MFA_PASSKEY_LOGIN_ENABLED stays off): see the README "Signing in".
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_FORMS = {
    "add_webauthn": "trellis.accounts.forms.AddPasskeyForm",
    "edit_webauthn": "trellis.accounts.forms.EditPasskeyForm",
    "authenticate_webauthn": "trellis.accounts.forms.PasskeySignInForm",
}
MFA_TOTP_ISSUER = "Trellis"
MFA_TOTP_TOLERANCE = 1  # the code of the 30 seconds before or after: phones' clocks drift, people type slowly
# Whole-school and trust roles must set up two-factor sign-in (trellis/accounts/twofactor.py).
TRELLIS_REQUIRE_2FA = _env_flag("TRELLIS_REQUIRE_2FA", "1")

# Staff are signed out after this long without a request; a form posted after it is offered back.
TRELLIS_SESSION_IDLE_MINUTES = int(os.environ.get("TRELLIS_SESSION_IDLE_MINUTES", "30"))
TRELLIS_API_TOKEN_DAYS = int(os.environ.get("TRELLIS_API_TOKEN_DAYS", "90"))
# Statutory deadlines (trellis.deadlines): "due soon" this many days ahead; under-5s' EHC reviews every n months.
TRELLIS_DEADLINE_DUE_SOON_DAYS = int(os.environ.get("TRELLIS_DEADLINE_DUE_SOON_DAYS", "28"))
TRELLIS_UNDER5_REVIEW_MONTHS = int(os.environ.get("TRELLIS_UNDER5_REVIEW_MONTHS", "6"))
if not 3 <= TRELLIS_UNDER5_REVIEW_MONTHS <= 6:  # SEND Code of Practice 9.178: every 3 to 6 months
    raise ValueError(f"TRELLIS_UNDER5_REVIEW_MONTHS must be 3 to 6 (got {TRELLIS_UNDER5_REVIEW_MONTHS})")

# Email (meeting invitations, password resets): printed to the console unless a backend is set, e.g.
# TRELLIS_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with the TRELLIS_EMAIL_* settings.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get("TRELLIS_EMAIL_BACKEND") or CONSOLE_EMAIL_BACKEND
EMAIL_HOST = os.environ.get("TRELLIS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TRELLIS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TRELLIS_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TRELLIS_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("TRELLIS_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("TRELLIS_FROM_EMAIL", "trellis@localhost")
if PRODUCTION and EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
    # Password resets and invitations would vanish into the server's log: say so at start-up.
    sys.stderr.write(
        "Trellis: TRELLIS_EMAIL_BACKEND is not set, so email (password resets, invitations) goes to the "
        "console log, not to people. Set TRELLIS_EMAIL_BACKEND and TRELLIS_EMAIL_HOST (README, Configuration).\n"
    )
# Emails sent without a request (the weekly to-do email) link here.
TRELLIS_SITE_URL = os.environ.get("TRELLIS_SITE_URL", "http://localhost:8000").rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up if it is missing
STATICFILES_DIRS = [BASE_DIR / "trellis" / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION  # production serves what collectstatic gathered (make serve)
if PRODUCTION:
    # File names carry a hash of their content, so browsers may keep them for a year; gzipped
    # copies are made once, at collectstatic.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

MEDIA_ROOT = VAR_DIR / "uploads"  # never served directly: files go through access-checked views

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a school day
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # page addresses hold pupil ids: never send them to another site
X_FRAME_OPTIONS = "DENY"
if not DEBUG and _env_flag("TRELLIS_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer checks each app process over plain HTTP
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the whole domain (the school's or trust's, not ours) to HTTPS in every
    # browser for good: the domain's owner decides that, so the header does not ask for it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Scripts, styles, images and fonts only from Trellis itself (htmx is a static file): no inline
# script or style anywhere, so an injected <script> or style="" does nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the API docs page draws its icons from data: URLs
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
