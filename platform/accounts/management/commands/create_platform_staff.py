from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from accounts.services import user_create
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Add a central body staff user to the platform site."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with schema_context("public"):
                user = user_create(
                    email=options["email"],
                    password=options["password"],
                    role="central",
                    name=options["name"],
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Added central body staff {user.email}.")
