"""Writing to the outbox and delivering from it.

Public API (import from `mailer.services`):

- `outbox_enqueue(...)`: record an email to send; the ONLY way the platform sends email.
- `outbox_enqueue_many(messages=[OutboxMessage(...), ...])`: the same, one INSERT for many.
- `outbox_purge()`: delete old sent/failed rows (retention).
- `outbox_deliver(...)`: claim due rows in the current schema and send them (the Celery task
  `mailer.outbox_deliver` calls it; so can a test).

Delivery guarantees, explicitly:

1. Enqueue is transactional: the row commits with the caller's transaction or not at all, and
   the Celery "deliver now" nudge is queued on commit. If the broker is down the nudge is lost
   but the row is not: the beat task `mailer.outbox_sweep` (every minute) finds queued rows in
   every schema and queues delivery there. A broker outage delays email; it loses none.
2. `dedupe_key` is unique per schema: enqueueing the same key again returns the existing row,
   so a retried task, a duplicate beat tick or a recomputed digest enqueues nothing new.
3. A worker *claims* rows (SELECT ... FOR UPDATE SKIP LOCKED, status -> sending, a lease) in
   its own committed transaction, then sends, then marks the row sent. Two workers never
   hold the same row. A worker killed after claiming leaves the row "sending" until the
   lease expires (MAILER_LEASE_SECONDS), after which any worker claims it again.
4. The ordering is send-then-mark, i.e. AT-LEAST-ONCE at the SMTP/ESP boundary: a worker
   killed in the instant between the backend accepting the message and the UPDATE that
   marks it sent (a few milliseconds) causes one resend after the lease. The resend carries
   the same Message-ID (fixed at enqueue, derived from dedupe_key), so mail clients and
   most providers collapse the two; that window is the only way a second copy can occur.
   Killed any earlier (after claim, before or during send) nothing was accepted, and the
   retry delivers the single copy. We chose this side of the trade-off because a lost
   reminder is worse than a rare duplicate with an identical Message-ID.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from time import monotonic
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.errors import ValidationFailed
from core.tenancy import current_schema
from mailer import tasks
from mailer.models import OutboundAttachment, OutboundEmail

logger = logging.getLogger(__name__)

# (filename, content, mimetype): the same shape as EmailMessage.attach().
Attachment = tuple[str, bytes, str]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def lease_seconds() -> int:
    """How long a claim holds a row. Must exceed the slowest single send (EMAIL_TIMEOUT)."""
    return int(_setting("MAILER_LEASE_SECONDS", 600))


def message_id_for(*, schema: str, dedupe_key: str | None) -> str:
    """A Message-ID that is the same on every attempt (and for the same key, every time)."""
    domain = _setting("MAILER_MESSAGE_ID_DOMAIN", "") or settings.PLATFORM_DOMAIN
    if dedupe_key:
        digest = hashlib.sha256(f"{schema}:{dedupe_key}".encode()).hexdigest()[:40]
    else:
        digest = uuid.uuid4().hex
    return f"<{digest}@{domain}>"


def _clean_addresses(field: str, values: Iterable[str], *, required: bool) -> list[str]:
    cleaned = []
    for value in values:
        value = (value or "").strip()
        _, address = parseaddr(value)
        try:
            if "\n" in value or "\r" in value:
                raise ValidationError("newline")
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                f"{value!r} is not a valid email address.",
                extra={field: [f"{value!r} is not a valid email address."]},
            ) from None
        cleaned.append(value)
    if required and not cleaned:
        raise ValidationFailed(
            "An email needs at least one recipient.", extra={field: ["Required."]}
        )
    return cleaned


def _nudge_delivery(schema: str) -> None:
    """Ask a worker to deliver now, in `schema` (the one the email was written to, which
    need not be the connection's schema by the time the transaction commits). Best effort:
    the sweep covers a broker that is down."""
    try:
        with schema_context(schema):  # tenant-schemas-celery sends the task to this schema
            tasks.outbox_deliver_task.apply_async(retry=False)
    except Exception:  # broker unreachable: the row stays queued for mailer.outbox_sweep
        logger.warning("outbox nudge not queued in %s; the sweep will deliver", schema)


@dataclass(frozen=True)
class OutboxMessage:
    """One email for `outbox_enqueue_many`; fields as in `outbox_enqueue`."""

    to: Sequence[str]
    subject: str
    body_text: str
    body_html: str | None = None
    dedupe_key: str | None = None
    case_id: int | None = None
    kind: str = ""
    from_email: str | None = None
    cc: Sequence[str] = ()
    bcc: Sequence[str] = ()
    reply_to: Sequence[str] = ()
    headers: Mapping[str, str] | None = None
    message_id: str | None = None
    send_after: datetime | None = None


def _row(message: OutboxMessage, *, schema: str, now: datetime) -> OutboundEmail:
    """Validate one message and build its (unsaved) row."""
    subject = message.subject
    if "\n" in subject or "\r" in subject:
        raise ValidationFailed("The subject must be one line.", extra={"subject": ["One line."]})
    if not subject.strip():
        raise ValidationFailed("An email needs a subject.", extra={"subject": ["Required."]})
    headers = dict(message.headers or {})
    for name, value in headers.items():
        if any(c in f"{name}{value}" for c in "\r\n"):
            raise ValidationFailed(f"Header {name!r} must be one line.")
    return OutboundEmail(
        dedupe_key=message.dedupe_key,
        kind=message.kind,
        case_id=message.case_id,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=_clean_addresses("to", message.to, required=True),
        cc=_clean_addresses("cc", message.cc, required=False),
        bcc=_clean_addresses("bcc", message.bcc, required=False),
        reply_to=_clean_addresses("reply_to", message.reply_to, required=False),
        headers=headers,
        subject=subject.strip(),
        body_text=message.body_text,
        body_html=message.body_html or "",
        message_id=message.message_id
        or message_id_for(schema=schema, dedupe_key=message.dedupe_key),
        next_attempt_at=message.send_after or now,
    )


@transaction.atomic
def outbox_enqueue(
    *,
    to: Sequence[str],
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: Iterable[Attachment] = (),
    dedupe_key: str | None = None,
    case: models.Model | int | None = None,
    kind: str = "",
    from_email: str | None = None,
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    reply_to: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
    send_after: datetime | None = None,
) -> OutboundEmail:
    """Record an email for delivery in the current schema (a council's, or public).

    Call it inside your own transaction: the email exists only if your transaction commits,
    and delivery is queued after the commit. Returns the row. With `dedupe_key`, a second
    call with the same key (in the same schema) changes nothing and returns the FIRST row:
    use keys like "digest:<user_id>:<yyyy-mm-dd>" or "correspondence:<action_id>".

    - `to`, `cc`, `bcc`, `reply_to`: addresses, "Name <a@b>" allowed; validated here
      (ValidationFailed on a bad one, so an API can return 400 instead of failing later).
    - `attachments`: (filename, bytes, mimetype) tuples, stored with the row.
    - `case`: the Case (or its id) the email is about, for the case history / reporting.
    - `kind`: a short label, e.g. "bf_digest", "correspondence".
    - `headers`: extra headers (e.g. In-Reply-To / References for threading).
    - `message_id`: your own Message-ID (e.g. to thread officer replies); default is stable
      per dedupe_key, so resends carry the same Message-ID.
    - `send_after`: deliver no earlier than this.
    """
    case_id = case if isinstance(case, int) or case is None else case.pk
    message = OutboxMessage(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        dedupe_key=dedupe_key,
        case_id=case_id,
        kind=kind,
        from_email=from_email,
        cc=cc,
        bcc=bcc,
        reply_to=reply_to,
        headers=headers,
        message_id=message_id,
        send_after=send_after,
    )
    row = _row(message, schema=current_schema(), now=timezone.now())
    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
        try:
            # A savepoint, so losing a race to a concurrent insert leaves the caller's
            # transaction usable; then the winner's row is returned.
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    else:
        row.save()
    OutboundAttachment.objects.bulk_create(
        OutboundAttachment(email=row, filename=name, content=content, mimetype=mimetype)
        for name, content, mimetype in attachments
    )
    transaction.on_commit(partial(_nudge_delivery, current_schema()))
    return row


def _prefer_lz4_toast() -> None:
    """Compress this transaction's large bodies with lz4 rather than pglz (several times
    faster; bulk digests are tens of KB each). Transaction-local; a server built without lz4
    keeps its setting."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', CASE WHEN 'lz4' = ANY(enumvals) "
            "THEN 'lz4' ELSE setting END, true) "
            "FROM pg_settings WHERE name = 'default_toast_compression'"
        )


