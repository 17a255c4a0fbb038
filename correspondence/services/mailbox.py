"""Polling a mailbox (IMAP) for inbound mail, for platforms that receive mail in a mailbox
rather than through an ESP webhook. One catch-all mailbox for the inbound domain serves
every council: each message is routed by its recipient exactly as webhook mail is."""

from __future__ import annotations

import imaplib
import logging
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings

from correspondence.services.inbound import inbound_receive

logger = logging.getLogger(__name__)


def _connect(url: str) -> tuple[Any, str]:
    parts = urlparse(url)
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError("INBOUND_IMAP_URL must start with imap:// or imaps://")
    host = parts.hostname or "localhost"
    if parts.scheme == "imaps":
        client: Any = imaplib.IMAP4_SSL(host, parts.port or 993, timeout=30)
    else:
        client = imaplib.IMAP4(host, parts.port or 143, timeout=30)
        client.starttls()
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return client, folder


def inbound_poll_imap(*, url: str | None = None, limit: int = 200, client: Any = None) -> int:
    """File up to `limit` unseen messages, marking each seen once filed (a message that
    fails stays unseen and is retried on the next poll; filing is idempotent by Message-ID).
    Returns how many were filed. `client` lets a test pass an IMAP4-like object."""
    url = url if url is not None else settings.INBOUND_IMAP_URL
    if client is None:
        if not url:
            return 0
        client, folder = _connect(url)
    else:
        folder = "INBOX"
    filed = 0
    try:
        client.select(folder)
        status, data = client.uid("search", None, "UNSEEN")
        if status != "OK":
            return 0
        for uid in (data[0] or b"").split()[:limit]:
            status, parts = client.uid("fetch", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
            if status != "OK" or not isinstance(raw, bytes | bytearray):
                continue
            try:
                inbound_receive(raw=bytes(raw))
            except Exception:
                logger.exception("inbound message uid %s could not be filed", uid)
                continue
            client.uid("store", uid, "+FLAGS", r"(\Seen)")
            filed += 1
    finally:
        try:
            client.logout()
        except Exception:  # already closed by the server
            logger.debug("IMAP logout failed", exc_info=True)
    return filed
