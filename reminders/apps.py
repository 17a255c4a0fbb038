from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    label = "reminders"
    verbose_name = "BF reminders"
