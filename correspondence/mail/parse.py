"""An RFC 5322 message as the parts correspondence needs, parsed with Python's `email`."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

_MSGID_RE = re.compile(r"<[^<>\s]+>")
_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SUBJECT_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    from_name: str
    from_email: str
    to: list[str]
    cc: list[str]
    subject: str
    date: datetime | None
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    attachments: list[MailAttachment] = field(default_factory=list)
    embedded: list[ParsedMail] = field(default_factory=list)
    # Addresses the message was delivered to (To, Cc, Delivered-To, X-Original-To ...).
    recipients: list[str] = field(default_factory=list)
    is_auto_reply: bool = False

    @property
    def thread_ids(self) -> list[str]:
        return [*self.in_reply_to, *self.references]


def clean_subject(subject: str) -> str:
    """'Fwd: RE: Bins not collected' -> 'Bins not collected'."""
    return " ".join(_SUBJECT_PREFIX_RE.sub("", subject or "").split())


def message_ids(value: str | None) -> list[str]:
    return _MSGID_RE.findall(value or "")


def parse_address(value: str) -> tuple[str, str]:
    """(name, email) from a header value, tolerating what mail clients print in forwarded
    blocks: 'Smith, Jane <jane@x>', 'Jane Smith [mailto:jane@x]', '*Jane* <jane@x>'."""
    value = (value or "").replace("*", "").strip()
    match = re.search(r"<\s*(?:mailto:)?([^<>\s]+@[^<>\s]+)\s*>", value) or re.search(
        r"\[\s*mailto:([^\]\s]+)\s*\]", value, re.I
    )
    if match:
        address = match.group(1)
        name = (value[: match.start()] + value[match.end() :]).strip()
    else:
        found = _EMAIL_RE.search(value)
        address = found.group(0) if found else ""
        name = value.replace(address, "").strip() if address else value
    name = name.strip(" \"'()").strip()
    if name.lower() == address.lower():
        name = ""
    return name, address.strip().lower()


def _addresses(msg: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        values += [str(v) for v in msg.get_all(name, [])]
    return [addr.lower() for _, addr in getaddresses(values) if "@" in addr]


class _TextFromHtml(HTMLParser):
    _BLOCK = {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "hr",
    }
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        return str(content)
    except (LookupError, KeyError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _bytes_of(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    return _text_of(part).encode()


def _collect(
    part: Message,
    texts: list[str],
    htmls: list[str],
    attachments: list[MailAttachment],
    embedded: list[Message],
) -> None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(inner, Message):
            embedded.append(inner)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, texts, htmls, attachments, embedded)
        return
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if disposition == "attachment" or (filename and not ctype.startswith("text/")):
        name = filename or f"attachment.{ctype.split('/')[-1]}"
        attachments.append(MailAttachment(name, ctype, _bytes_of(part)))
    elif ctype == "text/plain":
        texts.append(_text_of(part))
    elif ctype == "text/html":
        htmls.append(_text_of(part))


def _date(msg: Message) -> datetime | None:
    value = msg.get("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    # A date without a zone ("-0000" or none) is read as UTC, as RFC 5322 says.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _is_auto_reply(msg: Message) -> bool:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return (
        auto not in ("", "no")
        or precedence in ("bulk", "auto_reply", "junk", "list")
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or str(msg.get("X-Auto-Response-Suppress", "")).strip().lower() in ("all", "oof")
    )


def parse_message(msg: Message) -> ParsedMail:
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[MailAttachment] = []
    embedded: list[Message] = []
    _collect(msg, texts, htmls, attachments, embedded)
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    if not text and htmls:
        text = "\n\n".join(html_to_text(h) for h in htmls)
    senders = getaddresses([str(v) for v in msg.get_all("From", [])])
    from_name, from_email = senders[0] if senders else ("", "")
    to = _addresses(msg, "To")
    cc = _addresses(msg, "Cc")
    delivered = _addresses(msg, "Delivered-To", "X-Original-To", "X-Forwarded-To", "Envelope-To")
    recipients = list(dict.fromkeys([*delivered, *to, *cc]))
    return ParsedMail(
        from_name=str(from_name).strip(),
        from_email=str(from_email).strip().lower(),
        to=to,
        cc=cc,
        subject=" ".join(str(msg.get("Subject", "")).split()),
        date=_date(msg),
        message_id=(message_ids(str(msg.get("Message-ID", ""))) or [""])[0][:255],
        in_reply_to=message_ids(str(msg.get("In-Reply-To", ""))),
        references=message_ids(str(msg.get("References", ""))),
        text=text.replace("\r\n", "\n")[:MAX_TEXT_CHARS],
        attachments=attachments,
        embedded=[parse_message(m) for m in embedded],
        recipients=recipients,
        is_auto_reply=_is_auto_reply(msg),
    )


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse raw RFC 5322 bytes (as an ESP webhook or a mailbox hands them over)."""
    msg = email.message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    return parse_message(msg)
