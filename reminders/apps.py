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
        # The case page lists the case's BFs: caseload offers the hook, reminders fills it.
        from caseload.page_hooks import case_section_register
        from reminders.views_bfs import case_bfs_section

        case_section_register(key="reminders.bfs", provider=case_bfs_section, order=10)
