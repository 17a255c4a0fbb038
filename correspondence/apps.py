from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = "Correspondence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Inbound mail from an ESP arrives through django-anymail's webhook views, which send
        # this signal; the receiver routes the message to its council (services.inbound).
        from anymail.signals import inbound

        from correspondence.receivers import anymail_inbound_received

        inbound.connect(anymail_inbound_received, dispatch_uid="correspondence-inbound")
