"""Writing a letter or email from a case on the web site (/cases/<id>/write/): choose, see it
merged, send it through the outbox or download the letter; who may; read-only councils."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from docx import Document

from billing.models import Licence
from caseload.models import Action, Attachment, Case
from caseload.services import case_set_sharing
from correspondence.models import CouncilTemplate
from mailer.models import OutboundEmail
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.correspondence.conftest import make_case, make_constituent, make_officer


def _url(case: Case, query: str = "") -> str:
    return f"/cases/{case.pk}/write/" + (f"?{query}" if query else "")


def _ok_page(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not accessibility_problems(html), accessibility_problems(html)
    return html


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _emails(council, case: Case) -> list[OutboundEmail]:
    with in_council(council):
        return list(OutboundEmail.objects.filter(case_id=case.pk, kind="correspondence"))


def _actions(council, case: Case, kind: str) -> list[Action]:
    with in_council(council):
        return list(Action.objects.filter(case=case, kind=kind).order_by("id"))


def test_owner_chooses_previews_and_sends_an_email(council_a, people, scene) -> None:
    client = client_for(council_a, people.owner)
    choose = _ok_page(client.get(_url(scene.case)))
    assert "Acknowledgement to the constituent" in choose
    assert "Referral to an officer" in choose and scene.officer.name in choose
    constituent = scene.case.constituent
    preview = _ok_page(client.get(_url(scene.case, "template=acknowledgement")))
    assert f"Your enquiry {scene.case.reference}" in preview  # merged subject
    assert f"Dear {constituent.name}," in preview and "{{" not in preview
    assert constituent.email in preview and "Send email" in preview
    assert "Download letter (.docx)" in preview and "Download letter (PDF)" in preview
    assert not _emails(council_a, scene.case)  # a preview records nothing

    response = client.post(_url(scene.case), {"template": "acknowledgement", "channel": "email"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{scene.case.pk}/"
    (row,) = _emails(council_a, scene.case)
    assert constituent.email in row.to[0] and scene.case.reference in row.subject
    assert row.body_text.startswith(f"Dear {constituent.name},")
    (action,) = _actions(council_a, scene.case, Action.Kind.EMAIL_OUT)
    assert action.author_id == people.owner.pk and action.data["outbox_id"] == row.pk
    page = client.get(response["Location"]).content.decode()
    assert f"Email sent to {constituent.name} &lt;{constituent.email}&gt;" in page


def test_staff_acting_for_the_councillor_email_the_officer_the_referral(
    council_a, people, scene
) -> None:
    client = client_for(council_a, people.staff)
    query = f"template=referral&referral={scene.referral.pk}"
    preview = _ok_page(client.get(_url(scene.case, query)))
    assert f"Dear {scene.officer.name}," in preview and scene.officer.email in preview
    assert "[officer&#x27;s reply link]" in preview  # minted only when sent
    response = client.post(
        _url(scene.case),
        {"template": "referral", "referral": scene.referral.pk, "channel": "email"},
    )
    assert response.status_code == 302
    assert _messages(response) == [
        f"Email sent to {scene.officer.name} <{scene.officer.email}>. It is in the case history."
    ]
    (row,) = _emails(council_a, scene.case)
    assert scene.officer.email in row.to[0] and "/officer-reply/" in row.body_text
    (action,) = _actions(council_a, scene.case, Action.Kind.EMAIL_OUT)
    assert action.author_id == people.staff.pk and action.on_behalf_of_id == people.owner.pk
    assert action.data["referral_id"] == scene.referral.pk
    assert "/officer-reply/" not in action.text


def test_download_docx_and_pdf_letters_are_attached_and_recorded(council_a, people, scene) -> None:
    client = client_for(council_a, people.owner)
    docx = client.post(_url(scene.case), {"template": "acknowledgement", "channel": "docx"})
    assert docx.status_code == 200
    filename = f"{scene.case.reference}-acknowledgement.docx"
    assert docx["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert f"Dear {scene.case.constituent.name}," in text
    assert f"Our ref: {scene.case.reference}" in text and "Cllr Ann Owen" in text
    assert "{{" not in text

    pdf = client.post(
        _url(scene.case),
        {"template": "referral", "referral": scene.referral.pk, "channel": "pdf"},
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    letters = _actions(council_a, scene.case, Action.Kind.LETTER)
    assert [a.data["format"] for a in letters] == ["docx", "pdf"]
    with in_council(council_a):
        attached = Attachment.objects.get(pk=letters[0].data["attachment_id"])
        assert attached.case_id == scene.case.pk and attached.original_name == filename
        with attached.file.open("rb") as handle:
            assert handle.read() == docx.content
    assert not _emails(council_a, scene.case)
    case_page = client.get(f"/cases/{scene.case.pk}/").content.decode()
    assert f"Letter {filename} is attached to the case" in case_page
    assert filename in case_page


def test_a_letter_as_docx_and_pdf_is_one_history_entry_saying_which_formats(
    council_a, people, scene
) -> None:
    """Issue 16: .docx and PDF used to add four entries, two "Case details changed"."""
    with in_council(council_a):
        before = set(Action.objects.filter(case=scene.case).values_list("pk", flat=True))
    client = client_for(council_a, people.staff)  # staff acting for the owner
    preview = _ok_page(client.get(_url(scene.case, "template=acknowledgement")))
    assert "Make letter as .docx and PDF" in preview
    response = client.post(_url(scene.case), {"template": "acknowledgement", "channel": "both"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{scene.case.pk}/"
    with in_council(council_a):
        new = list(Action.objects.filter(case=scene.case).exclude(pk__in=before))
        assert len(new) == 1
        (entry,) = new
        assert entry.kind == Action.Kind.LETTER
        assert entry.author_id == people.staff.pk and entry.on_behalf_of_id == people.owner.pk
        assert entry.data["formats"] == ["docx", "pdf"]
        assert "(.docx and PDF:" in entry.text
        files = Attachment.objects.filter(pk__in=entry.data["attachment_ids"]).order_by("id")
        names = [f.original_name for f in files]
        reference = scene.case.reference
        assert names == [f"{reference}-acknowledgement.docx", f"{reference}-acknowledgement.pdf"]
        assert [f.content_type for f in files] == [
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/pdf",
        ]
    case_page = _ok_page(client.get(response["Location"]))
    assert "Letter made as .docx and PDF" in case_page
    for name in names:
        assert name in case_page  # listed with the case's files, to download
    assert "Case details changed" not in case_page


def test_one_format_letter_is_one_entry_too(council_a, people, scene) -> None:
    with in_council(council_a):
        before = Action.objects.filter(case=scene.case).count()
    client = client_for(council_a, people.owner)
    response = client.post(_url(scene.case), {"template": "acknowledgement", "channel": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with in_council(council_a):
        assert Action.objects.filter(case=scene.case).count() == before + 1
        assert not Action.objects.filter(case=scene.case, kind=Action.Kind.UPDATE).exists()
    (letter,) = _actions(council_a, scene.case, Action.Kind.LETTER)
    assert letter.data["formats"] == ["pdf"] and "(PDF:" in letter.text


def test_officer_template_needs_a_referral(council_a, people, scene) -> None:
    client = client_for(council_a, people.owner)
    response = client.get(_url(scene.case, "template=chaser"))
    html = _ok_page(response)
    assert "<title>Error:" in html
    assert "is addressed to an officer: choose the referral it is about" in html
    assert 'href="#id_referral_0"' in html  # the summary links to the referral radios
    refused = client.post(_url(scene.case), {"template": "chaser", "channel": "email"})
    assert "choose the referral it is about" in _ok_page(refused)
    assert not _emails(council_a, scene.case)
    assert not _actions(council_a, scene.case, Action.Kind.EMAIL_OUT)


def test_case_without_referrals_says_so_for_an_officer_template(council_a, people) -> None:
    with in_council(council_a):
        case = make_case(people.owner)
    client = client_for(council_a, people.owner)
    html = _ok_page(client.get(_url(case)))
    assert "has not been referred to an officer" in html
    html = _ok_page(client.get(_url(case, "template=referral")))
    assert "choose the referral it is about" in html and "<title>Error:" in html


def test_no_email_address_offers_only_a_letter(council_a, people) -> None:
    with in_council(council_a):
        case = make_case(people.owner, make_constituent(people.owner, email=""))
    client = client_for(council_a, people.owner)
    html = _ok_page(client.get(_url(case, "template=holding-reply")))
    assert "has no email address, so this can only be sent as a letter" in html
    assert "Send email" not in html and "Download letter (PDF)" in html
    # A post anyway (an old tab) gets the service's explanation, not a 500 or an email.
    refused = _ok_page(client.post(_url(case), {"template": "holding-reply", "channel": "email"}))
    assert "The constituent has no email address; send a letter instead." in refused
    assert "<title>Error:" in refused
    assert not _emails(council_a, case)


def test_unknown_merge_field_is_a_clear_error(council_a, people, scene) -> None:
    # Saved templates are checked, so this one is written past the service, as stale text
    # would be; rendering checks it again.
    with in_council(council_a):
        CouncilTemplate.objects.create(
            key="stale",
            name="Stale letter",
            audience="constituent",
            subject="Hello",
            body="Dear {{ constituent.nickname }}",
            created_by=people.owner,
            updated_by=people.owner,
        )
    client = client_for(council_a, people.owner)
    html = _ok_page(client.get(_url(scene.case, "template=stale")))
    assert "constituent.nickname" in html and "<title>Error:" in html
    refused = client.post(_url(scene.case), {"template": "stale", "channel": "docx"})
    assert "constituent.nickname" in _ok_page(refused)
    assert not _actions(council_a, scene.case, Action.Kind.LETTER)


def test_shared_colleague_and_admin_are_refused(council_a, people, scene) -> None:
    with in_council(council_a):
        case_set_sharing(
            actor=people.owner, case=scene.case, sharing="named", user_ids=[people.colleague.pk]
        )
    data = {"template": "acknowledgement", "channel": "both"}
    colleague = client_for(council_a, people.colleague)
    assert colleague.get(f"/cases/{scene.case.pk}/").status_code == 200  # may read it
    assert colleague.get(_url(scene.case)).status_code == 403
    assert colleague.post(_url(scene.case), data).status_code == 403
    admin = client_for(council_a, people.admin)
    assert admin.get(_url(scene.case)).status_code == 403
    assert admin.post(_url(scene.case), data).status_code == 403
    # Staff with no delegation from the owner cannot see the case at all.
    other_staff = client_for(council_a, people.other_staff)
    assert other_staff.get(_url(scene.case)).status_code == 404
    assert other_staff.post(_url(scene.case), data).status_code == 404
    assert not _emails(council_a, scene.case)


def test_other_council_and_anonymous_are_refused(council_a, council_b, people, scene) -> None:
    data = {"template": "acknowledgement", "channel": "both"}
    outsider = client_for(council_b, people.outsider)
    for response in (outsider.get(_url(scene.case)), outsider.post(_url(scene.case), data)):
        assert response.status_code == 404
        assert scene.case.title.encode() not in response.content
    # An outsider's session means nothing on council A's host: sign in first.
    on_a = client_for(council_a, None)
    on_a.cookies = outsider.cookies
    assert on_a.get(_url(scene.case))["Location"].startswith("/login/?next=")
    anonymous = client_for(council_a, None)
    for response in (anonymous.get(_url(scene.case)), anonymous.post(_url(scene.case), data)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert not _emails(council_a, scene.case)


def test_read_only_council_refuses_sending(council_a, people, scene) -> None:
    client = client_for(council_a, people.owner)
    Licence.objects.filter(council=council_a).update(state="lapsed")
    assert client.get(_url(scene.case, "template=acknowledgement")).status_code == 200
    for channel in ("email", "docx", "both"):
        response = client.post(
            _url(scene.case), {"template": "acknowledgement", "channel": channel}
        )
        assert response.status_code == 403
        assert b"read-only" in response.content
    assert not _emails(council_a, scene.case)
    assert not _actions(council_a, scene.case, Action.Kind.EMAIL_OUT)
    assert not _actions(council_a, scene.case, Action.Kind.LETTER)


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_case_page_links_to_writing_and_to_emailing_each_officer(
    council_a, people, scene, who
) -> None:
    client = client_for(council_a, getattr(people, who))
    html = client.get(f"/cases/{scene.case.pk}/").content.decode()
    assert f'href="/cases/{scene.case.pk}/write/"' in html and "Write a letter or email" in html
    link = f"/cases/{scene.case.pk}/write/?template=referral&amp;referral={scene.referral.pk}"
    assert f'href="{link}"' in html and "Email the officer" in html


def test_a_shared_colleague_sees_no_writing_links(council_a, people, scene) -> None:
    with in_council(council_a):
        case_set_sharing(
            actor=people.owner, case=scene.case, sharing="named", user_ids=[people.colleague.pk]
        )
    html = client_for(council_a, people.colleague).get(f"/cases/{scene.case.pk}/").content
    assert b"/write/" not in html and b"Email the officer" not in html


def test_after_referring_the_officer_email_is_ready_to_send(council_a, people, scene) -> None:
    with in_council(council_a):
        officer = make_officer(people.admin, name="Rhona Roads")
    client = client_for(council_a, people.owner)
    response = client.post(
        f"/cases/{scene.case.pk}/refer/", {"officer": officer.pk, "working_days": "5"}
    )
    with in_council(council_a):
        referral = scene.case.referrals.get(officer=officer)
    assert response.status_code == 302
    assert response["Location"] == _url(scene.case, f"template=referral&referral={referral.pk}")
    page = _ok_page(client.get(response["Location"]))
    assert "Referral to Rhona Roads recorded." in page and "Now send Rhona Roads" in page
    assert "Dear Rhona Roads," in page and "Send email" in page
    sent = client.post(
        _url(scene.case), {"template": "referral", "referral": referral.pk, "channel": "email"}
    )
    assert sent.status_code == 302
    (row,) = _emails(council_a, scene.case)
    assert officer.email in row.to[0] and "/officer-reply/" in row.body_text
