"""Files attached to cases: size-capped, type checked by content, stored per council."""

from __future__ import annotations

import os

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from caseload.models import Action, Attachment, Case
from caseload.services.cases import _lock, _record
from caseload.services.permissions import assert_can_change_case, assert_council_writable
from core.errors import ValidationFailed

# Types identified from the file's bytes, never from its name or the browser's claim.
ALLOWED_SNIFFED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/heic": "HEIC photo",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/msword": "Word 97-2003 document",
    "application/rtf": "Rich text",
}
# Plain text has no magic number: accepted when it decodes as UTF-8 and the name says text.
PLAIN_TEXT_EXTENSIONS = {".txt": "text/plain", ".csv": "text/csv", ".eml": "message/rfc822"}
_SNIFF_BYTES = 8192


def max_attachment_bytes() -> int:
    return int(getattr(settings, "CASELOAD_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachment_sniff_type(*, head: bytes, filename: str, whole: bytes | None = None) -> str:
    """The content type of an upload judged from its bytes, or ValidationFailed."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ALLOWED_SNIFFED_TYPES:
            return str(kind.mime)
        raise ValidationFailed(
            f"Files of type {kind.mime} cannot be attached. Allowed: PDF, images, Word, Excel, "
            "OpenDocument, RTF and plain text.",
            extra={"file": ["File type not allowed."]},
        )
    ext = os.path.splitext(filename)[1].lower()
    sample = whole if whole is not None else head
    if ext in PLAIN_TEXT_EXTENSIONS and b"\x00" not in sample:
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sniffing boundary is still text.
            if exc.start < len(sample) - 4:
                raise ValidationFailed(
                    "This text file is not UTF-8 text.", extra={"file": ["Not UTF-8 text."]}
                ) from exc
        return PLAIN_TEXT_EXTENSIONS[ext]
    raise ValidationFailed(
        "The file's type could not be recognised from its content. Allowed: PDF, images, "
        "Word, Excel, OpenDocument, RTF and plain text.",
        extra={"file": ["Unrecognised file type."]},
    )


@transaction.atomic
def attachment_add(
    *, actor: User, case: Case, file: UploadedFile, record: bool = True
) -> Attachment:
    """Attach `file` to `case` after checking its size and (sniffed) type; records an action.

    The file is written under MEDIA_ROOT/<council schema>/cases/<case id>/ with a random name.
    `record=False` is for a service that names the file in its own history entry (a letter
    made as .docx and PDF is one entry, not one per file plus "Case details changed").
    """
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    size = file.size or 0
    limit = max_attachment_bytes()
    if size <= 0:
        raise ValidationFailed("The file is empty.", extra={"file": ["Empty file."]})
    if size > limit:
        raise ValidationFailed(
            f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            extra={"file": ["Too large."]},
        )
    name = os.path.basename(file.name or "attachment")[:255] or "attachment"
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    whole = None
    if len(head) == _SNIFF_BYTES and os.path.splitext(name)[1].lower() in PLAIN_TEXT_EXTENSIONS:
        file.seek(0)
        whole = file.read()
    content_type = attachment_sniff_type(head=head, filename=name, whole=whole)
    file.seek(0)
    case = _lock(case)
    attachment = Attachment(
        case=case,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    attachment.file.save(name, file, save=False)
    try:
        attachment.save()
        if record:
            _record(
                case=case,
                actor=actor,
                kind=Action.Kind.UPDATE,
                text=f"Attached {name} ({content_type}, {size:,} bytes)",
                data={"attachment_id": attachment.pk},
            )
    except Exception:
        # The row is rolled back with the transaction; the file must go too. (Django has no
        # on-rollback hook, so a caller's later failure could still orphan a file; a
        # cleanup job can sweep files with no row.)
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
