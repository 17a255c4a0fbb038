"""File one raw email (RFC 5322) from a file or standard input, e.g. from an MTA pipe:
`| python manage.py inbound_ingest` in the inbound domain's alias file."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from correspondence.services import inbound_receive


class Command(BaseCommand):
    help = "File a raw email message (file path or stdin) in the council it is addressed to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="an .eml file (default: standard input)")
        parser.add_argument("--recipient", default="", help="envelope recipient, if known")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"]:
            with open(options["path"], "rb") as handle:
                raw = handle.read()
        else:
            raw = sys.stdin.buffer.read()
        results = inbound_receive(raw=raw, envelope_recipient=options["recipient"])
        self.stdout.write(
            json.dumps(
                [{"schema": r.schema, "status": r.status, "case_id": r.case_id} for r in results]
            )
        )
