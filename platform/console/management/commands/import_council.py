"""`manage.py import_council <archive.zip> <slug> [--name N]`: a data-exit archive (from
this instance or another) becomes a new council. Prints one JSON line with the council,
the rows per model, the files and the seconds taken."""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from console.services import council_import
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import a data-exit archive as a new council (its users must then set passwords)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("slug")
        parser.add_argument("--name", help="Default: the name in the archive.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["archive"]
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        started = time.perf_counter()
        try:
            with path.open("rb") as source:
                result = council_import(
                    source=source,
                    slug=options["slug"],
                    name=options["name"],
                    actor="import_council",
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "slug": result.council.slug,
                    "schema": result.council.schema_name,
                    "rows": result.counts,
                    "files": result.files,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
        )
