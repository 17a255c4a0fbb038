"""The data exit's rules: two council admins, the councillors told, everything audited, an
archive that expires.

- A council admin requests the full casework export, with a reason. A council with a single
  admin cannot exit this way: it must first add a second admin.
- A DIFFERENT admin approves or refuses; the requester may cancel while it waits. One exit
  at a time is in progress.
- On approval every active councillor is emailed (through the outbox) and a Celery task
  builds the archive (`data_exit_build`, idempotent), showing its progress.
- Admins download it until DATA_EXIT_EXPIRY_HOURS after it was built; every download is
  audited; the hourly sweep deletes it then (`data_exit_expire_due`).

A data exit stays possible in a read-only (lapsed) council: getting one's data back at the
end of a contract is the point of it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_council_admin, user_list_councillors
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import Conflict, NotFound, PermissionDenied, StateError, ValidationFailed
from core.links import council_slug_for_schema, current_council_url
from core.tenancy import current_schema
from dataexit import archive, tasks
from dataexit.models import DataExit
from mailer.services import OutboxMessage, outbox_enqueue_many
from tenants.selectors import council_get

logger = logging.getLogger(__name__)

REASON_MAX = 2000
# Progress is written at most this often during a build (each write is one UPDATE).
PROGRESS_EVERY_SECONDS = 1.0


def expiry_hours() -> int:
    return int(getattr(settings, "DATA_EXIT_EXPIRY_HOURS", 72))


def admin_count() -> int:
    return User.objects.filter(role=User.Role.ADMIN, is_active=True).count()


def _require_admin(actor: User) -> None:
    if not is_council_admin(actor):
        raise PermissionDenied("Only the council's administrators can export its casework.")


def _detail(exit_: DataExit, **more: object) -> dict[str, object]:
    return {"data_exit_id": exit_.pk, **more}


def _lock(exit_: DataExit) -> DataExit:
    row = DataExit.objects.select_for_update().filter(pk=exit_.pk).first()
    if row is None:
        raise NotFound(f"No data exit with id {exit_.pk}.")
    return row


@transaction.atomic
def data_exit_request(*, actor: User, reason: str, request: HttpRequest | None = None) -> DataExit:
    """An admin asks for the full casework export; a second admin must approve it."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why the council's casework is to be exported.",
            extra={"reason": ["Enter the reason for the export."]},
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            f"The reason must be {REASON_MAX} characters or fewer.",
            extra={"reason": [f"At most {REASON_MAX} characters."]},
        )
    if admin_count() < 2:
        raise StateError(
            "A casework export needs two council administrators: one to request it and "
            "another to approve it. Add a second administrator (Admin → Users → Add a "
            "user, role Council administrator), then ask them to approve your request."
        )
    # One request at a time: two admins clicking at once must not both get one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('dataexit.request'))")
    if DataExit.objects.filter(
        status__in=[DataExit.Status.REQUESTED, DataExit.Status.APPROVED]
    ).exists():
        raise Conflict("A casework export is already waiting or being built.")
    exit_ = DataExit.objects.create(requested_by=actor, reason=reason)
    audit_record(
        action=AuditAction.DATA_EXIT_REQUESTED,
        actor=actor,
        summary=f"{actor.name} requested the full casework export: {reason[:300]}",
        detail=_detail(exit_, reason=reason),
        request=request,
    )
    return exit_


def _require_second_admin(actor: User, exit_: DataExit, verb: str) -> None:
    _require_admin(actor)
    if actor.pk == exit_.requested_by_id:
        raise PermissionDenied(
            f"You requested this export, so another administrator must {verb} it."
        )


def _require_requested(exit_: DataExit) -> None:
    if exit_.status != DataExit.Status.REQUESTED:
        raise StateError(
            f"This export is no longer waiting for a decision ({exit_.get_status_display()})."
        )


@transaction.atomic
def data_exit_approve(
    *, actor: User, data_exit: DataExit, request: HttpRequest | None = None
) -> DataExit:
    """A second admin approves: the councillors are told and the archive is built."""
    _require_second_admin(actor, data_exit, "approve")
    exit_ = _lock(data_exit)
    _require_requested(exit_)
    exit_.status = DataExit.Status.APPROVED
    exit_.decided_by = actor
    exit_.decided_at = timezone.now()
    exit_.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    notified = _notify_councillors(exit_, approver=actor)
    audit_record(
        action=AuditAction.DATA_EXIT_APPROVED,
        actor=actor,
        subject=exit_.requested_by,
        summary=f"{actor.name} approved the casework export requested by "
        f"{exit_.requested_by.name}; {notified} councillors told.",
        detail=_detail(exit_, councillors_notified=notified),
        request=request,
    )
    transaction.on_commit(lambda: _queue_build(exit_.pk))
    return exit_


