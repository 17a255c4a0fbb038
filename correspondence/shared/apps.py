from django.apps import AppConfig


class CorrespondenceSharedConfig(AppConfig):
    name = "correspondence.shared"
    label = "correspondence_shared"
    verbose_name = "Shared correspondence templates"
    default_auto_field = "django.db.models.BigAutoField"
