from django.apps import AppConfig

from caseload.signals import referral_event


class RemindersConfig(AppConfig):
    name = "reminders"
    label = "reminders"
    verbose_name = "BF reminders"

    def ready(self) -> None:
        # caseload announces referral events; the council's BF rules react to them.
        from reminders.receivers import referral_event_received

        referral_event.connect(referral_event_received, dispatch_uid="reminders.bf_rules")