def _queue_build(exit_id: int) -> None:
    try:
        tasks.data_exit_build_task.delay(data_exit_id=exit_id)
    except Exception:  # broker down: the hourly sweep queues approved exits again
        logger.warning("data exit %s not queued; the sweep will queue it", exit_id)


def _notify_councillors(exit_: DataExit, *, approver: User) -> int:
    council = council_get(slug=council_slug_for_schema(current_schema()))
    council_name = council.name if council is not None else current_schema()
    hours = expiry_hours()
    messages = []
    for councillor in user_list_councillors().exclude(email="").order_by("pk"):
        body = (
            f"Dear {councillor.name},\n\n"
            f"A full export of {council_name}'s casework, including your cases and "
            "constituents, has been approved.\n\n"
            f"Requested by: {exit_.requested_by.name} ({exit_.requested_by.email})\n"
            f"Approved by: {approver.name} ({approver.email})\n"
            f"Reason given: {exit_.reason}\n\n"
            "The council's administrators can download the archive for "
            f"{hours} hours once it is built; then it is deleted. Every step and every "
            "download is written to the council's audit log.\n\n"
            "If you did not expect this, speak to your council's data protection officer.\n\n"
            f"{current_council_url('/')}\n"
        )
        messages.append(
            OutboxMessage(
                to=[councillor.email],
                subject=f"{council_name}: the council's casework is being exported",
                body_text=body,
                dedupe_key=f"data-exit:{exit_.pk}:councillor:{councillor.pk}",
                kind="data_exit",
            )
        )
    if messages:
        outbox_enqueue_many(messages=messages)
    return len(messages)


@transaction.atomic
def data_exit_refuse(
    *, actor: User, data_exit: DataExit, note: str = "", request: HttpRequest | None = None
) -> DataExit:
    _require_second_admin(actor, data_exit, "refuse")
    exit_ = _lock(data_exit)
    _require_requested(exit_)
    exit_.status = DataExit.Status.REFUSED
    exit_.decided_by = actor
    exit_.decided_at = timezone.now()
    exit_.decision_note = (note or "").strip()[:REASON_MAX]
    exit_.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        action=AuditAction.DATA_EXIT_REFUSED,
        actor=actor,
        subject=exit_.requested_by,
        summary=f"{actor.name} refused the casework export requested by {exit_.requested_by.name}.",
        detail=_detail(exit_, note=exit_.decision_note),
        request=request,
    )
    return exit_


@transaction.atomic
def data_exit_cancel(
    *, actor: User, data_exit: DataExit, request: HttpRequest | None = None
) -> DataExit:
    _require_admin(actor)
    if actor.pk != data_exit.requested_by_id:
        raise PermissionDenied("Only the administrator who requested this export can cancel it.")
    exit_ = _lock(data_exit)
    _require_requested(exit_)
    exit_.status = DataExit.Status.CANCELLED
    exit_.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.DATA_EXIT_CANCELLED,
        actor=actor,
        summary=f"{actor.name} cancelled their request for the casework export.",
        detail=_detail(exit_),
        request=request,
    )
    return exit_


