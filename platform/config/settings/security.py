"""Sign-in security: passwords, sessions, API tokens, lockout (django-axes), two-factor
(django-otp). What each setting protects is described in README, "Security"."""

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF

from config.settings.env import env

# --- Passwords (ASVS 6.2): 12+ characters, not a common password, not like the name/email.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation links (set-password, sent by onboarding and admins) work this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_INVITATION_SECONDS", default=60 * 60 * 24 * 3)
# A "forgot your password" link works this long (and once).
ACCOUNTS_PASSWORD_RESET_MINUTES = env.int("ACCOUNTS_PASSWORD_RESET_MINUTES", default=60)
# Reset requests accepted per client address and per email address per hour.
ACCOUNTS_PASSWORD_RESET_PER_IP_HOUR = env.int("ACCOUNTS_PASSWORD_RESET_PER_IP_HOUR", default=10)
ACCOUNTS_PASSWORD_RESET_PER_EMAIL_HOUR = env.int(
    "ACCOUNTS_PASSWORD_RESET_PER_EMAIL_HOUR", default=3
)

# --- Sessions: end after inactivity and, whatever the activity, after an absolute limit.
ACCOUNTS_SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
ACCOUNTS_SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
# The cookie and the session row live as long as the absolute limit; the middleware ends
# the session earlier when it has been idle.
SESSION_COOKIE_AGE = ACCOUNTS_SESSION_ABSOLUTE_SECONDS

# --- API tokens (django-rest-knox): expire, and a user holds at most this many live ones.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKEN_LIMIT_PER_USER", default=20),
}

# --- Lockout (django-axes): per account and per client address, in the schema of the
# host signed in to (its tables are in every council's schema and in public).
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=30))
# A success must not wipe the failures: axes would also clear every row of the address,
# so an insider could reset the count on a colleague's account by signing in themselves.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"  # core.client_ip, validated
AXES_USERNAME_CALLABLE = "accounts.lockout.username_for_lockout"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp", "code"]
AXES_VERBOSE = False
# Successful sign-ins are recorded by accounts (LoginEvent) and the audit log; axes keeps
# only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True

# --- Two-factor (django-otp): TOTP apps and one-time recovery codes.
OTP_TOTP_ISSUER = env("PLATFORM_NAME", default="Councillor Caseload")
# Recovery codes made at enrolment (each works once).
ACCOUNTS_RECOVERY_CODES = 10
# A signed-in password step waits this long for its second factor.
ACCOUNTS_SECOND_FACTOR_WAIT_SECONDS = env.int("SECOND_FACTOR_WAIT_SECONDS", default=300)

# --- Content-Security-Policy (django-csp): our own origin only, no inline style, and inline
# script only with the request's nonce (base.html's two small scripts carry it). A page on
# one council's host loads nothing from another's, nor from any CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # GOV.UK Frontend's CSS draws a few icons as data: URIs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
