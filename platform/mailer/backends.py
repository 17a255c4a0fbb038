"""An email backend that writes to the outbox, for apps below mailer in the layers.

`accounts` (password reset links, security notices) cannot import mailer, so it sends with
Django's `get_connection(settings.ACCOUNTS_EMAIL_BACKEND)`, which names this class: each
message becomes an outbox row in the current schema, inside the caller's transaction, and
is delivered like any other (retries, lease, sweep). Never set it as EMAIL_BACKEND: the
outbox itself delivers through EMAIL_BACKEND.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

from mailer.services import outbox_enqueue


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        sent = 0
        for message in email_messages:
            html = next(
                (
                    body
                    for body, mimetype in getattr(message, "alternatives", []) or []
                    if mimetype == "text/html"
                ),
                None,
            )
            outbox_enqueue(
                to=list(message.to),
                cc=list(message.cc),
                bcc=list(message.bcc),
                reply_to=list(message.reply_to),
                subject=message.subject,
                body_text=message.body,
                body_html=html,
                from_email=message.from_email or None,
                headers=dict(message.extra_headers) or None,
                kind=str(getattr(message, "outbox_kind", "") or ""),
                dedupe_key=getattr(message, "outbox_dedupe_key", None),
            )
            sent += 1
        return sent
