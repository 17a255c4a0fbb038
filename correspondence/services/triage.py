"""The queue of inbound mail that matched no case and came from no known user.

Members' Services staff work it: file a message on a case, open a new case from it for a
councillor they support, or dismiss it (its stored copy is then deleted).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import Case, Constituent
from caseload.selectors import case_can_change
from caseload.services import assert_council_writable
from core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from correspondence.mail.forwarded import forwarded_originals
from correspondence.mail.parse import MailAttachment, parse_mail
from correspondence.models import InboundEmail
from correspondence.services.inbound import (
    case_open_from_email,
    inbound_file_on_case,
    sender_label,
    thread_remember,
)


def require_triage_staff(actor: User) -> None:
    if not (actor.is_active and actor.role == User.Role.STAFF):
        raise PermissionDenied("Members' Services staff triage inbound mail.")


def _lock_waiting(inbound: InboundEmail) -> InboundEmail:
    locked = InboundEmail.objects.select_for_update().filter(pk=inbound.pk).first()
    if locked is None:
        raise NotFound(f"No inbound message with id {inbound.pk}.")
    if locked.status != InboundEmail.Status.TRIAGE:
        raise StateError(f"This message was already dealt with ({locked.get_status_display()}).")
    return locked


def _content(inbound: InboundEmail) -> tuple[str, str, str, list[MailAttachment], str]:
    """(sender label, subject, body, attachments, message id) of what was received, from the
    stored original: the forwarded message when there is one."""
    attachments: list[MailAttachment] = []
    message_id = inbound.message_id
    if inbound.raw:
        with inbound.raw.open("rb") as handle:
            mail = parse_mail(handle.read())
        originals = forwarded_originals(mail) if inbound.forwarded_by_id else []
        attachments = originals[0].attachments if originals else mail.attachments
    if inbound.original_from_email:
        sender = sender_label(inbound.original_from_name, inbound.original_from_email)
        subject = inbound.original_subject
    else:
        sender = sender_label(inbound.from_name, inbound.from_email)
        subject = inbound.subject
    return sender, subject, inbound.body_text, attachments, message_id


def _done(inbound: InboundEmail, *, actor: User, status: str, case: Case | None, why: str) -> None:
    inbound.status = status
    inbound.case = case
    inbound.triaged_by = actor
    inbound.triaged_at = timezone.now()
    inbound.reason = why[:300]
    inbound.save(
        update_fields=["status", "case", "triaged_by", "triaged_at", "reason", "updated_at"]
    )


def _assigned(
    inbound: InboundEmail, *, actor: User, case: Case, message_id: str, why: str
) -> InboundEmail:
    """The message is on `case` now: replies to it thread there, and it leaves the queue."""
    thread_remember(case=case, ids=[message_id])
    _done(
        inbound,
        actor=actor,
        status=InboundEmail.Status.ASSIGNED,
        case=case,
        why=f"{why} by {actor.name}",
    )
    return inbound


@transaction.atomic
def triage_assign(*, actor: User, inbound: InboundEmail, case: Case) -> InboundEmail:
    """File the message on `case` (which `actor` must be able to change)."""
    assert_council_writable()
    require_triage_staff(actor)
    inbound = _lock_waiting(inbound)
    if not case_can_change(actor, case):
        raise NotFound(f"No case with id {case.pk} that you can change.")
    sender, subject, body, attachments, message_id = _content(inbound)
    inbound_file_on_case(
        actor=actor,
        case=case,
        inbound=inbound,
        sender=sender,
        subject=subject,
        body=body,
        attachments=attachments,
        occurred_at=inbound.received_at,
        matched_by="triage",
    )
    return _assigned(
        inbound, actor=actor, case=case, message_id=message_id, why=f"Filed on {case.reference}"
    )


@transaction.atomic
def triage_open_case(
    *,
    actor: User,
    inbound: InboundEmail,
    owner: User,
    title: str = "",
    constituent: Constituent | None = None,
) -> InboundEmail:
    """Open a case for `owner` (a councillor `actor` supports) from the message, as
    inbound.case_open_from_email does for every email (`constituent`, or the sender's)."""
    assert_council_writable()
    require_triage_staff(actor)
    inbound = _lock_waiting(inbound)
    sender, subject, body, attachments, message_id = _content(inbound)
    address = inbound.original_from_email or inbound.from_email
    name = inbound.original_from_name or inbound.from_name
    if constituent is None and not address and not name:
        raise ValidationFailed(
            "The message has no sender to make a constituent from; choose a constituent.",
            extra={"constituent": ["Required for this message."]},
        )
    case = case_open_from_email(
        actor=actor,
        owner=owner,
        inbound=inbound,
        sender=sender,
        sender_name=name,
        sender_address=address,
        subject=subject,
        body=body,
        attachments=attachments,
        occurred_at=inbound.received_at,
        matched_by="triage",
        constituent=constituent,
        title=title,
    )
    return _assigned(
        inbound,
        actor=actor,
        case=case,
        message_id=message_id,
        why=f"New case {case.reference} opened",
    )


@transaction.atomic
def triage_dismiss(*, actor: User, inbound: InboundEmail, reason: str = "") -> InboundEmail:
    """Not casework (spam, a mailing list, a duplicate): dismissed, and its stored copy and
    body deleted so no personal data lingers in the queue."""
    assert_council_writable()
    require_triage_staff(actor)
    inbound = _lock_waiting(inbound)
    raw_name = inbound.raw.name if inbound.raw else ""
    storage = inbound.raw.storage
    inbound.raw = ""
    inbound.body_text = ""
    inbound.attachment_names = []
    inbound.save(update_fields=["raw", "body_text", "attachment_names", "updated_at"])
    _done(
        inbound,
        actor=actor,
        status=InboundEmail.Status.DISMISSED,
        case=None,
        why=f"Dismissed by {actor.name}" + (f": {reason.strip()}" if reason.strip() else ""),
    )
    if raw_name:
        transaction.on_commit(lambda: storage.delete(raw_name))
    return inbound
