"""History that tells the truth: an officer's reply and request for more time are theirs in
the history; a request for more time asks the councillor (or is accepted automatically when
the council says so); and "on time" is judged against the original target in every figure."""

from __future__ import annotations

import re
from datetime import date

import pytest

from caseload.models import Action, Referral, ReferralExtension
from caseload.selectors.figures import referrals_due_by_month
from caseload.services import (
    caseload_settings_update,
    referral_create,
    referral_extension_decide,
    referral_extension_request,
    referral_record_reply,
)
from console.services.figures import council_figures_compute
from core.errors import Conflict, PermissionDenied
from tests.caseload.conftest import make_case, make_officer
from tests.caseload.pages_support import client_for
from tests.conftest import in_council, today_is

pytestmark = pytest.mark.django_db

# Monday 2 March 2026: 5 working days later is Monday 9 March.
SENT = date(2026, 3, 2)
ORIGINAL = date(2026, 3, 9)
ASKED = date(2026, 3, 27)


def _referred(cast, council):
    with in_council(council), today_is(SENT):
        case = make_case(cast.owner, sharing="ward")
        officer = make_officer(cast.admin, name="Iona Baird", job_title="Roads engineer")
        referral = referral_create(actor=cast.owner, case=case, officer=officer, working_days=5)
    assert referral.original_target_date == referral.target_date == ORIGINAL
    return case, referral


def test_officer_reply_is_recorded_as_the_officers(cast, council_a) -> None:
    case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 5)):
        referral_record_reply(
            actor=cast.owner, referral=referral, text="Repaired today.", by_officer=True
        )
        entry = Action.objects.get(case=case, kind=Action.Kind.OFFICER_REPLY)
    assert entry.officer_id == referral.officer_id
    page = client_for(council_a, cast.owner).get(f"/cases/{case.pk}/").content.decode()
    assert "by Iona Baird, Roads engineer (officer)" in page
    assert f"by {cast.owner.name}" not in page.split("Officer reply", 1)[1].split("</li>")[0]
    api = client_for(council_a, cast.owner).get(f"/api/v1/cases/{case.pk}/actions/").json()
    reply = next(a for a in api["results"] if a["kind"] == "officer_reply")
    assert reply["officer"] == {"id": referral.officer_id, "name": "Iona Baird"}


def test_more_time_waits_for_the_councillor_who_accepts_on_the_case_page(cast, council_a) -> None:
    case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 4)):
        extension = referral_extension_request(
            referral=referral, requested_date=ASKED, text="Waiting for a part."
        )
        assert Referral.objects.get(pk=referral.pk).target_date == ORIGINAL  # not moved
        asked = Action.objects.get(case=case, data__extension_id=extension.pk)
        assert asked.officer_id == referral.officer_id and "asks for more time" in asked.text
    path = f"/cases/{case.pk}/more-time/{extension.pk}/"
    owner_page = client_for(council_a, cast.owner).get(f"/cases/{case.pk}/").content.decode()
    assert "Request for more time" in owner_page and path in owner_page
    # A ward colleague reads the case (shared with the ward) but cannot decide; an admin does
    # not do casework; another council's user cannot see it.
    colleague = client_for(council_a, cast.ward_colleague)
    colleague_page = colleague.get(f"/cases/{case.pk}/").content.decode()
    assert "Request for more time" in colleague_page and path not in colleague_page
    assert colleague.post(path, {"decision": "accept"}).status_code == 403
    assert client_for(council_a, cast.admin).post(path, {"decision": "accept"}).status_code == 403
    assert client_for(council_a, cast.other_councillor).post(path).status_code == 404
    assert client_for(council_a, None).post(path)["Location"].startswith("/login/")
    with in_council(council_a):
        assert ReferralExtension.objects.get(pk=extension.pk).state == "pending"

    # The delegated staff member accepts for the councillor.
    with today_is(date(2026, 3, 4)):
        done = client_for(council_a, cast.staff).post(path, {"decision": "accept"})
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    with in_council(council_a):
        moved = Referral.objects.get(pk=referral.pk)
        assert (moved.target_date, moved.original_target_date) == (ASKED, ORIGINAL)
        decided = ReferralExtension.objects.get(pk=extension.pk)
        assert (decided.state, decided.decided_by_id, decided.automatic) == (
            "accepted",
            cast.staff.pk,
            False,
        )
        entry = Action.objects.get(
            case=case, kind=Action.Kind.REFERRAL, data__extension_id=extension.pk
        )
        assert "Accepted Iona Baird's request" in entry.text and entry.author_id == cast.staff.pk
        assert entry.on_behalf_of_id == cast.owner.pk
    page = client_for(council_a, cast.owner).get(f"/cases/{case.pk}/").content.decode()
    # The date is kept on one line by its own span: read the text without the markup.
    assert "original target 9 Mar 2026" in re.sub(r"<[^>]+>", "", page)
    # Once decided, it cannot be decided again.
    again = client_for(council_a, cast.owner).post(path, {"decision": "refuse"}, follow=True)
    assert "already accepted" in again.content.decode()


