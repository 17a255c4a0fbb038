from django.apps import AppConfig


class DataExitConfig(AppConfig):
    name = "dataexit"
    label = "dataexit"
    verbose_name = "Data exit"
    default_auto_field = "django.db.models.BigAutoField"
