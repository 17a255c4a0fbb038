"""Merging a template for a case and sending it: as an email (through the outbox, recorded
as an EMAIL_OUT action) or as a letter (.docx or PDF, attached to the case and recorded as a
LETTER action)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import Action, Attachment, Case, Referral
from caseload.selectors import case_can_change, case_visible_q
from caseload.services import action_add, attachment_add
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.tenancy import current_schema
from correspondence.models import ThreadMessage
from correspondence.rendering.letters import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    Letter,
    render_docx,
    render_pdf,
)
from correspondence.rendering.sandbox import (
    Rendered,
    format_date,
    render_checked,
    template_check,
)
from correspondence.selectors import (
    EffectiveTemplate,
    correspondence_settings_get,
    council_name,
    letterhead_logo_get,
    merge_context,
    sample_context,
    template_get_effective,
)
from correspondence.services.links import referral_reply_url
from correspondence.shared.models import Audience
from mailer.services import outbox_enqueue
from tenants.models import Council

LINK_PLACEHOLDER = "[officer's reply link]"


@dataclass(frozen=True)
class Prepared:
    template: EffectiveTemplate
    case: Case | None
    referral: Referral | None
    rendered: Rendered
    recipient_name: str
    recipient_email: str
    recipient_address: list[str]
    reply_link: str

    @property
    def body_for_history(self) -> str:
        # The link is a credential: the case history (read by colleagues the case is shared
        # with) records that it was sent, not the link itself.
        if self.reply_link:
            return self.rendered.body.replace(self.reply_link, LINK_PLACEHOLDER)
        return self.rendered.body


def inbound_address(*, slug: str | None = None) -> str:
    """The council's inbound address, or "" when inbound mail is not set up."""
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    if not domain:
        return ""
    if slug is None:
        council = Council.objects.filter(schema_name=current_schema()).only("slug").first()
        if council is None:
            return ""
        slug = council.slug
    return f"{slug}@{domain}"


def _referral_for(case: Case, referral: Referral | int | None) -> Referral | None:
    if referral is None:
        return None
    pk = referral.pk if isinstance(referral, Referral) else referral
    found = Referral.objects.select_related("officer").filter(pk=pk, case_id=case.pk).first()
    if found is None:
        raise ValidationFailed(
            f"No referral with id {pk} on {case.reference}.", extra={"referral": ["Not found."]}
        )
    return found


def _recipient(
    template: EffectiveTemplate, case: Case, referral: Referral | None
) -> tuple[str, str, list[str]]:
    if template.audience == Audience.OFFICER:
        assert referral is not None
        officer = referral.officer
        lines = [officer.name, *(x for x in (officer.job_title, officer.service) if x)]
        return officer.name, officer.email, lines
    constituent = case.constituent
    lines = [constituent.name, *constituent.address.splitlines()]
    if constituent.postcode and constituent.postcode not in constituent.address:
        lines.append(constituent.postcode)
    return constituent.name, constituent.email, [line for line in lines if line.strip()]


def correspondence_prepare(
    *,
    actor: User,
    key: str,
    case: Case | None,
    referral: Referral | int | None = None,
    subject: str | None = None,
    body: str | None = None,
    for_sending: bool = False,
) -> Prepared:
    """Merge template `key` (or the draft `subject`/`body` given, to preview unsaved edits)
    for `case`. Without a case, sample values are used. Officer templates need the referral,
    whose reply link is only minted when actually sending."""
    template = template_get_effective(user=actor, key=key)
    subject = template.subject if subject is None else subject
    body = template.body if body is None else body
    if case is None:
        rendered = render_checked(subject=subject, body=body, context=sample_context())
        return Prepared(template, None, None, rendered, "", "", [], "")
    if not Case.objects.filter(case_visible_q(actor), pk=case.pk).exists():
        raise NotFound(f"No case with id {case.pk}.")
    if for_sending and not case_can_change(actor, case):
        raise PermissionDenied(
            "Only the case's owner and the staff who support them send its correspondence."
        )
    found = _referral_for(case, referral)
    if template.audience == Audience.OFFICER and found is None:
        raise ValidationFailed(
            f"'{template.name}' is addressed to an officer: choose the referral it is about.",
            extra={"referral": ["Required for a template addressed to an officer."]},
        )
    reply_link = ""
    if found is not None and for_sending and found.replied_at is None:
        reply_link = referral_reply_url(referral=found)
    elif found is not None and for_sending:
        if "referral.reply_link" in template_check(subject=subject, body=body).fields:
            raise ValidationFailed(
                f"{found.officer.name} already replied on {found.replied_at:%d %B %Y}, so the "
                "reply link would not work. Use a template without the link.",
                extra={"referral": ["Already answered."]},
            )
    elif found is not None:
        reply_link = LINK_PLACEHOLDER
    context = merge_context(
        case=case, audience=template.audience, referral=found, reply_link=reply_link
    )
    rendered = render_checked(subject=subject, body=body, context=context)
    name, email, lines = _recipient(template, case, found)
    return Prepared(
        template,
        case,
        found,
        rendered,
        name,
        email,
        lines,
        reply_link if reply_link != LINK_PLACEHOLDER else "",
    )


