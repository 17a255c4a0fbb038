"""Every standard template as an email (through the outbox), a .docx (read back with
python-docx) and a PDF (read back with pypdf); letters recorded with the file attached."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from docx import Document
from pypdf import PdfReader

from caseload.models import Action, Attachment
from correspondence.models import ThreadMessage
from correspondence.services import (
    correspondence_make_letter,
    correspondence_send_email,
    letterhead_update,
)
from correspondence.shared.standard import STANDARD_KEYS
from mailer.models import OutboundEmail
from mailer.services import outbox_deliver
from tests.conftest import in_council

OFFICER_KEYS = {"referral", "chaser"}


def _args(key: str, scene) -> dict:
    return {"referral": scene.referral} if key in OFFICER_KEYS else {}


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    return header + "\n" + "\n".join(p.text for p in document.paragraphs)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def letterhead(council_a, people):
    with in_council(council_a):
        letterhead_update(
            actor=people.admin,
            letterhead_name="Council A Members' Services",
            address="Town House\n1 High Street\nKirkcaldy KY1 1XX",
            phone="01592 000000",
            footer="Council A, Town House, Kirkcaldy",
        )


@pytest.mark.parametrize("key", STANDARD_KEYS)
def test_standard_template_as_email(council_a, people, scene, key):
    with in_council(council_a):
        sent = correspondence_send_email(
            actor=people.owner, key=key, case=scene.case, **_args(key, scene)
        )
        action = Action.objects.get(pk=sent.action.pk)
        row = OutboundEmail.objects.get(pk=sent.outbox_id)
        assert ThreadMessage.objects.filter(message_id=row.message_id, case=scene.case).exists()
        outbox_deliver()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    constituent, officer = scene.case.constituent, scene.officer
    expected_to = officer.email if key in OFFICER_KEYS else constituent.email
    assert expected_to in message.to[0]
    assert scene.case.reference in message.subject
    assert message.reply_to == ["council-a@inbound.localhost"]
    assert message.extra_headers["Message-ID"] == row.message_id
    body = message.body
    assert f"Dear {officer.name if key in OFFICER_KEYS else constituent.name}," in body
    assert "Cllr Ann Owen" in body and "{{" not in body
    assert action.kind == Action.Kind.EMAIL_OUT
    assert action.data["template"] == key and action.data["message_id"] == row.message_id
    if key in OFFICER_KEYS:
        # The officer's email carries the reply link; the case history does not.
        assert "/officer-reply/" in body
        assert "/officer-reply/" not in action.text
        assert "[officer's reply link]" in action.text


@pytest.mark.parametrize("key", STANDARD_KEYS)
def test_standard_template_as_docx_and_pdf(council_a, people, scene, letterhead, key):
    with in_council(council_a):
        docx = correspondence_make_letter(
            actor=people.owner, key=key, case=scene.case, fmt="docx", **_args(key, scene)
        )
        pdf = correspondence_make_letter(
            actor=people.owner, key=key, case=scene.case, fmt="pdf", **_args(key, scene)
        )
        for letter in (docx, pdf):
            attachment = Attachment.objects.get(pk=letter.attachment.pk)
            assert attachment.case_id == scene.case.pk
            assert attachment.content_type == letter.content_type
            assert letter.action.kind == Action.Kind.LETTER
            assert letter.action.data["attachment_id"] == attachment.pk
            with attachment.file.open("rb") as handle:
                assert handle.read() == letter.content
    recipient = scene.officer.name if key in OFFICER_KEYS else scene.case.constituent.name
    for text in (_docx_text(docx.content), _pdf_text(pdf.content)):
        assert "Council A Members' Services" in text  # letterhead
        assert "Town House" in text
        assert f"Our ref: {scene.case.reference}" in text
        assert f"Dear {recipient}," in text
        assert "Cllr Ann Owen" in text
        assert "{{" not in text
    assert docx.filename == f"{scene.case.reference}-{key}.docx"
    assert pdf.content.startswith(b"%PDF")


def test_officer_template_withholds_constituent_without_consent(council_a, people):
    from caseload.services import referral_create
    from tests.correspondence.conftest import make_case, make_constituent, make_officer

    with in_council(council_a):
        private = make_constituent(people.owner, name="Private Person", consent_to_share=False)
        case = make_case(people.owner, private)
        referral = referral_create(
            actor=people.owner, case=case, officer=make_officer(people.admin)
        )
        sent = correspondence_send_email(
            actor=people.owner, key="referral", case=case, referral=referral
        )
        outbox_deliver()
    assert "Private Person" not in mail.outbox[0].body
    assert private.email not in mail.outbox[0].body
    assert "Private Person" not in sent.action.text


def test_officer_template_needs_the_referral(council_a, people, scene):
    from core.errors import ValidationFailed

    with in_council(council_a), pytest.raises(ValidationFailed) as exc:
        correspondence_send_email(actor=people.owner, key="chaser", case=scene.case)
    assert "referral" in exc.value.extra


def test_no_email_address_means_a_letter(council_a, people):
    from core.errors import ValidationFailed
    from tests.correspondence.conftest import make_case, make_constituent

    with in_council(council_a):
        case = make_case(people.owner, make_constituent(people.owner, email=""))
        with pytest.raises(ValidationFailed, match="send a letter"):
            correspondence_send_email(actor=people.owner, key="acknowledgement", case=case)
        assert not OutboundEmail.objects.exists()


def test_send_and_preview_api(council_a, council_b, people, scene, api_for):
    owner = api_for(council_a, people.owner)
    preview = owner.post(
        "/api/v1/templates/acknowledgement/preview/", {"case": scene.case.pk}, format="json"
    )
    assert preview.status_code == 200, preview.content
    assert scene.case.reference in preview.json()["subject"]
    assert preview.json()["body"].startswith(f"Dear {scene.case.constituent.name},")
    # A draft can be previewed before it is saved, and it is checked the same way.
    draft = owner.post(
        "/api/v1/templates/acknowledgement/preview/",
        {"subject": "x", "body": "{{ settings.SECRET_KEY }}"},
        format="json",
    )
    assert draft.status_code == 400
    assert "settings.SECRET_KEY" in draft.json()["error"]["message"]
    # Sample values without a case (admins do not read casework).
    sample = api_for(council_a, people.admin).post(
        "/api/v1/templates/referral/preview/", {}, format="json"
    )
    assert sample.status_code == 200 and sample.json()["sample"] is True

    sent = owner.post(
        "/api/v1/templates/acknowledgement/send/",
        {"case": scene.case.pk, "channel": "email"},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    letter = owner.post(
        "/api/v1/templates/outcome/send/?download=1",
        {"case": scene.case.pk, "channel": "docx"},
        format="json",
    )
    assert letter.status_code == 201
    assert "Dear" in _docx_text(letter.content)
    # Outsiders: another council's councillor, and a colleague the case is not shared with.
    for client in (api_for(council_b, people.outsider), api_for(council_a, people.colleague)):
        refused = client.post(
            "/api/v1/templates/acknowledgement/send/",
            {"case": scene.case.pk, "channel": "email"},
            format="json",
        )
        assert refused.status_code == 404
    with in_council(council_a):
        assert OutboundEmail.objects.filter(kind="correspondence").count() == 1


def test_no_reply_link_once_the_officer_has_replied(council_a, people, scene):
    from caseload.services import referral_record_reply
    from core.errors import ValidationFailed

    with in_council(council_a):
        referral_record_reply(actor=people.owner, referral=scene.referral, text="Done")
        with pytest.raises(ValidationFailed, match="already replied"):
            correspondence_send_email(
                actor=people.owner, key="chaser", case=scene.case, referral=scene.referral
            )