# No savepoint inside a caller's transaction: a failed INSERT fails the caller's whole
# transaction, so the messages land together or not at all.
@transaction.atomic(savepoint=False)
def outbox_enqueue_many(*, messages: Sequence[OutboxMessage]) -> int:
    """Enqueue many emails (no attachments) in one call. For bulk senders such as the
    morning digest. Messages whose dedupe_key already exists are skipped silently.
    Returns how many were submitted (conflicting keys included)."""
    if not messages:
        return 0
    schema, now = current_schema(), timezone.now()
    rows = [_row(message, schema=schema, now=now) for message in messages]
    _prefer_lz4_toast()
    # One INSERT per message. A multi-row INSERT on PostgreSQL sends each column as an array
    # (Django's UNNEST form), and psycopg quotes array elements in Python, escaping every
    # double quote one regex match at a time: for digest bodies of tens of KB (HTML is full
    # of quoted attributes) that cost more than the round trips it saves.
    OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1)
    transaction.on_commit(partial(_nudge_delivery, schema))
    return len(rows)


def _due_q(now: datetime) -> models.Q:
    return models.Q(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now) | models.Q(
        status=OutboundEmail.Status.SENDING, lease_expires_at__lt=now
    )


def outbox_claim(*, limit: int = 10, now: datetime | None = None) -> tuple[str, list[int]]:
    """Claim up to `limit` due rows (queued, or sending with an expired lease) for this worker.

    Commits before returning, so the claim is visible to every other worker before any email
    is handed to the backend. Rows another worker holds are skipped, not waited for.
    Returns (claim_token, ids).
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.filter(_due_q(now))
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            OutboundEmail.objects.filter(pk__in=ids).update(
                status=OutboundEmail.Status.SENDING,
                claim_token=token,
                lease_expires_at=now + timedelta(seconds=lease_seconds()),
                attempts=models.F("attempts") + 1,
                updated_at=now,
            )
    return token, ids


def _build_message(email: OutboundEmail, connection: Any) -> EmailMultiAlternatives:
    headers = {**email.headers, "Message-ID": email.message_id}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=headers,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def _is_permanent(exc: Exception) -> bool:
    """Errors a retry cannot fix: the recipient or the message itself was refused."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        code = getattr(exc, "smtp_code", 0) or 0
        return isinstance(exc, smtplib.SMTPRecipientsRefused) or 500 <= code < 600
    try:
        from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency
        return False
    return isinstance(exc, AnymailInvalidAddress | AnymailRecipientsRefused)


