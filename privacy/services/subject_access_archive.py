"""The subject access archive: one zip of everything the request's councillor holds about
the confirmed constituent records, and nothing about anyone else.

- `subject-access.json`: the records, their cases (with history, referrals, BFs and the
  list of files), emails received from them or filed on their cases, and the emails and
  letters sent from their cases (the outbox), each with its attachments listed;
- `summary.pdf`: the same, readable, for the requester;
- `attachments/<case reference>/...`: the cases' files (photos, scans, the letters made);
- `emails/<email id>/...`: the files attached to the emails sent.

Only the councillor's own cases of those records are in it (a case another councillor
holds is theirs to answer for), and inbound mail from the requester's address only when it
is unfiled or filed on one of those cases.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Action, Attachment, Case, Constituent, Referral
from core.errors import StateError
from correspondence.models import InboundEmail
from mailer.models import OutboundAttachment, OutboundEmail
from privacy.models import SubjectAccessRequest
from privacy.services.subject_access import assert_handles, current_due_on
from reminders.models import BF


def _when(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name or "file").strip(" .") or "file"
    return cleaned[:120]


@dataclass
class SubjectArchive:
    """What the archive holds: its data (the JSON), and the files to add beside it."""

    data: dict[str, Any]
    files: list[tuple[str, Any]] = field(default_factory=list)  # (path in zip, opener)

    @property
    def counts(self) -> dict[str, int]:
        cases = self.data["cases"]
        return {
            "constituents": len(self.data["constituents"]),
            "cases": len(cases),
            "history_entries": sum(len(c["history"]) for c in cases),
            "referrals": sum(len(c["referrals"]) for c in cases),
            "bfs": sum(len(c["bfs"]) for c in cases),
            "attachments": sum(len(c["attachments"]) for c in cases),
            "emails_received": len(self.data["emails_received"]),
            "emails_and_letters_sent": len(self.data["emails_sent"]),
        }


def _person_name(user: User | None) -> str:
    return (user.name or user.email) if user is not None else ""


def subject_archive_gather(*, sar: SubjectAccessRequest) -> SubjectArchive:
    """Everything held about the confirmed records (the caller has checked who may ask)."""
    ids = list(sar.confirmed_constituent_ids)
    people = list(
        Constituent.objects.filter(pk__in=ids, owner_id=sar.councillor_id)
        .select_related("ward")
        .order_by("id")
    )
    ids = [p.pk for p in people]
    cases = list(
        Case.objects.filter(constituent_id__in=ids, owner_id=sar.councillor_id)
        .select_related("category", "ward", "owner")
        .order_by("opened_at", "id")
    )
    case_ids = [c.pk for c in cases]
    actions: dict[int, list[Action]] = {}
    for action in (
        Action.objects.filter(case_id__in=case_ids)
        .select_related("author", "on_behalf_of")
        .order_by("occurred_at", "id")
    ):
        actions.setdefault(action.case_id, []).append(action)
    referrals: dict[int, list[Referral]] = {}
    for referral in (
        Referral.objects.filter(case_id__in=case_ids).select_related("officer").order_by("id")
    ):
        referrals.setdefault(referral.case_id, []).append(referral)
    bfs: dict[int, list[BF]] = {}
    for bf in BF.objects.filter(case_id__in=case_ids).order_by("due_date", "id"):
        bfs.setdefault(bf.case_id, []).append(bf)
    attachments: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(case_id__in=case_ids).order_by("id"):
        attachments.setdefault(attachment.case_id, []).append(attachment)

    archive = SubjectArchive(data={})
    case_rows = []
    for case in cases:
        files = []
        for attachment in attachments.get(case.pk, []):
            path = (
                f"attachments/{_safe_name(case.reference)}/"
                f"{attachment.pk}-{_safe_name(attachment.original_name)}"
            )
            files.append(
                {
                    "name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "added": _when(attachment.created_at),
                    "file": path,
                }
            )
            archive.files.append((path, attachment.file))
        case_rows.append(
            {
                "reference": case.reference,
                "constituent_id": case.constituent_id,
                "title": case.title,
                "description": case.description,
                "category": case.category.name if case.category else "",
                "ward": case.ward.name if case.ward else "",
                "councillor": _person_name(case.owner),
                "priority": case.get_priority_display(),
                "status": case.get_status_display(),
                "outcome": case.get_outcome_display() if case.outcome else "",
                "opened_at": _when(case.opened_at),
                "closed_at": _when(case.closed_at),
                "history": [
                    {
                        "when": _when(a.occurred_at),
                        "kind": a.get_kind_display(),
                        "text": a.text,
                        "by": _person_name(a.author),
                        "on_behalf_of": _person_name(a.on_behalf_of),
                        "time_spent_minutes": a.time_spent_minutes,
                        "detail": a.data or {},
                    }
                    for a in actions.get(case.pk, [])
                ],
                "referrals": [
                    {
                        "officer": r.officer.name,
                        "officer_email": r.officer.email,
                        "service": r.officer.service,
                        "note": r.note,
                        "sent_at": _when(r.sent_at),
                        "target_date": _when(r.target_date),
                        "replied_at": _when(r.replied_at),
                        "target_met": r.target_met,
                    }
                    for r in referrals.get(case.pk, [])
                ],
                "bfs": [
                    {
                        "due_date": _when(b.due_date),
                        "reason": b.reason,
                        "done": b.done,
                        "done_at": _when(b.done_at),
                        "done_note": b.done_note,
                    }
                    for b in bfs.get(case.pk, [])
                ],
                "attachments": files,
            }
        )

    emails = sorted({p.email.lower() for p in people if p.email})
    from_them = Q()
    for address in emails:
        from_them |= Q(from_email__iexact=address) | Q(original_from_email__iexact=address)
    inbound_q = Q(case_id__in=case_ids)
    if emails:
        # Their mail not filed, or filed on one of these cases; never on another person's.
        inbound_q |= from_them & (Q(case__isnull=True) | Q(case_id__in=case_ids))
    inbound = InboundEmail.objects.filter(inbound_q).order_by("received_at", "id")
    references = {c.pk: c.reference for c in cases}
    outbound = list(OutboundEmail.objects.filter(case_id__in=case_ids).order_by("created_at", "id"))
    outbound_files: dict[int, list[OutboundAttachment]] = {}
    for file in OutboundAttachment.objects.filter(email__in=outbound).order_by("id"):
        outbound_files.setdefault(file.email_id, []).append(file)
    sent_rows = []
    for mail in outbound:
        listed = []
        for file in outbound_files.get(mail.pk, []):
            path = f"emails/{mail.pk}/{file.pk}-{_safe_name(file.filename)}"
            listed.append({"name": file.filename, "content_type": file.mimetype, "file": path})
            archive.files.append((path, bytes(file.content)))
        sent_rows.append(
            {
                "case": references.get(mail.case_id or 0, ""),
                "created_at": _when(mail.created_at),
                "sent_at": _when(mail.sent_at),
                "status": mail.get_status_display(),
                "from": mail.from_email,
                "to": mail.to,
                "cc": mail.cc,
                "subject": mail.subject,
                "body": mail.body_text,
                "attachments": listed,
            }
        )
    archive.data = {
        "request": {
            "requester_name": sar.requester_name,
            "received_on": _when(sar.received_on),
            "due_on": _when(current_due_on(sar)),
            "controller": _person_name(sar.councillor),
            "made_at": _when(timezone.now()),
        },
        "constituents": [
            {
                "id": p.pk,
                "name": p.name,
                "address": p.address,
                "postcode": p.postcode,
                "ward": p.ward.name if p.ward else "",
                "phone": p.phone,
                "email": p.email,
                "preferred_contact": p.get_preferred_contact_display(),
                "consent_to_share_with_officers": p.consent_to_share,
                "consent_date": _when(p.consent_date),
                "notes": p.notes,
                "recorded_at": _when(p.created_at),
                "updated_at": _when(p.updated_at),
            }
            for p in people
        ],
        "cases": case_rows,
        "emails_received": [
            {
                "case": references.get(mail.case_id or 0, ""),
                "received_at": _when(mail.received_at),
                "from": mail.original_from_email or mail.from_email,
                "from_name": mail.original_from_name or mail.from_name,
                "subject": mail.original_subject or mail.subject,
                "body": mail.body_text,
                "attachment_names": mail.attachment_names,
            }
            for mail in inbound
        ],
        "emails_sent": sent_rows,
    }
    return archive


def _summary_pdf(archive: SubjectArchive) -> bytes:
    # Imported here: WeasyPrint takes a second to load and only this download needs it.
    from weasyprint import HTML

    html = render_to_string(
        "privacy/subject_access_summary_pdf.html",
        {"data": archive.data, "counts": archive.counts},
    )
    return bytes(HTML(string=html).write_pdf())


def _zip(archive: SubjectArchive) -> bytes:
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path, source in archive.files:
            if isinstance(source, bytes):
                bundle.writestr(path, source)
                continue
            try:
                with source.open("rb") as handle:
                    bundle.writestr(path, handle.read())
            except (FileNotFoundError, OSError, ValueError):
                missing.append(path)
        if missing:
            archive.data["files_missing_from_storage"] = missing
        bundle.writestr(
            "subject-access.json",
            json.dumps(archive.data, indent=2, ensure_ascii=False, default=str),
        )
        bundle.writestr("summary.pdf", _summary_pdf(archive))
    return buffer.getvalue()


@transaction.atomic
def subject_access_archive(*, actor: User, sar: SubjectAccessRequest) -> tuple[str, bytes]:
    """The archive's file name and bytes, built now; the download is audited. Refused until
    the requester's records are confirmed (an archive of nobody would mislead)."""
    assert_handles(actor=actor, sar=sar)
    if not sar.confirmed_constituent_ids:
        raise StateError("Confirm which records are the requester's before downloading.")
    archive = subject_archive_gather(sar=sar)
    content = _zip(archive)
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(
        archives_downloaded=F("archives_downloaded") + 1
    )
    case_refs = [c["reference"] for c in archive.data["cases"]]
    audit_record(
        action=AuditAction.SUBJECT_ACCESS,
        actor=actor,
        summary=f"Downloaded a subject access archive ({len(case_refs)} case(s)).",
        case_references=case_refs,
        constituent_ids=sar.confirmed_constituent_ids,
        detail={"request_id": sar.pk, "event": "archive", **archive.counts},
    )
    return f"subject-access-{sar.pk}-{timezone.localdate():%Y%m%d}.zip", content
