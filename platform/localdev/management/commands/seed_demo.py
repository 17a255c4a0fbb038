from typing import Any

from django.core.management.base import BaseCommand

from localdev.demo_seeder import seed_demo


class Command(BaseCommand):
    help = "Create the five pilot councils with wards, people and casework. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_demo(stdout_write=self.stdout.write)