def _record_failure(email: OutboundEmail, exc: Exception, *, token: str) -> None:
    now = timezone.now()
    max_attempts = int(_setting("MAILER_MAX_ATTEMPTS", 8))
    error = f"{type(exc).__name__}: {exc}"[:2000]
    qs = OutboundEmail.objects.filter(
        pk=email.pk, claim_token=token, status=OutboundEmail.Status.SENDING
    )
    if _is_permanent(exc) or email.attempts >= max_attempts:
        qs.update(
            status=OutboundEmail.Status.FAILED,
            lease_expires_at=None,
            last_error=error,
            updated_at=now,
        )
        logger.error("outbox email %s failed for good: %s", email.pk, error)
        return
    backoff = min(60 * 2 ** max(email.attempts - 1, 0), 6 * 60 * 60)
    qs.update(
        status=OutboundEmail.Status.QUEUED,
        lease_expires_at=None,
        next_attempt_at=now + timedelta(seconds=backoff),
        last_error=error,
        updated_at=now,
    )
    logger.warning("outbox email %s attempt %s failed: %s", email.pk, email.attempts, error)


def outbox_send_claimed(*, email_id: int, claim_token: str, connection: Any = None) -> bool:
    """Send one row this worker claimed, then mark it sent. True if it was sent now."""
    email = (
        OutboundEmail.objects.prefetch_related("attachments")
        .filter(pk=email_id, claim_token=claim_token, status=OutboundEmail.Status.SENDING)
        .first()
    )
    if email is None:  # lease expired and another worker took it over
        return False
    message = _build_message(email, connection)
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        _record_failure(email, exc, token=claim_token)
        return False
    status = getattr(message, "anymail_status", None)
    esp_id = str(getattr(status, "message_id", "") or "")[:255]
    # Whoever holds the claim now, the message went out: record it once.
    OutboundEmail.objects.filter(pk=email.pk).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        lease_expires_at=None,
        last_error="",
        esp_message_id=esp_id,
        updated_at=timezone.now(),
    )
    return True


def outbox_deliver(
    *, batch_size: int | None = None, time_budget_seconds: float | None = None
) -> int:
    """Deliver every due email in the current schema, batch by batch. Returns how many sent.

    Stops when nothing is due or the time budget is spent (what is left stays queued for the
    next nudge or sweep), so a Celery task never runs into its hard time limit mid-send.
    """
    batch_size = batch_size or int(_setting("MAILER_BATCH_SIZE", 10))
    budget = time_budget_seconds or float(_setting("MAILER_TIME_BUDGET_SECONDS", 180))
    started = monotonic()
    sent = 0
    while monotonic() - started < budget:
        token, ids = outbox_claim(limit=batch_size)
        if not ids:
            break
        # One connection per batch: SMTP backends reuse it across the batch's messages.
        connection = get_connection(fail_silently=False)
        try:
            try:
                connection.open()
            except Exception:  # each send below retries the connection and records its failure
                logger.warning("email backend connection failed; sending per message")
            for email_id in ids:
                sent += outbox_send_claimed(
                    email_id=email_id, claim_token=token, connection=connection
                )
        finally:
            connection.close()
    return sent


def outbox_purge(*, now: datetime | None = None) -> int:
    """Delete sent and failed emails older than MAILER_RETENTION_DAYS in the current schema.

    Bodies hold personal data (case titles, letters to constituents); the case history keeps
    its own record of what was sent, so the outbox copy is not kept for long. Queued and
    in-flight rows are never purged. Returns how many emails were deleted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(_setting("MAILER_RETENTION_DAYS", 90)))
    doomed = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED], updated_at__lt=cutoff
    )
    OutboundAttachment.objects.filter(email__in=doomed).delete()
    deleted, _ = doomed.delete()
    return deleted
