from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the five pilot councils with wards, people and casework. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from localdev.demo import seed_demo

        seed_demo(stdout_write=self.stdout.write)
