import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from console.services import council_provision
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Provision a council: schema (cloned), domain, trial licence and first admin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--trial-days", type=int, default=90)
        parser.add_argument("--seats", type=int, default=10)
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--contact-email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = council_provision(
                slug=options["slug"],
                name=options["name"],
                trial_days=options["trial_days"],
                seats=options["seats"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                contact_email=options["contact_email"],
                actor="create_council",
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started  # after commit: the whole provisioning
        self.stdout.write(
            json.dumps(
                {
                    "slug": result.council.slug,
                    "schema": result.council.schema_name,
                    "domain": result.domain.domain,
                    "seconds": round(seconds, 4),
                }
            )
        )