def test_refused_request_keeps_the_date(cast, council_a) -> None:
    _case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 4)):
        extension = referral_extension_request(referral=referral, requested_date=ASKED)
        with pytest.raises(PermissionDenied):
            referral_extension_decide(actor=cast.ward_colleague, extension=extension, accept=True)
        referral_extension_decide(actor=cast.owner, extension=extension, accept=False)
        assert Referral.objects.get(pk=referral.pk).target_date == ORIGINAL
        assert ReferralExtension.objects.get(pk=extension.pk).state == "refused"
        with pytest.raises(Conflict):
            referral_extension_decide(actor=cast.owner, extension=extension, accept=True)


def test_council_may_accept_requests_automatically(cast, council_a) -> None:
    case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 4)):
        caseload_settings_update(actor=cast.admin, auto_accept_extensions=True)
        extension = referral_extension_request(referral=referral, requested_date=ASKED)
        assert (extension.state, extension.automatic, extension.decided_by_id) == (
            "accepted",
            True,
            None,
        )
        assert Referral.objects.get(pk=referral.pk).target_date == ASKED
        entry = Action.objects.get(case=case, data__extension_id=extension.pk)
        assert "Accepted automatically" in entry.text
    page = client_for(council_a, cast.admin).get("/admin-area/settings/").content.decode()
    assert 'name="auto_accept_extensions"' in page and "checked" in page


def test_on_time_figures_use_the_original_target_after_an_accepted_extension(
    cast, council_a
) -> None:
    case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 4)):
        extension = referral_extension_request(referral=referral, requested_date=ASKED)
        referral_extension_decide(actor=cast.owner, extension=extension, accept=True)
    # The reply comes on 16 March: within the agreed new date, after the original target.
    with in_council(council_a), today_is(date(2026, 3, 16)):
        replied = referral_record_reply(
            actor=cast.owner, referral=referral, text="Done.", by_officer=True
        )
        assert replied.target_met is False
        assert referrals_due_by_month(today=date(2026, 3, 31)) == [(date(2026, 3, 1), 1, 0, 1)]
        march = council_figures_compute(today=date(2026, 3, 31)).months[date(2026, 3, 1)]
        assert (march.referrals_due, march.referrals_on_time, march.referrals_extended) == (
            1,
            0,
            1,
        )
        reply = Action.objects.get(
            case=case, kind=Action.Kind.OFFICER_REPLY, data__target_met=False
        )
        assert "after the target of 09 Mar 2026" in reply.text
    api = client_for(council_a, cast.owner).get(f"/api/v1/cases/{case.pk}/referrals/").json()
    row = api["results"][0]
    assert (row["target_met"], row["is_extended"], row["original_target_date"]) == (
        False,
        True,
        "2026-03-09",
    )
    page = client_for(council_a, cast.owner).get(f"/cases/{case.pk}/").content.decode()
    assert "Late" in page


def test_api_lists_and_answers_requests_with_the_case_pages_rules(
    cast, council_a, council_b, api_for
) -> None:
    case, referral = _referred(cast, council_a)
    with in_council(council_a), today_is(date(2026, 3, 4)):
        extension = referral_extension_request(referral=referral, requested_date=ASKED)
    listed = api_for(council_a, cast.owner).get(f"/api/v1/cases/{case.pk}/more-time/")
    assert [r["state"] for r in listed.json()["results"]] == ["pending"]
    path = f"/api/v1/cases/{case.pk}/more-time/{extension.pk}/"
    body = {"decision": "refuse"}
    assert api_for(council_a, cast.ward_colleague).post(path, body).status_code == 403
    assert api_for(council_a, cast.admin).post(path, body).status_code == 404
    assert api_for(council_a, cast.other_councillor).post(path, body).status_code == 404
    assert api_for(council_b, cast.outsider).post(path, body).status_code == 404
    assert api_for(council_a).post(path, body).status_code == 401
    assert api_for(council_a, cast.owner).post(path, {"decision": "maybe"}).status_code == 400
    with today_is(date(2026, 3, 4)):
        refused = api_for(council_a, cast.staff).post(path, body)
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert api_for(council_a, cast.owner).post(path, body).status_code == 409
