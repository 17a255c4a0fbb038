from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Central body console"

    def ready(self) -> None:
        # A council's own evaluation page (feedback, below console) reads the same stored
        # months as the central body's reports.
        from console.selectors.evaluation import council_month_rows
        from feedback.evaluation import register_month_rows

        register_month_rows(council_month_rows)
