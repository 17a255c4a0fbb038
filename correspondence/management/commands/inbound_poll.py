"""Poll INBOUND_IMAP_URL once and file unseen messages (cron, or the beat task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from correspondence.services.mailbox import inbound_poll_imap


class Command(BaseCommand):
    help = "File unseen messages from the inbound IMAP mailbox (INBOUND_IMAP_URL)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"filed {inbound_poll_imap()}")
