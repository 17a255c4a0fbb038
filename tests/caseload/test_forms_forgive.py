"""Forms that forgive: a create form sent again (Back, then Submit) shows what it already
made instead of a duplicate; surgery mode remembers the councillor for the sitting; a
referral's target is a date or a number of working days."""

from __future__ import annotations

import re
from datetime import date

import pytest

from caseload.models import Case, Constituent, FormSubmission, Officer, Referral
from tests.caseload.pages_support import build_scene, client_for
from tests.conftest import in_council, today_is

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')


@pytest.fixture
def scene(cast, council_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_scene(cast, council_a)


def _token(client, url: str) -> str:
    match = TOKEN.search(client.get(url).content.decode())
    assert match, f"no one-time token on {url}"
    return match.group(1)


def test_new_case_sent_twice_makes_one_case(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/new/?constituent={scene.constituent.pk}"
    token = _token(client, url)
    assert token != _token(client, url)  # fresh on every page load
    data = {
        "constituent": scene.constituent.pk,
        "title": "Overgrown hedge on School Lane",
        "priority": "normal",
        "form_token": token,
    }
    first = client.post(url, data)
    assert first.status_code == 302
    with in_council(council_a):
        case = Case.objects.get(title="Overgrown hedge on School Lane")
    assert first["Location"] == f"/cases/{case.pk}/"
    again = client.post(url, data, follow=True)
    page = again.content.decode()
    assert again.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert f"This case was already created: {case.reference}" in page
    with in_council(council_a):
        assert Case.objects.filter(title="Overgrown hedge on School Lane").count() == 1
    # A new page load (a new token) is a new case, as the user intends.
    data["form_token"] = _token(client, url)
    assert client.post(url, data).status_code == 302
    with in_council(council_a):
        assert Case.objects.filter(title="Overgrown hedge on School Lane").count() == 2


def test_a_form_that_failed_can_be_corrected_and_sent_with_the_same_token(
    cast, scene, council_a
) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/new/?constituent={scene.constituent.pk}"
    token = _token(client, url)
    bad = client.post(url, {"constituent": scene.constituent.pk, "title": "", "form_token": token})
    assert bad.status_code == 200 and token in bad.content.decode()  # kept on the error page
    good = client.post(
        url,
        {
            "constituent": scene.constituent.pk,
            "title": "Fly-tipping",
            "priority": "normal",
            "form_token": token,
        },
    )
    assert good.status_code == 302
    with in_council(council_a):
        assert FormSubmission.objects.get(token=token).user_id == cast.owner.pk


def test_another_users_token_tells_nothing(cast, scene, council_a) -> None:
    owner = client_for(council_a, cast.owner)
    url = f"/cases/new/?constituent={scene.constituent.pk}"
    token = _token(owner, url)
    data = {
        "constituent": scene.constituent.pk,
        "title": "Blocked drain",
        "priority": "normal",
        "form_token": token,
    }
    assert owner.post(url, data).status_code == 302
    staff = client_for(council_a, cast.staff)
    replay = staff.post(url, {**data, "owner": cast.owner.pk})
    html = replay.content.decode()
    assert replay.status_code == 200 and "already sent" in html
    with in_council(council_a):
        reference = Case.objects.get(title="Blocked drain").reference
        assert Case.objects.filter(title="Blocked drain").count() == 1
    assert reference not in html


def test_constituent_referral_officer_and_surgery_forms_sent_twice(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    person = {
        "name": "Elspeth Moffat",
        "postcode": "KY1 9ZZ",
        "preferred_contact": "email",
        "email": "elspeth@example.com",
        "form_token": _token(client, "/constituents/new/"),
    }
    assert client.post("/constituents/new/", person).status_code == 302
    again = client.post("/constituents/new/", person, follow=True)
    assert "This constituent was already created" in again.content.decode()

    refer_url = f"/cases/{scene.case.pk}/refer/"
    referral = {
        "officer": scene.officer.pk,
        "working_days": "5",
        "form_token": _token(client, refer_url),
    }
    assert client.post(refer_url, referral).status_code == 302
    again = client.post(refer_url, referral, follow=True)
    assert "This referral was already created: to Iain Roads" in again.content.decode()

    enquiry = {
        "constituent": scene.constituent.pk,
        "title": "Bus shelter glass broken",
        "form_token": _token(client, f"/surgery/enquiry/?constituent={scene.constituent.pk}"),
    }
    assert client.post("/surgery/enquiry/", enquiry).status_code == 302
    again = client.post("/surgery/enquiry/", enquiry, follow=True)
    assert "This case was already created" in again.content.decode()

    staff = client_for(council_a, cast.staff)
    officer = {
        "name": "Gregor Lamb",
        "email": "gregor.lamb@council.gov.uk",
        "is_active": "on",
        "form_token": _token(staff, "/officers/new/"),
    }
    assert staff.post("/officers/new/", officer).status_code == 302
    assert "already created: Gregor Lamb" in (
        staff.post("/officers/new/", officer, follow=True).content.decode()
    )
    with in_council(council_a):
        assert Constituent.objects.filter(name="Elspeth Moffat").count() == 1
        assert Referral.objects.filter(case=scene.case, working_days=5).count() == 1
        assert Case.objects.filter(title="Bus shelter glass broken").count() == 1
        assert Officer.objects.filter(email="gregor.lamb@council.gov.uk").count() == 1


def test_surgery_remembers_the_councillor_for_the_sitting(cast, scene, council_a) -> None:
    staff = client_for(council_a, cast.staff)
    first = staff.post(
        "/surgery/enquiry/",
        {
            "name": "Walk In",
            "postcode": "KY1 3CC",
            "title": "Dog fouling",
            "owner": cast.owner.pk,
        },
    )
    assert first.status_code == 302
    form = staff.get("/surgery/enquiry/").content.decode()
    assert re.search(rf'<option value="{cast.owner.pk}" selected>', form)
    assert cast.owner.name in staff.get("/surgery/").content.decode()
    staff.post("/surgery/end/")
    form = staff.get("/surgery/enquiry/").content.decode()
    assert not re.search(rf'<option value="{cast.owner.pk}" selected>', form)


def test_referral_target_as_a_date_on_the_form_and_in_the_api(
    cast, scene, council_a, api_for
) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/{scene.case.pk}/refer/"
    with today_is(date(2026, 3, 2)):
        response = client.post(
            url,
            {
                "officer": scene.officer.pk,
                "working_days": "10",  # prefilled; the date given wins
                "target_date_day": "20",
                "target_date_month": "3",
                "target_date_year": "2026",
            },
        )
        assert response.status_code == 302
        with in_council(council_a):
            by_date = Referral.objects.get(case=scene.case, target_date=date(2026, 3, 20))
        assert by_date.working_days == 14
        api = api_for(council_a, cast.owner)
        by_days = api.post(
            f"/api/v1/cases/{scene.case.pk}/referrals/",
            {"officer": scene.officer.pk, "working_days": 5},
            format="json",
        )
        assert by_days.status_code == 201 and by_days.json()["target_date"] == "2026-03-09"
        both = api.post(
            f"/api/v1/cases/{scene.case.pk}/referrals/",
            {"officer": scene.officer.pk, "working_days": 5, "target_date": "2026-03-20"},
            format="json",
        )
        assert both.status_code == 400
    neither = client.post(url, {"officer": scene.officer.pk, "working_days": ""})
    assert neither.status_code == 200
    assert "Enter the number of working days for the reply, or a date" in neither.content.decode()
