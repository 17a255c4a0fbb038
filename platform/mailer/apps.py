from django.apps import AppConfig


class MailerConfig(AppConfig):
    name = "mailer"
    label = "mailer"
    verbose_name = "Email outbox"