_URL_RE = re.compile(r"(https?://[^\s<]+)")


def _html_body(text: str) -> str:
    paras = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL_RE.sub(r'<a href="\1">\1</a>', escaped)
        paras.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        '<div style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.4">'
        + "\n".join(paras)
        + "</div>"
    )


@dataclass(frozen=True)
class SentEmail:
    action: Action
    outbox_id: int
    message_id: str
    to: str


@transaction.atomic
def correspondence_send_email(
    *,
    actor: User,
    key: str,
    case: Case,
    referral: Referral | int | None = None,
    dedupe_key: str | None = None,
) -> SentEmail:
    """Email template `key`, merged for `case`, to its constituent (or the referral's
    officer). Goes through the outbox; recorded as an EMAIL_OUT action with the Message-ID,
    so replies thread back into the case."""
    prepared = correspondence_prepare(
        actor=actor, key=key, case=case, referral=referral, for_sending=True
    )
    if not prepared.recipient_email:
        who = "The officer" if prepared.template.audience == Audience.OFFICER else "The constituent"
        raise ValidationFailed(
            f"{who} has no email address; send a letter instead.",
            extra={"channel": ["No email address."]},
        )
    owner = case.owner
    _, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    from_email = formataddr((f"{owner.name} via {council_name()}"[:150], default_address))
    reply_to = inbound_address() or owner.email
    headers: dict[str, str] = {}
    if prepared.referral is not None:
        # A chaser threads under the referral email(s) the officer already has.
        earlier = list(
            ThreadMessage.objects.filter(
                referral=prepared.referral, direction=ThreadMessage.Direction.OUT
            )
            .order_by("created_at", "id")
            .values_list("message_id", flat=True)[:20]
        )
        if earlier:
            headers = {"In-Reply-To": earlier[-1], "References": " ".join(earlier)}
    row = outbox_enqueue(
        to=[formataddr((prepared.recipient_name, prepared.recipient_email))],
        subject=prepared.rendered.subject,
        body_text=prepared.rendered.body + "\n",
        body_html=_html_body(prepared.rendered.body),
        case=case,
        kind="correspondence",
        from_email=from_email,
        reply_to=[reply_to] if reply_to else [],
        headers=headers,
        dedupe_key=dedupe_key or f"correspondence:{uuid.uuid4().hex}",
    )
    ThreadMessage.objects.get_or_create(
        message_id=row.message_id,
        defaults={
            "case": case,
            "referral": prepared.referral,
            "direction": ThreadMessage.Direction.OUT,
        },
    )
    action = action_add(
        actor=actor,
        case=case,
        kind=Action.Kind.EMAIL_OUT,
        text=(
            f"Email to {prepared.recipient_name} <{prepared.recipient_email}>: "
            f"{prepared.rendered.subject}\n\n{prepared.body_for_history}"
        )[:20000],
        data={
            "template": key,
            "template_source": prepared.template.source,
            "outbox_id": row.pk,
            "message_id": row.message_id,
            "to": prepared.recipient_email,
            "referral_id": prepared.referral.pk if prepared.referral else None,
        },
    )
    return SentEmail(action=action, outbox_id=row.pk, message_id=row.message_id, to=row.to[0])


def letter_for(prepared: Prepared) -> Letter:
    assert prepared.case is not None
    return letter_on_letterhead(
        reference=prepared.case.reference,
        recipient=prepared.recipient_address,
        subject=prepared.rendered.subject,
        body=prepared.rendered.body,
    )


