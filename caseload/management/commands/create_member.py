from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from caseload.services import member_add
from core.errors import ApplicationError
from tenants.selectors import council_get


class Command(BaseCommand):
    help = "Add a user (councillor, staff or admin) to a council."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=["councillor", "staff", "admin"])
        parser.add_argument("--name", default="")
        parser.add_argument("--ward", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_get(slug=options["slug"])
        if council is None or not council.is_ready:
            raise CommandError(f"No ready council with slug '{options['slug']}'.")
        try:
            with schema_context(council.schema_name):
                user = member_add(
                    actor=None,
                    email=options["email"],
                    password=options["password"],
                    role=options["role"],
                    name=options["name"],
                    ward=options["ward"],
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Added {user.email} to {council.name} as {user.get_role_display()}.")