def data_exit_build(*, data_exit_id: int) -> DataExit:
    """Build the archive of an approved exit (the Celery task's work). Idempotent: an exit
    that is not `approved` is returned unchanged, and a build interrupted half-way starts
    again from the beginning (its partial file is replaced). Not one transaction: progress
    is committed as it goes, so the page can show it."""
    exit_ = DataExit.objects.filter(pk=data_exit_id).first()
    if exit_ is None or exit_.status != DataExit.Status.APPROVED:
        return exit_ if exit_ is not None else DataExit(pk=data_exit_id)
    schema = current_schema()
    council = council_get(slug=council_slug_for_schema(schema))
    total = archive.count_steps()
    DataExit.objects.filter(pk=exit_.pk).update(progress_done=0, progress_total=total)
    last = [timezone.now()]

    def progress(done: int) -> None:
        now = timezone.now()
        if (now - last[0]).total_seconds() >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            DataExit.objects.filter(pk=exit_.pk).update(progress_done=min(done, total))

    name = f"data-exit/{schema}/{exit_.pk}-{uuid.uuid4().hex}.zip"
    try:
        with tempfile.TemporaryFile() as out:
            archive.write_archive(
                out,
                council=archive.Council(
                    slug=council.slug if council else council_slug_for_schema(schema),
                    name=council.name if council else schema,
                    schema=schema,
                ),
                progress=progress,
            )
            size = out.tell()
            out.seek(0)
            digest = _sha256(out)
            out.seek(0)
            stored = default_storage.save(name, File(out, name=name))
    except OperationalError:
        raise  # the task retries (core.tasks.retry_policy)
    except Exception as exc:
        DataExit.objects.filter(pk=exit_.pk, status=DataExit.Status.APPROVED).update(
            status=DataExit.Status.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    return _mark_ready(exit_.pk, stored=stored, size=size, digest=digest, total=total)


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def _mark_ready(exit_id: int, *, stored: str, size: int, digest: str, total: int) -> DataExit:
    exit_ = DataExit.objects.select_for_update().get(pk=exit_id)
    if exit_.status != DataExit.Status.APPROVED:
        # Built twice at once (a re-delivered task): the other build won; drop this file.
        transaction.on_commit(lambda: default_storage.delete(stored))
        return exit_
    previous = exit_.archive_name
    now = timezone.now()
    exit_.status = DataExit.Status.READY
    exit_.archive_name = stored
    exit_.archive_bytes = size
    exit_.archive_sha256 = digest
    exit_.progress_done = exit_.progress_total = total
    exit_.ready_at = now
    exit_.expires_at = now + timedelta(hours=expiry_hours())
    exit_.save(
        update_fields=[
            "status", "archive_name", "archive_bytes", "archive_sha256", "progress_done",
            "progress_total", "ready_at", "expires_at", "updated_at",
        ]
    )  # fmt: skip
    if previous and previous != stored:
        transaction.on_commit(lambda: default_storage.delete(previous))
    audit_record(
        action=AuditAction.DATA_EXIT_READY,
        actor=None,
        summary=f"The casework export archive is ready ({size:,} bytes) until "
        f"{timezone.localtime(exit_.expires_at):%d %B %Y %H:%M}.",
        detail=_detail(exit_, bytes=size, sha256=digest),
    )
    return exit_


@transaction.atomic
def data_exit_download(
    *, actor: User, data_exit: DataExit, request: HttpRequest | None = None
) -> tuple[IO[bytes], str]:
    """Open a ready archive for an admin; every download is audited. Returns the open file
    and the name to give it."""
    _require_admin(actor)
    exit_ = _lock(data_exit)
    if exit_.status != DataExit.Status.READY or (
        exit_.expires_at is not None and exit_.expires_at <= timezone.now()
    ):
        raise StateError("This archive is not available: it has expired or is not ready yet.")
    handle = default_storage.open(exit_.archive_name, "rb")
    exit_.downloads += 1
    exit_.save(update_fields=["downloads", "updated_at"])
    audit_record(
        action=AuditAction.DATA_EXIT_DOWNLOADED,
        actor=actor,
        summary=f"{actor.name} downloaded the casework export archive.",
        detail=_detail(exit_, download=exit_.downloads),
        request=request,
    )
    slug = council_slug_for_schema(current_schema())
    filename = f"{slug}-casework-{timezone.localtime(exit_.ready_at):%Y-%m-%d}.zip"
    return handle, filename


def data_exit_expire_due(*, now: datetime | None = None) -> int:
    """The hourly sweep: delete archives past their expiry and mark them expired; queue
    again any approved exit whose build was never queued (broker down). Returns how many
    expired."""
    now = now or timezone.now()
    expired = 0
    for exit_id in DataExit.objects.filter(
        status=DataExit.Status.READY, expires_at__lte=now
    ).values_list("pk", flat=True):
        if _expire(exit_id, now=now):
            expired += 1
    stale = now - timedelta(minutes=15)
    for exit_id in DataExit.objects.filter(
        status=DataExit.Status.APPROVED, progress_total=0, decided_at__lt=stale
    ).values_list("pk", flat=True):
        _queue_build(exit_id)
    return expired


@transaction.atomic
def _expire(exit_id: int, *, now: datetime) -> bool:
    exit_ = DataExit.objects.select_for_update().get(pk=exit_id)
    if exit_.status != DataExit.Status.READY:
        return False
    name = exit_.archive_name
    exit_.status = DataExit.Status.EXPIRED
    exit_.archive_name = ""
    exit_.save(update_fields=["status", "archive_name", "updated_at"])
    audit_record(
        action=AuditAction.DATA_EXIT_EXPIRED,
        actor=None,
        summary="The casework export archive expired and was deleted "
        f"({exit_.downloads} downloads).",
        detail=_detail(exit_, downloads=exit_.downloads),
    )
    transaction.on_commit(lambda: default_storage.delete(name))
    return True
