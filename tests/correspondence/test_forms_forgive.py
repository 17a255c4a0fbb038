"""Forms that forgive, correspondence's create forms: a council's copy of a shared template,
a case opened from the triage queue, a batch, and an email or a letter from a case. Each
sent twice (Back, then Submit; a double click) makes one and says it was already made;
another user's replay of a token makes nothing and learns nothing."""

from __future__ import annotations

from typing import Any

import pytest

from caseload.models import Action, Case
from correspondence.models import Batch, CouncilTemplate, InboundEmail
from correspondence.services import inbound_receive
from tests.caseload.forgive_support import OnceForm, form_token, replayed_by_another, sent_twice
from tests.caseload.pages_support import client_for
from tests.conftest import in_council
from tests.correspondence.conftest import make_case, make_constituent

pytestmark = pytest.mark.django_db


def _waiting_mail(council: Any) -> InboundEmail:
    raw = (
        b"From: Pat Stranger <pat@example.org>\r\n"
        b"To: council-a@inbound.localhost\r\n"
        b"Subject: Bins not collected\r\n"
        b"Message-ID: <forgive-triage@example.org>\r\n"
        b"Content-Type: text/plain\r\n\r\nThe bins on Elm Street were missed again.\r\n"
    )
    (result,) = inbound_receive(raw=raw)
    assert result.status == "triage"
    with in_council(council):
        return InboundEmail.objects.get(pk=result.inbound_id)


def _form(name: str, council: Any, people: Any, scene: Any) -> tuple[str, OnceForm]:
    """(who sends it, the form)."""
    case = scene.case
    if name == "template copy":
        return "staff", OnceForm(
            page="/templates/chaser/",
            post="/templates/chaser/copy/",
            data=dict,
            count=lambda: CouncilTemplate.objects.filter(key="chaser").count(),
            said="This copy was already created: ",
        )
    if name == "triage case":
        inbound = _waiting_mail(council)
        return "staff", OnceForm(
            page=f"/triage/{inbound.pk}/",
            post=f"/triage/{inbound.pk}/",
            data=lambda: {"do": "open", "open-owner": people.owner.pk, "open-title": "Missed bins"},
            count=lambda: Case.objects.filter(title="Missed bins").count(),
            said="This case was already created: ",
        )
    if name == "batch":
        with in_council(council):
            for i in range(2):
                make_case(
                    people.owner,
                    make_constituent(people.owner, name=f"Resident {i}"),
                    title="Blocked drain on Elm Street",
                )
        choice = {"q": "drain", "status": "", "template": "outcome", "channel": "pdf"}
        return "owner", OnceForm(
            page="/batches/new/?q=drain&status=&template=outcome&channel=pdf",
            post="/batches/new/",
            data=lambda: dict(choice),
            count=lambda: Batch.objects.count(),
            said="This batch was already created: ",
        )
    channel, kind = {"email": ("email", "email_out"), "letter": ("docx", "letter")}[name]
    return "owner", OnceForm(
        page=f"/cases/{case.pk}/write/?template=acknowledgement",
        post=f"/cases/{case.pk}/write/",
        data=lambda: {"template": "acknowledgement", "channel": channel},
        count=lambda: Action.objects.filter(case=case, kind=kind).count(),
        said=f"This {name} was already created: {case.reference}, in the case",
    )


@pytest.mark.parametrize("name", ["template copy", "triage case", "batch", "email"])
def test_a_create_form_sent_twice_makes_one_and_says_so(council_a, people, scene, name) -> None:
    who, form = _form(name, council_a, people, scene)
    sent_twice(council_a, client_for(council_a, getattr(people, who)), form)


def test_another_users_replay_of_a_template_copy_learns_nothing(council_a, people, scene) -> None:
    _, form = _form("template copy", council_a, people, scene)
    replayed_by_another(
        council_a,
        client_for(council_a, people.staff),
        client_for(council_a, people.admin),  # keeps the templates too
        form,
        secret="already created",
    )


def test_a_letter_can_be_made_again_from_the_same_page(council_a, people, scene) -> None:
    """A letter is a download that leaves the page in place: the PDF after the .docx (or a
    second copy) is made each time it is asked for, whatever the page's token."""
    _, form = _form("letter", council_a, people, scene)
    client = client_for(council_a, people.owner)
    field, token = form_token(client, form.page)
    with in_council(council_a):
        before = form.count()
    for channel in ("docx", "pdf"):
        response = client.post(form.post, {**form.data(), "channel": channel, field: token})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
    with in_council(council_a):
        assert form.count() == before + 2