def letter_on_letterhead(
    *, reference: str, recipient: list[str], subject: str, body: str
) -> Letter:
    """A letter on the council's letterhead as it stands: its name, address, contacts,
    footer and logo (every letter, batch letters and the letterhead page's sample)."""
    letterhead = correspondence_settings_get()
    logo = letterhead_logo_get()
    contact = [
        line
        for line in (
            f"Tel: {letterhead.phone}" if letterhead.phone else "",
            letterhead.email,
            letterhead.website,
        )
        if line
    ]
    return Letter(
        letterhead_name=letterhead.letterhead_name or council_name(),
        letterhead_address=[x.strip() for x in letterhead.address.splitlines() if x.strip()],
        letterhead_contact=contact,
        footer=letterhead.footer,
        date=format_date(timezone.localdate()),
        reference=reference,
        recipient=recipient,
        subject=subject,
        body=body,
        logo=logo[0] if logo else b"",
        logo_content_type=logo[1] if logo else "",
        logo_position=letterhead.logo_position,
    )


@dataclass(frozen=True)
class LetterFile:
    attachment: Attachment
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class GeneratedLetter:
    """One letter, in one or more formats, and its one history entry."""

    action: Action
    files: tuple[LetterFile, ...]

    # The first (usually only) file, for callers that ask for one format.
    @property
    def attachment(self) -> Attachment:
        return self.files[0].attachment

    @property
    def filename(self) -> str:
        return self.files[0].filename

    @property
    def content_type(self) -> str:
        return self.files[0].content_type

    @property
    def content(self) -> bytes:
        return self.files[0].content


LETTER_FORMATS = {"docx": DOCX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}
LETTER_FORMAT_LABELS = {"docx": ".docx", "pdf": "PDF"}


def letter_formats_label(formats: Sequence[str]) -> str:
    """ ".docx", "PDF" or ".docx and PDF": how the history says which formats were made."""
    labels = [LETTER_FORMAT_LABELS[f] for f in formats]
    return " and ".join(labels)


@transaction.atomic
def correspondence_make_letter(
    *,
    actor: User,
    key: str,
    case: Case,
    fmt: str = "",
    formats: Sequence[str] = (),
    referral: Referral | int | None = None,
) -> GeneratedLetter:
    """Template `key` as a letter on the council's letterhead, in `fmt` or each of
    `formats` (.docx, PDF), each file attached to the case, and ONE history entry (a LETTER
    action) saying which formats: the files are one letter, so the history has one line
    for it and no "Case details changed" per file."""
    chosen = list(dict.fromkeys([*formats] if formats else [fmt]))
    if not chosen or any(f not in LETTER_FORMATS for f in chosen):
        raise ValidationFailed(
            "A letter is docx, pdf or both.", extra={"format": ["Choose docx, pdf or both."]}
        )
    prepared = correspondence_prepare(
        actor=actor, key=key, case=case, referral=referral, for_sending=True
    )
    letter = letter_for(prepared)
    files = []
    for f in chosen:
        content = render_docx(letter) if f == "docx" else render_pdf(letter)
        filename = f"{case.reference}-{key}.{f}"
        upload = SimpleUploadedFile(filename, content, content_type=LETTER_FORMATS[f])
        attachment = attachment_add(actor=actor, case=case, file=upload, record=False)
        files.append(
            LetterFile(
                attachment=attachment,
                filename=filename,
                content_type=LETTER_FORMATS[f],
                content=content,
            )
        )
    names = ", ".join(f.filename for f in files)
    action = action_add(
        actor=actor,
        case=case,
        kind=Action.Kind.LETTER,
        text=(
            f"Letter to {prepared.recipient_name}: {prepared.rendered.subject} "
            f"({letter_formats_label(chosen)}: {names})"
            f"\n\n{prepared.body_for_history}"
        )[:20000],
        data={
            "template": key,
            "template_source": prepared.template.source,
            "attachment_id": files[0].attachment.pk,
            "attachment_ids": [f.attachment.pk for f in files],
            "format": chosen[0],
            "formats": chosen,
            "referral_id": prepared.referral.pk if prepared.referral else None,
        },
    )
    return GeneratedLetter(action=action, files=tuple(files))


SAMPLE_LETTER_TEMPLATE = "acknowledgement"


def letterhead_sample_letter(*, actor: User) -> Letter:
    """The council's acknowledgement letter merged with sample values, on its letterhead as
    it stands: what the letterhead page previews (PDF and .docx), so a change is seen on a
    real letter before anyone sends one."""
    prepared = correspondence_prepare(actor=actor, key=SAMPLE_LETTER_TEMPLATE, case=None)
    sample: dict[str, Any] = dict(sample_context())
    constituent, case = sample["constituent"], sample["case"]
    return letter_on_letterhead(
        reference=str(case["reference"]),
        recipient=[str(constituent["name"]), *str(constituent["address"]).splitlines()],
        subject=prepared.rendered.subject,
        body=prepared.rendered.body,
    )
