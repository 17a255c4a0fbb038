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
