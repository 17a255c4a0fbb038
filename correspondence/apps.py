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

        # caseload announces answers to officers' requests for more time; the officer is
        # told by email (caseload sends no email of its own to officers).
        from caseload.signals import referral_extension_decided
        from correspondence.receivers import referral_extension_decided_received

        referral_extension_decided.connect(
            referral_extension_decided_received, dispatch_uid="correspondence.extension_decided"
        )
