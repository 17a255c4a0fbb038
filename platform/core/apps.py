from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Platform core"

    def ready(self) -> None:
        from core.db import configure_session

        connection_created.connect(configure_session, dispatch_uid="core.configure_session")
