"""Real DKIM for the tests: a test key signs messages, and a stub DNS lookup (dkimpy's
`dnsfunc`, named by INBOUND_DKIM_DNSFUNC) publishes its public half as
`test._domainkey.<any domain>`. The check itself (correspondence.mail.authenticity,
dkimpy) runs for real: only the DNS answer is made up."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import dkim

KEYS = Path(__file__).parent / "correspondence" / "mail" / "dkim"
PRIVATE_KEY = (KEYS / "test.private").read_bytes()
PUBLIC_KEY = (KEYS / "test.public.b64").read_bytes().strip()
SELECTOR = b"test"
SIGNED_HEADERS = [
    b"from",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
]


def txt_record(name: bytes | str, timeout: int = 5) -> bytes | None:
    """What DNS would answer for `name`: the test key for selector `test` of any domain,
    nothing for anything else (so a signature by any other key or selector fails)."""
    name = name.encode() if isinstance(name, str) else name
    if name.startswith(SELECTOR + b"._domainkey."):
        return b"v=DKIM1; k=rsa; p=" + PUBLIC_KEY
    return None


def from_domain(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    return str(message["From"]).rpartition("@")[2].strip(" >").lower()


def signed(raw: bytes, domain: str | None = None, key: bytes = PRIVATE_KEY) -> bytes:
    """`raw` with a DKIM-Signature of `domain` (default: its From domain) prepended."""
    signature = dkim.sign(
        raw,
        SELECTOR,
        (domain or from_domain(raw)).encode(),
        key,
        include_headers=SIGNED_HEADERS,
    )
    return signature + raw
