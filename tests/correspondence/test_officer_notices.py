"""The officer is told by email how their request for more time was answered: accepted or
refused on the case page (or through the API, the same service), or accepted automatically
by the council's setting. Through the outbox, from the councillor via the council, with the
decision, the case reference and the dates, and nothing about the constituent; nothing is
queued when the decision itself is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseload.models import ReferralExtension
from caseload.services import (
    caseload_settings_update,
    referral_extension_decide,
    referral_extension_request,
    referral_record_reply,
)
from core.errors import Conflict, NotFound, PermissionDenied
from mailer.models import OutboundEmail
from tests.caseload.pages_support import client_for
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def _asked(council, scene) -> ReferralExtension:
    with in_council(council):
        return referral_extension_request(
            referral=scene.referral,
            requested_date=scene.referral.target_date + timedelta(days=14),
            text="Waiting for the contractor.",
        )


def _notices(council) -> list[OutboundEmail]:
    with in_council(council):
        return list(OutboundEmail.objects.filter(kind="extension_decision"))


def _says_nothing_about_the_constituent(council, scene, row: OutboundEmail) -> None:
    with in_council(council):
        person = scene.case.constituent
        text = row.subject + row.body_text
    for detail in (person.name, person.email, person.postcode, "High Street", scene.case.title):
        assert detail not in text, detail


def _d(day) -> str:
    return f"{day:%-d %B %Y}"


def test_accepting_on_the_case_page_emails_the_officer(council_a, people, scene) -> None:
    extension = _asked(council_a, scene)
    referral, case = scene.referral, scene.case
    response = client_for(council_a, people.owner).post(
        f"/cases/{case.pk}/more-time/{extension.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 302
    (row,) = _notices(council_a)
    assert row.to == [f"{scene.officer.name} <{scene.officer.email}>"]
    assert row.case_id == case.pk
    assert row.subject == f"More time accepted: {case.reference}"
    assert f"{people.owner.name} via " in row.from_email
    assert row.reply_to == ["council-a@inbound.localhost"]
    assert row.body_text.startswith(f"Dear {scene.officer.name},")
    assert (
        f"{people.owner.name} accepted it: your reply is now due by "
        f"{_d(extension.requested_date)}." in row.body_text
    )
    assert f"The original target was {_d(referral.original_target_date)}." in row.body_text
    assert case.reference in row.body_text
    _says_nothing_about_the_constituent(council_a, scene, row)


def test_refusing_emails_the_officer_with_the_date_that_stands(council_a, people, scene) -> None:
    extension = _asked(council_a, scene)
    referral = scene.referral
    with in_council(council_a):
        # Staff acting for the councillor answer for them: the email names the councillor.
        referral_extension_decide(actor=people.staff, extension=extension, accept=False)
    (row,) = _notices(council_a)
    assert row.to == [f"{scene.officer.name} <{scene.officer.email}>"]
    assert row.subject == f"More time refused: {scene.case.reference}"
    assert f"until {_d(extension.requested_date)}" in row.body_text
    assert (
        f"{people.owner.name} refused it: your reply is still due by {_d(referral.target_date)}."
        in row.body_text
    )
    assert f"The original target was {_d(referral.original_target_date)}." in row.body_text
    _says_nothing_about_the_constituent(council_a, scene, row)


def test_an_automatic_acceptance_also_tells_the_officer(council_a, people, scene) -> None:
    with in_council(council_a):
        caseload_settings_update(actor=people.admin, auto_accept_extensions=True)
    extension = _asked(council_a, scene)
    assert extension.state == ReferralExtension.State.ACCEPTED and extension.automatic
    (row,) = _notices(council_a)
    assert row.subject == f"More time accepted: {scene.case.reference}"
    assert "The council accepts requests for more time automatically" in row.body_text
    assert f"now due by {_d(extension.requested_date)}" in row.body_text


def test_nothing_is_queued_when_the_decision_is_refused(council_a, people, scene) -> None:
    extension = _asked(council_a, scene)
    path = f"/cases/{scene.case.pk}/more-time/{extension.pk}/"
    # No decision chosen; someone who may not change the case; a request still waiting.
    assert client_for(council_a, people.owner).post(path, {}).status_code == 302
    with in_council(council_a), pytest.raises((PermissionDenied, NotFound)):
        referral_extension_decide(actor=people.colleague, extension=extension, accept=True)
    assert client_for(council_a, people.colleague).post(
        path, {"decision": "accept"}
    ).status_code in (
        403,
        404,
    )
    assert _notices(council_a) == []
    # The officer replied meanwhile: the request no longer applies, and nobody is told.
    with in_council(council_a):
        referral_record_reply(actor=people.owner, referral=scene.referral, text="Done.")
        with pytest.raises(Conflict):
            referral_extension_decide(actor=people.owner, extension=extension, accept=True)
    assert _notices(council_a) == []


def test_a_second_answer_is_refused_and_queues_no_second_email(council_a, people, scene) -> None:
    extension = _asked(council_a, scene)
    with in_council(council_a):
        referral_extension_decide(actor=people.owner, extension=extension, accept=True)
        with pytest.raises(Conflict):
            referral_extension_decide(actor=people.owner, extension=extension, accept=False)
    (row,) = _notices(council_a)
    assert row.subject.startswith("More time accepted")
