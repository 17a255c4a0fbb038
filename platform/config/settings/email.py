from config.settings.env import env

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds before an SMTP call gives up. Unset means Django's default (wait forever), which in
# production would let one stuck relay hold a Celery worker; deploy/ sets 20.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=None)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Councillor Caseload <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The outbox (platform/mailer). Production sends through django-anymail, e.g.
# EMAIL_BACKEND=anymail.backends.amazon_ses.EmailBackend (AWS credentials from the usual AWS
# env vars / IAM role; needs the "django-anymail[amazon-ses]" extra) or
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with ANYMAIL_POSTMARK_SERVER_TOKEN.
ANYMAIL = {"POSTMARK_SERVER_TOKEN": env("ANYMAIL_POSTMARK_SERVER_TOKEN", default="")}
# A claimed row is retried by another worker after this many seconds; it must exceed the
# slowest single send (EMAIL_TIMEOUT), or a slow send could be duplicated.
MAILER_LEASE_SECONDS = env.int("MAILER_LEASE_SECONDS", default=600)
MAILER_MAX_ATTEMPTS = env.int("MAILER_MAX_ATTEMPTS", default=8)
# Sent and failed emails are deleted after this many days (they hold personal data).
MAILER_RETENTION_DAYS = env.int("MAILER_RETENTION_DAYS", default=90)
MAILER_BATCH_SIZE = env.int("MAILER_BATCH_SIZE", default=10)
# Below CELERY_TASK_SOFT_TIME_LIMIT: a delivery task stops claiming new batches after this.
MAILER_TIME_BUDGET_SECONDS = env.int("MAILER_TIME_BUDGET_SECONDS", default=180)
# Right-hand side of the stable Message-IDs (default: PLATFORM_DOMAIN).
MAILER_MESSAGE_ID_DOMAIN = env("MAILER_MESSAGE_ID_DOMAIN", default="")
# How apps below mailer in the layers (accounts: password reset, security notices) send:
# Django's email API with this backend writes to the outbox (mailer.backends).
ACCOUNTS_EMAIL_BACKEND = "mailer.backends.OutboxEmailBackend"
