"""Finding the original message inside a forwarded one, and the new text of a reply.

A councillor forwards a constituent's email in one of three shapes:

1. as an attachment (message/rfc822): Outlook's "Forward as attachment", Thunderbird, Apple
   Mail; the original is a whole message with its own headers and attachments;
2. inline, Gmail style: a "---------- Forwarded message ---------" line, then From, Date,
   Subject and To lines, a blank line and the original body (Thunderbird and Apple Mail
   use "-------- Forwarded Message --------" and "Begin forwarded message:");
3. inline, Outlook style: an underscore rule or "-----Original Message-----" (or nothing),
   then a "From: ... Sent: ... To: ... Subject: ..." header block.

Inline forwards carry the original's attachments on the forwarding message itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from django.utils import timezone

from correspondence.mail.parse import MailAttachment, ParsedMail, parse_address

_MARKERS = (
    re.compile(r"^\s*-{3,}\s*Forwarded message\s*-{3,}\s*$", re.I),
    re.compile(r"^\s*-{3,}\s*Original Message\s*-{3,}\s*$", re.I),
    re.compile(r"^\s*Begin forwarded message:\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
)
_HEADER_RE = re.compile(
    r"^\s*\*?\s*(From|Sent|Date|To|Cc|Subject|Reply-To)\s*:\s*\*?\s*(.*)$", re.I
)
_DATE_FORMATS = (
    "%a, %d %b %Y %H:%M",  # Gmail (UK): Tue, 5 May 2026 at 09:12
    "%a, %b %d, %Y %I:%M %p",  # Gmail (US): Tue, May 5, 2026 at 9:12 AM
    "%A, %B %d, %Y %I:%M %p",  # Outlook (US): Tuesday, May 5, 2026 9:12 AM
    "%A, %d %B %Y %H:%M",  # Outlook (UK): Tuesday, 5 May 2026 09:12
    "%d %B %Y %H:%M",  # Outlook (UK short): 05 May 2026 09:12
    "%d/%m/%Y %H:%M",  # 05/05/2026 09:12
    "%A, %d %B %Y %I:%M %p",
    "%a, %d %b %Y %H:%M:%S",
)


@dataclass(frozen=True)
class ForwardedOriginal:
    source: str  # "rfc822", "inline"
    from_name: str
    from_email: str
    subject: str
    date: datetime | None
    body: str
    attachments: list[MailAttachment] = field(default_factory=list)
    message_id: str = ""
    references: list[str] = field(default_factory=list)


def parse_loose_date(value: str) -> datetime | None:
    """Dates as mail clients print them in forwarded blocks; None when unrecognised."""
    value = " ".join((value or "").replace("*", "").split())
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    cleaned = re.sub(r"\s+at\s+", " ", value)
    cleaned = re.sub(r"\s*\(?(GMT|BST|UTC)[^)]*\)?$", "", cleaned).strip()
    cleaned = cleaned.replace("\u202f", " ")
    for fmt in _DATE_FORMATS:
        try:
            naive = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    return None


def _header_block(lines: list[str], start: int) -> tuple[dict[str, str], int] | None:
    """Parse "Key: value" lines from `start` (skipping blank lines first). Returns the
    headers and the index of the first body line, or None if there is no From header."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    headers: dict[str, str] = {}
    last = ""
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            break
        match = _HEADER_RE.match(line)
        if match:
            last = match.group(1).lower()
            headers.setdefault(last, match.group(2).strip())
        elif last in ("to", "cc") and headers:
            headers[last] += " " + line.strip()  # a long recipient list wraps
        else:
            break
        i += 1
    if "from" not in headers:
        return None
    return headers, i


def _looks_like_outlook_block(lines: list[str], i: int) -> bool:
    """A bare "From:" line followed by Sent/Date and Subject within a few lines."""
    if not re.match(r"^\s*\*?\s*From\s*:", lines[i], re.I):
        return False
    window = "\n".join(lines[i + 1 : i + 8])
    return bool(re.search(r"^\s*\*?\s*(Sent|Date)\s*:", window, re.I | re.M)) and bool(
        re.search(r"^\s*\*?\s*Subject\s*:", window, re.I | re.M)
    )


def _inline_blocks(text: str) -> list[tuple[dict[str, str], str]]:
    lines = text.splitlines()
    blocks: list[tuple[dict[str, str], str]] = []
    i = 0
    while i < len(lines):
        parsed = None
        if any(m.match(lines[i]) for m in _MARKERS):
            parsed = _header_block(lines, i + 1)
        elif _looks_like_outlook_block(lines, i):
            parsed = _header_block(lines, i)
        if parsed is None:
            i += 1
            continue
        headers, body_start = parsed
        body = "\n".join(lines[body_start:]).strip()
        blocks.append((headers, body))
        i = body_start
    return blocks


def _trim_nested(body: str) -> str:
    """The original's own text, without any older message it quotes or forwards."""
    lines = body.splitlines()
    for i in range(len(lines)):
        if any(m.match(lines[i]) for m in _MARKERS) or _looks_like_outlook_block(lines, i):
            return "\n".join(lines[:i]).strip()
    return body.strip()


def forwarded_originals(mail: ParsedMail) -> list[ForwardedOriginal]:
    """The messages forwarded inside `mail`, outermost first (attachments first, then inline
    blocks). Empty when `mail` does not look forwarded."""
    found: list[ForwardedOriginal] = []
    for inner in mail.embedded:
        found.append(
            ForwardedOriginal(
                source="rfc822",
                from_name=inner.from_name,
                from_email=inner.from_email,
                subject=inner.subject,
                date=inner.date,
                body=inner.text.strip(),
                attachments=list(inner.attachments),
                message_id=inner.message_id,
                references=inner.thread_ids,
            )
        )
    for headers, body in _inline_blocks(mail.text):
        name, address = parse_address(headers.get("from", ""))
        found.append(
            ForwardedOriginal(
                source="inline",
                from_name=name,
                from_email=address,
                subject=" ".join(headers.get("subject", "").replace("*", "").split()),
                date=parse_loose_date(headers.get("sent") or headers.get("date") or ""),
                body=_trim_nested(body),
                # Inline forwards attach the original's files to the forwarding message.
                attachments=list(mail.attachments),
            )
        )
    return found


_ON_WROTE_RE = re.compile(r"^\s*On\b.*\bwrote:\s*$", re.I)


def strip_quoted_reply(text: str) -> str:
    """The new text of a reply, without the quoted message below it."""
    lines = text.splitlines()
    cut = len(lines)
    for i, line in enumerate(lines):
        joined = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
        if (
            _ON_WROTE_RE.match(line)
            or (line.strip().startswith("On ") and _ON_WROTE_RE.match(joined))
            or any(m.match(line) for m in _MARKERS)
            or _looks_like_outlook_block(lines, i)
        ):
            cut = i
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(line for line in kept if not line.lstrip().startswith(">")).strip()
    return result or text.strip()
