"""Inbound email: route a message to its council, then file it.

Every council has an inbound address, <slug>@<INBOUND_EMAIL_DOMAIN> (cases+<slug>@... also
works). Mail arrives through an ESP webhook (django-anymail's inbound signal) or a polled
mailbox; both hand the raw bytes to `inbound_receive`, which finds the council from the
recipients and files the message inside that council's schema:

- From one of the council's councillors or staff: a forward. The original (message/rfc822
  attachment first, then Gmail/Outlook inline blocks) becomes an EMAIL_IN action on the
  case it belongs to, matched by thread headers (Message-IDs we sent or filed), a case
  reference in the subject, or the constituent's address; otherwise a new case for that
  councillor, with the original sender as the constituent.
- From anyone else: a reply in a thread we started (e.g. the officer answering a referral
  email: recorded as the officer's reply) or to a case whose reference is in the subject
  (only from that case's constituent or referred officer), or from the address of a
  constituent with exactly one open case.
- Anything that matches no case and comes from no known user waits in the triage queue.

Only mail whose sender is authenticated (a DKIM signature of the From domain, or a trusted
DKIM/SPF/DMARC verdict: correspondence.mail.authenticity) is filed by itself. Anything else
waits in triage marked unverified, so a forged From can never answer a referral, add to a
case or open one.

Messages are idempotent by Message-ID (webhook retries and re-polls file nothing twice), and
automatic replies (out of office) are recorded but never filed, so they cannot close a
referral.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from caseload.models import Action, Case, Constituent, Referral
from caseload.selectors import case_can_change, case_visible_q
from caseload.services import (
    action_add,
    assert_council_writable,
    attachment_add,
    case_open,
    constituent_create,
    referral_record_reply,
)
from caseload.services.ownership import new_case_owner
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from correspondence.mail.authenticity import SenderVerdict, sender_verdict
from correspondence.mail.forwarded import (
    ForwardedOriginal,
    forwarded_originals,
    strip_quoted_reply,
)
from correspondence.mail.parse import MailAttachment, ParsedMail, clean_subject, parse_mail
from correspondence.models import InboundEmail, ThreadMessage
from correspondence.services.notify import (
    notify_councillor_of_inbound,
    notify_councillor_of_officer_response,
)
from tenants.models import Council

logger = logging.getLogger(__name__)

S = InboundEmail.Status
_REFERENCE_RE = re.compile(r"\b([A-Z0-9]{2,12})-(\d{4})-(\d{1,9})\b", re.I)
MAX_ACTION_CHARS = 20_000


@dataclass(frozen=True)
class InboundResult:
    schema: str
    status: str
    inbound_id: int | None
    case_id: int | None


def council_slug_for_address(address: str) -> str | None:
    """'fife@inbound.example' or 'cases+fife@inbound.example' -> 'fife' (None if the address
    is not on the inbound domain)."""
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    if not domain or "@" not in address:
        return None
    local, _, host = address.strip().lower().rpartition("@")
    if host != domain:
        return None
    if local.startswith("cases+"):
        local = local[len("cases+") :]
    return local.split("+", 1)[0] or None


def inbound_receive(
    *, raw: bytes, envelope_recipient: str = "", esp_verdict: SenderVerdict | None = None
) -> list[InboundResult]:
    """File one raw message in each council it is addressed to (normally one). The sender
    is checked once (`esp_verdict`: what the ESP said, when it came by webhook)."""
    mail = parse_mail(raw)
    slugs = [
        slug
        for slug in dict.fromkeys(
            council_slug_for_address(a) for a in [envelope_recipient, *mail.recipients] if a
        )
        if slug
    ]
    with schema_context("public"):
        councils = list(Council.objects.filter(slug__in=slugs, status=Council.Status.READY))
    if not councils:
        logger.warning("inbound message %s matches no council's address", mail.message_id)
        return []
    domain = settings.INBOUND_EMAIL_DOMAIN
    verdict = sender_verdict(raw=raw, from_email=mail.from_email, esp_verdict=esp_verdict)
    results = []
    for council in councils:
        with schema_context(council.schema_name):
            try:
                inbound = inbound_process(
                    raw=raw, mail=mail, recipient=f"{council.slug}@{domain}", verdict=verdict
                )
            except ApplicationError as exc:  # e.g. a read-only (lapsed) licence
                logger.warning("inbound mail refused in %s: %s", council.schema_name, exc)
                results.append(InboundResult(council.schema_name, "refused", None, None))
                continue
            results.append(
                InboundResult(council.schema_name, inbound.status, inbound.pk, inbound.case_id)
            )
    return results


def _active_user(address: str) -> User | None:
    if not address:
        return None
    return (
        User.objects.filter(
            email=address.lower(),
            is_active=True,
            role__in=[User.Role.COUNCILLOR, User.Role.STAFF],
        )
        .order_by("id")
        .first()
    )


def _case_by_thread(ids: list[str]) -> ThreadMessage | None:
    if not ids:
        return None
    return (
        ThreadMessage.objects.select_related("case", "referral__officer")
        .filter(message_id__in=ids[-50:])
        .order_by("-created_at", "-id")
        .first()
    )


def _case_by_reference(*subjects: str) -> Case | None:
    for subject in subjects:
        for prefix, year, number in _REFERENCE_RE.findall(subject or ""):
            reference = f"{prefix.upper()}-{year}-{int(number):05d}"
            case = (
                Case.objects.select_related("constituent", "owner")
                .filter(reference=reference)
                .first()
            )
            if case is not None:
                return case
    return None


def _occurred(date: datetime | None) -> datetime | None:
    now = timezone.now()
    if date is None or date > now + timedelta(minutes=5) or date < now - timedelta(days=3650):
        return None
    return date


def _file_attachments(
    *, actor: User, case: Case, attachments: list[MailAttachment]
) -> tuple[list[str], list[str]]:
    """Attach what caseload accepts (size and type checked there); say what was refused."""
    kept, refused = [], []
    for item in attachments:
        upload = SimpleUploadedFile(item.filename[:200], item.content, item.content_type)
        try:
            attachment_add(actor=actor, case=case, file=upload)
        except ApplicationError as exc:
            refused.append(f"{item.filename} ({exc.message})")
        else:
            kept.append(item.filename)
    return kept, refused


def _attachment_note(kept: list[str], refused: list[str]) -> str:
    note = ""
    if kept:
        note += f"\n\nAttached: {', '.join(kept)}"
    if refused:
        note += f"\n\nNot kept: {'; '.join(refused)}"
    return note


def thread_remember(*, case: Case, ids: list[str], referral: Referral | None = None) -> None:
    for message_id in dict.fromkeys(i for i in ids if i):
        ThreadMessage.objects.get_or_create(
            message_id=message_id[:255],
            defaults={
                "case": case,
                "referral": referral,
                "direction": ThreadMessage.Direction.IN,
            },
        )


def inbound_file_on_case(
    *,
    actor: User,
    case: Case,
    inbound: InboundEmail,
    sender: str,
    subject: str,
    body: str,
    attachments: list[MailAttachment],
    occurred_at: datetime | None,
    forwarded_by: User | None = None,
    matched_by: str,
) -> Action:
    kept, refused = _file_attachments(actor=actor, case=case, attachments=attachments)
    via = f" (forwarded by {forwarded_by.name})" if forwarded_by else ""
    head = f"Email from {sender}{via}: {subject or '(no subject)'}"
    note = _attachment_note(kept, refused)
    text = f"{head}\n\n{body}".strip()[: MAX_ACTION_CHARS - len(note)] + note
    return action_add(
        actor=actor,
        case=case,
        kind=Action.Kind.EMAIL_IN,
        text=text,
        occurred_at=occurred_at,
        data={"inbound_id": inbound.pk, "matched_by": matched_by, "from": sender},
    )


def sender_label(name: str, address: str) -> str:
    return f"{name} <{address}>" if name and address else (address or name or "unknown sender")


@transaction.atomic
def inbound_process(
    *,
    raw: bytes,
    mail: ParsedMail | None = None,
    recipient: str = "",
    verdict: SenderVerdict | None = None,
) -> InboundEmail:
    """File one message in the current council's schema (see the module docstring). Only
    mail whose sender is authenticated files itself; the rest waits in triage, unverified."""
    assert_council_writable()  # a read-only (lapsed) council takes no new mail
    mail = mail or parse_mail(raw)
    verdict = verdict or sender_verdict(raw=raw, from_email=mail.from_email)
    inbound = InboundEmail(message_id=mail.message_id)
    if mail.message_id:
        existing = InboundEmail.objects.filter(message_id=mail.message_id).first()
        if existing is not None:
            # A repeat is filed once; but an unverified copy (someone may have sent a
            # forgery first, with the same Message-ID) gives way to an authenticated one.
            upgrade = (
                verdict.authenticated
                and not existing.sender_verified
                and existing.status == S.TRIAGE
            )
            if not upgrade:
                return existing
            inbound = existing
    inbound.received_at = timezone.now()
    inbound.recipient = recipient[:254]
    inbound.from_email = mail.from_email[:254]
    inbound.from_name = mail.from_name[:200]
    inbound.subject = mail.subject[:998]
    inbound.body_text = mail.text[:MAX_ACTION_CHARS]
    inbound.attachment_names = [a.filename for a in mail.attachments]
    inbound.sender_verified = verdict.authenticated
    inbound.sender_check = verdict.detail[:300]
    inbound.status = S.TRIAGE
    inbound.reason = ""
    if mail.is_auto_reply:
        inbound.status = S.IGNORED
        inbound.reason = "Automatic reply (out of office or similar)"
        inbound.save()
        return inbound
    inbound.raw.save("message.eml", ContentFile(raw), save=False)
    if not verdict.authenticated:
        # Anyone can write any From header: such mail never opens a case, adds to one or
        # answers a referral by itself. Staff see it in triage, marked unverified.
        inbound.reason = f"Sender not verified ({verdict.detail})"[:300]
        inbound.save()
        return inbound
    inbound.save()
    # Each attempt to file runs in a savepoint: if caseload refuses (a case nobody may
    # change, an inactive owner), nothing half-filed remains and the message waits in triage.
    user = _active_user(mail.from_email)
    try:
        with transaction.atomic():
            if user is not None:
                _file_forward(inbound=inbound, mail=mail, user=user)
            else:
                _file_direct(inbound=inbound, mail=mail)
    except ApplicationError as exc:
        inbound.status = S.TRIAGE
        inbound.case = None
        inbound.reason = f"Could not be filed automatically: {exc.message}"[:300]
    if inbound.status != S.TRIAGE:
        # Filed: the case history and its attachments now hold the content. Keeping a second
        # copy here would outlive the case's own retention and anonymisation.
        raw_name, storage = inbound.raw.name or "", inbound.raw.storage
        inbound.raw = ""
        inbound.body_text = ""
        if raw_name:
            transaction.on_commit(lambda: storage.delete(raw_name))
    inbound.save()
    return inbound


def _pick_original(originals: list[ForwardedOriginal]) -> ForwardedOriginal | None:
    """The first forwarded message not written by one of the council's own users (a
    constituent's email may reach the councillor via their assistant's forward)."""
    for original in originals:
        if original.from_email and _active_user(original.from_email) is None:
            return original
    return originals[-1] if originals else None


def case_open_from_email(
    *,
    actor: User,
    owner: User,
    inbound: InboundEmail,
    sender: str,
    sender_name: str,
    sender_address: str,
    subject: str,
    body: str,
    attachments: list[MailAttachment],
    occurred_at: datetime | None,
    matched_by: str,
    forwarded_by: User | None = None,
    constituent: Constituent | None = None,
    title: str = "",
) -> Case:
    """Open a case for `owner` from an email: the one way it is done, for a councillor's
    forward and for staff working the triage queue alike.

    The constituent is `constituent`, else the owner's constituent with the sender's
    address, else a new one made from the sender's name and address. The case is titled
    from the subject (or `title`), and the message is filed on it as its first entry."""
    address = (sender_address or "").lower()
    if constituent is None and address:
        constituent = (
            Constituent.objects.filter(owner=owner, email=address)
            .order_by("-updated_at", "-id")
            .first()
        )
    if constituent is None:
        name = sender_name or address.split("@", 1)[0]
        constituent = constituent_create(
            actor=actor,
            owner=owner,
            name=name[:200],
            email=address,
            preferred_contact=(
                Constituent.PreferredContact.EMAIL if address else Constituent.PreferredContact.ANY
            ),
            allow_duplicate=True,
        )
    case = case_open(
        actor=actor,
        constituent=constituent,
        title=(title or clean_subject(subject) or f"Email from {constituent.name}")[:200],
        description=body[:MAX_ACTION_CHARS],
        owner=owner,
    )
    inbound_file_on_case(
        actor=actor,
        case=case,
        inbound=inbound,
        sender=sender,
        subject=subject,
        body=body,
        attachments=attachments,
        occurred_at=occurred_at,
        forwarded_by=forwarded_by,
        matched_by=matched_by,
    )
    return case


def _file_forward(*, inbound: InboundEmail, mail: ParsedMail, user: User) -> None:
    original = _pick_original(forwarded_originals(mail))
    inbound.forwarded_by = user
    if original is not None:
        inbound.original_from_email = original.from_email[:254]
        inbound.original_from_name = original.from_name[:200]
        inbound.original_subject = original.subject[:998]
        inbound.original_date = original.date
        inbound.body_text = original.body[:MAX_ACTION_CHARS]
    thread_ids = [*mail.thread_ids]
    if original is not None:
        thread_ids += [*original.references, original.message_id]
    case: Case | None = None
    matched_by = ""
    thread = _case_by_thread([i for i in thread_ids if i])
    if thread is not None:
        case, matched_by = thread.case, "thread"
    if case is None:
        case = _case_by_reference(mail.subject, original.subject if original else "")
        matched_by = "reference" if case else ""
    if case is None and original is not None and original.from_email:
        case = (
            Case.objects.filter(
                case_visible_q(user), constituent__email=original.from_email.lower()
            )
            .exclude(status=Case.Status.CLOSED)
            .order_by("-updated_at", "-id")
            .first()
        )
        matched_by = "constituent_email" if case else ""
    subject = original.subject if original else mail.subject
    body = original.body if original else mail.text
    attachments = original.attachments if original else mail.attachments
    sender = (
        sender_label(original.from_name, original.from_email)
        if original
        else sender_label(mail.from_name, mail.from_email)
    )
    if case is not None:
        if not case_can_change(user, case):
            inbound.reason = (
                f"Matched {case.reference} (by {matched_by.replace('_', ' ')}), which "
                f"{user.name} cannot change."
            )[:300]
            return
        inbound_file_on_case(
            actor=user,
            case=case,
            inbound=inbound,
            sender=sender,
            subject=subject,
            body=body,
            attachments=attachments,
            occurred_at=_occurred(original.date if original else None),
            forwarded_by=user,
            matched_by=matched_by,
        )
        thread_remember(case=case, ids=[mail.message_id, original.message_id if original else ""])
        inbound.status, inbound.case, inbound.reason = S.ACTION, case, f"Matched by {matched_by}"
        return
    if original is None or not original.from_email:
        inbound.reason = "No forwarded message with a sender was found in this email."
        return
    try:
        owner = new_case_owner(actor=user, owner=None)
    except PermissionDenied:
        inbound.reason = f"{user.name} does not act for any councillor."
        return
    except ValidationFailed:
        inbound.reason = f"{user.name} supports several councillors; choose whose case this is."
        return
    case = case_open_from_email(
        actor=user,
        owner=owner,
        inbound=inbound,
        sender=sender,
        sender_name=original.from_name,
        sender_address=original.from_email,
        subject=subject,
        body=body,
        attachments=attachments,
        occurred_at=_occurred(original.date),
        forwarded_by=user,
        matched_by="new_case",
    )
    thread_remember(case=case, ids=[mail.message_id, original.message_id])
    inbound.status, inbound.case, inbound.reason = S.NEW_CASE, case, "New case from a forward"


def _officer_referral(case: Case, address: str) -> Referral | None:
    return (
        Referral.objects.select_related("officer")
        .filter(case=case, officer__email=address.lower(), replied_at__isnull=True)
        .order_by("-sent_at", "-id")
        .first()
    )


def _file_direct(*, inbound: InboundEmail, mail: ParsedMail) -> None:
    sender_address = mail.from_email
    case: Case | None = None
    referral: Referral | None = None
    matched_by = ""
    thread = _case_by_thread(mail.thread_ids)
    if thread is not None:
        case, matched_by = thread.case, "thread"
        if thread.referral is not None and thread.referral.officer.email == sender_address:
            referral = thread.referral if thread.referral.replied_at is None else None
    if case is None:
        by_ref = _case_by_reference(mail.subject)
        if by_ref is not None:
            officer_ref = _officer_referral(by_ref, sender_address)
            from_constituent = by_ref.constituent.email == sender_address
            referred_before = Referral.objects.filter(
                case=by_ref, officer__email=sender_address
            ).exists()
            if officer_ref or from_constituent or referred_before:
                case, referral, matched_by = by_ref, officer_ref, "reference"
            else:
                inbound.reason = (
                    f"The subject names {by_ref.reference}, but the sender is not its "
                    "constituent or a referred officer."
                )
                return
    if case is None and sender_address:
        open_cases = list(
            Case.objects.filter(constituent__email=sender_address)
            .exclude(status=Case.Status.CLOSED)
            .order_by("-updated_at", "-id")[:2]
        )
        if len(open_cases) == 1:
            case, matched_by = open_cases[0], "constituent_email"
        elif open_cases:
            inbound.reason = "The sender is a constituent with several open cases."
            return
    if case is None:
        inbound.reason = "No matching case, and the sender is not a user of this council."
        return
    case = Case.objects.select_related("owner", "constituent").get(pk=case.pk)
    actor = case.owner
    body = strip_quoted_reply(mail.text)
    sender = sender_label(mail.from_name, sender_address)
    if referral is not None:
        kept, refused = _file_attachments(actor=actor, case=case, attachments=mail.attachments)
        referral = referral_record_reply(
            actor=actor,
            referral=referral,
            text=(body + _attachment_note(kept, refused))[:MAX_ACTION_CHARS],
            data={"via": "email", "inbound_id": inbound.pk},
            by_officer=True,
        )
        thread_remember(case=case, ids=[mail.message_id], referral=referral)
        inbound.status, inbound.case = S.OFFICER_REPLY, case
        inbound.reason = f"Officer's reply, matched by {matched_by.replace('_', ' ')}"
        notify_councillor_of_officer_response(
            referral=referral, response="reply", text=body, new_target_date=None
        )
        return
    inbound_file_on_case(
        actor=actor,
        case=case,
        inbound=inbound,
        sender=sender,
        subject=mail.subject,
        body=body,
        attachments=mail.attachments,
        occurred_at=_occurred(mail.date),
        matched_by=matched_by,
    )
    thread_remember(case=case, ids=[mail.message_id])
    inbound.status, inbound.case = S.ACTION, case
    inbound.reason = f"Matched by {matched_by.replace('_', ' ')}"
    label = (
        "an officer"
        if Referral.objects.filter(case=case, officer__email=sender_address).exists()
        else "the constituent"
        if case.constituent.email == sender_address
        else "a sender"
    )
    notify_councillor_of_inbound(case=case, inbound_id=inbound.pk, sender=label)
