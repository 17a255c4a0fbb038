"""The caseload forms as a browser without JavaScript uses them: a good post saves and
redirects (POST-redirect-GET); a bad one shows the form again with an error summary that
links to the field, and never a 500."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseload.models import Action, Case, Category, Constituent, Officer
from tests.caseload.pages_support import accessibility_problems, build_scene, client_for
from tests.conftest import in_council


@pytest.fixture
def scene(cast, council_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_scene(cast, council_a)


def assert_error_page(response, *fields: str) -> str:
    """The form came back (200) with an error summary linking to each named field."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "<title>Error:" in html
    for field in fields:
        assert re.search(rf'href="#id_{field}(_0)?"', html), f"no error link to {field}"
    assert not accessibility_problems(html), accessibility_problems(html)
    return html


def test_open_case_bad_then_good(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/new/?constituent={scene.constituent.pk}"
    bad = client.post(url, {"constituent": scene.constituent.pk, "title": "", "priority": "x"})
    assert_error_page(bad, "title", "priority")
    good = client.post(
        url,
        {
            "constituent": scene.constituent.pk,
            "title": "Overgrown hedge",
            "priority": "normal",
            "category": cast.roads.pk,
        },
    )
    assert good.status_code == 302
    with in_council(council_a):
        case = Case.objects.get(title="Overgrown hedge")
    assert good["Location"] == f"/cases/{case.pk}/"
    page = client.get(good["Location"]).content.decode()
    assert f"Case {case.reference} opened." in page


def test_case_create_without_constituent_asks_who(cast, council_a) -> None:
    client = client_for(council_a, cast.owner)
    response = client.get("/cases/new/")
    assert response.status_code == 302
    assert response["Location"] == "/constituents/?choose=1"


def test_staff_must_say_which_councillor_when_they_support_several(cast, scene, council_a) -> None:
    from caseload.services import delegation_propose

    with in_council(council_a):
        delegation_propose(
            actor=cast.other_councillor, staff=cast.staff, councillor=cast.other_councillor
        )
    client = client_for(council_a, cast.staff)
    url = f"/cases/new/?constituent={scene.constituent.pk}"
    data = {"constituent": scene.constituent.pk, "title": "Noise", "priority": "normal"}
    assert_error_page(client.post(url, data), "owner")
    response = client.post(url, {**data, "owner": cast.owner.pk})
    assert response.status_code == 302


def test_add_action_bad_then_good(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.staff)
    url = f"/cases/{scene.case.pk}/actions/new/"
    bad = client.post(
        url,
        {
            "kind": "status_change",
            "text": "",
            "time_spent_minutes": "lots",
            "occurred_on_day": "31",
            "occurred_on_month": "2",
            "occurred_on_year": "2026",
        },
    )
    assert_error_page(bad, "kind", "text", "time_spent_minutes", "occurred_on")
    future = client.post(
        url,
        {
            "kind": "letter",
            "text": "Wrote to roads",
            "occurred_on_day": "1",
            "occurred_on_month": "1",
            "occurred_on_year": "2099",
        },
    )
    html = assert_error_page(future)
    assert "cannot happen in the future" in html
    good = client.post(
        url, {"kind": "letter", "text": "Wrote to roads", "time_spent_minutes": "20"}
    )
    assert good.status_code == 302 and good["Location"] == f"/cases/{scene.case.pk}/"
    with in_council(council_a):
        action = Action.objects.filter(case=scene.case, kind="letter").get()
    assert action.time_spent_minutes == 20 and action.on_behalf_of_id == cast.owner.pk


def test_refer_shows_target_date_and_refers(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/{scene.case.pk}/refer/"
    page = client.get(url).content.decode()
    assert "Reply due by" in page and 'value="10"' in page
    assert_error_page(
        client.post(url, {"officer": "", "working_days": "0"}), "officer", "working_days"
    )
    response = client.post(url, {"officer": scene.officer.pk, "working_days": "5"})
    assert response.status_code == 302
    with in_council(council_a):
        referral = scene.case.referrals.get(working_days=5)
    # On to emailing the officer the referral, with their reply link (correspondence's page).
    assert response["Location"] == (
        f"/cases/{scene.case.pk}/write/?template=referral&referral={referral.pk}"
    )
    fragment = client.get("/referrals/target-date/?working_days=abc").content.decode()
    assert "Enter a number of working days" in fragment


def test_refer_to_an_officer_who_has_left_is_an_error_not_a_500(cast, scene, council_a) -> None:
    from caseload.services import officer_update

    with in_council(council_a):
        officer_update(actor=cast.admin, officer=scene.officer, is_active=False)
    client = client_for(council_a, cast.owner)
    response = client.post(
        f"/cases/{scene.case.pk}/refer/", {"officer": scene.officer.pk, "working_days": "5"}
    )
    assert_error_page(response, "officer")


def test_record_reply_close_and_reopen(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    reply_url = f"/cases/{scene.case.pk}/referrals/{scene.referral.pk}/reply/"
    assert client.post(reply_url, {"text": "Fixed on Monday"}).status_code == 302
    again = client.post(reply_url, {"text": "Twice"})
    assert "was recorded on" in assert_error_page(again)

    close_url = f"/cases/{scene.case.pk}/close/"
    assert_error_page(client.post(close_url, {"outcome": ""}), "outcome")
    assert client.post(close_url, {"outcome": "resolved", "note": "Done"}).status_code == 302
    # Closing twice is refused by the service's state rule and shown, not a 500.
    assert "cannot become closed" in assert_error_page(
        client.post(close_url, {"outcome": "resolved"})
    )
    detail = client.get(f"/cases/{scene.case.pk}/").content.decode()
    assert "Reopen case" in detail and "Closed: Resolved" in detail
    assert client.post(f"/cases/{scene.case.pk}/reopen/", {"note": "Back again"}).status_code == 302
    with in_council(council_a):
        assert Case.objects.get(pk=scene.case.pk).status == "reopened"


def test_sharing_named_needs_a_colleague(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/{scene.case.pk}/sharing/"
    assert_error_page(client.post(url, {"sharing": "named"}), "user_ids")
    response = client.post(url, {"sharing": "named", "user_ids": [cast.other_councillor.pk]})
    assert response.status_code == 302
    other = client_for(council_a, cast.other_councillor)
    assert other.get(f"/cases/{scene.case.pk}/").status_code == 200


def test_edit_case_details(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/{scene.case.pk}/edit/"
    assert 'value="Pothole outside number 12"' in client.get(url).content.decode()
    assert_error_page(client.post(url, {"title": "", "priority": "normal"}), "title")
    response = client.post(
        url, {"title": "Pothole fixed?", "priority": "high", "category": cast.roads.pk}
    )
    assert response.status_code == 302
    with in_council(council_a):
        assert Case.objects.get(pk=scene.case.pk).priority == "high"


def test_attachment_upload_checks_type_and_downloads(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    url = f"/cases/{scene.case.pk}/attachments/"
    assert_error_page(client.post(url, {}), "file")
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 200)
    assert "cannot be attached" in assert_error_page(client.post(url, {"file": exe}))
    ok = client.post(url, {"file": SimpleUploadedFile("note.txt", b"hello there\n")})
    assert ok.status_code == 302
    download = client.get(f"/cases/{scene.case.pk}/attachments/{scene.attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"Pothole is 20cm deep.\n"


def test_constituent_duplicate_warning_then_allowed(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    data = {"name": "Morag Example", "postcode": "KY1 1AA", "preferred_contact": "any"}
    html = assert_error_page(client.post("/constituents/new/", data), "allow_duplicate")
    assert "already on file" in html and f"/constituents/{scene.constituent.pk}/" in html
    response = client.post("/constituents/new/", {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    with in_council(council_a):
        assert Constituent.objects.filter(name="Morag Example").count() == 2


def test_constituent_bad_input_and_then_case(cast, council_a) -> None:
    client = client_for(council_a, cast.owner)
    bad = client.post(
        "/constituents/new/?then=case",
        {
            "name": "",
            "postcode": "NOT A POSTCODE",
            "email": "nope",
            "preferred_contact": "email",
            "then": "case",
        },
    )
    assert_error_page(bad, "name")
    good = client.post(
        "/constituents/new/",
        {"name": "Ann New", "postcode": "KY1 2BB", "preferred_contact": "any", "then": "case"},
    )
    assert good.status_code == 302 and good["Location"].startswith("/cases/new/?constituent=")


def test_constituent_edit_warns_about_a_clash(cast, scene, council_a) -> None:
    from tests.caseload.conftest import make_constituent

    with in_council(council_a):
        other = make_constituent(cast.owner, name="Other Person", email="clash@example.com")
    client = client_for(council_a, cast.owner)
    url = f"/constituents/{scene.constituent.pk}/edit/"
    data = {"name": "Morag Example", "email": "clash@example.com", "preferred_contact": "any"}
    html = assert_error_page(client.post(url, data), "allow_duplicate")
    assert f"/constituents/{other.pk}/" in html
    assert client.post(url, {**data, "allow_duplicate": "on"}).status_code == 302


def test_officer_create_and_csv_import_report(cast, council_a) -> None:
    client = client_for(council_a, cast.staff)
    assert_error_page(client.post("/officers/new/", {"name": "", "email": "bad"}), "name")
    ok = client.post(
        "/officers/new/",
        {
            "name": "Jo Housing",
            "email": "jo@council.gov.uk",
            "topics": [cast.housing.pk],
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    dup = client.post("/officers/new/", {"name": "Jo Again", "email": "JO@council.gov.uk"})
    assert "already in the directory" in assert_error_page(dup)

    csv_text = (
        "name,email,service,topics,wards\n"
        "Ann Parks,ann@council.gov.uk,Parks,Housing,North\n"
        ",nobody@council.gov.uk,Parks,,\n"
        "Bad Topic,bt@council.gov.uk,Parks,Unicorns,\n"
    )
    report = client.post(
        "/officers/import/", {"file": SimpleUploadedFile("officers.csv", csv_text.encode())}
    )
    html = report.content.decode()
    assert report.status_code == 200
    assert "1 added, 0 updated, 2 rows not imported" in html
    assert "no category called" in html and ">3<" in html and ">4<" in html
    assert not accessibility_problems(html)
    with in_council(council_a):
        assert Officer.objects.filter(email="ann@council.gov.uk").exists()
    no_columns = client.post(
        "/officers/import/", {"file": SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n")}
    )
    assert "needs at least the columns" in assert_error_page(no_columns, "file")


def test_surgery_logs_several_enquiries(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    page = client.get("/surgery/?q=Morag").content.decode()
    assert f"/surgery/enquiry/?constituent={scene.constituent.pk}" in page
    first = client.post(
        "/surgery/enquiry/",
        {
            "constituent": scene.constituent.pk,
            "title": "Street light out",
            "time_spent_minutes": "5",
        },
    )
    assert first.status_code == 302 and first["Location"] == "/surgery/#next"
    assert_error_page(client.post("/surgery/enquiry/", {"name": "", "title": ""}), "name", "title")
    second = client.post(
        "/surgery/enquiry/",
        {
            "name": "Walk In",
            "postcode": "KY1 3CC",
            "title": "Dog fouling",
            "category": cast.roads.pk,
        },
    )
    assert second.status_code == 302
    sitting = client.get("/surgery/").content.decode()
    assert "Street light out" in sitting and "Dog fouling" in sitting
    with in_council(council_a):
        case = Case.objects.get(title="Street light out")
        assert case.actions.filter(kind="surgery", time_spent_minutes=5).exists()
        assert Constituent.objects.filter(name="Walk In").exists()
    # A likely duplicate at a surgery is caught too, and nothing is half-saved.
    dup = client.post(
        "/surgery/enquiry/",
        {"name": "Morag Example", "postcode": "KY1 1AA", "title": "Another thing"},
    )
    assert "Use Morag Example" in assert_error_page(dup, "allow_duplicate")
    with in_council(council_a):
        assert not Case.objects.filter(title="Another thing").exists()
    assert client.post("/surgery/end/").status_code == 302
    assert "No enquiries logged yet" in client.get("/surgery/").content.decode()


def test_admin_users_seat_cap_shown_clearly(cast, council_a) -> None:
    from billing.models import Licence

    client = client_for(council_a, cast.admin)
    from accounts.models import User

    with in_council(council_a):
        councillors = User.objects.filter(role="councillor", is_active=True).count()
    Licence.objects.filter(council=council_a).update(seats=councillors)
    page = client.get("/admin-area/users/").content.decode()
    assert f"{councillors} of {councillors}" in page and "All seats are taken" in page
    bad = client.post(
        "/admin-area/users/new/",
        {
            "name": "New Cllr",
            "email": "new@a.gov.uk",
            "role": "councillor",
            "password": "a-Good-pass-2026",
        },
    )
    html = assert_error_page(bad, "role")
    assert "councillor seats on this council" in html
    staff = client.post(
        "/admin-area/users/new/",
        {
            "name": "New Staff",
            "email": "newstaff@a.gov.uk",
            "role": "staff",
            "password": "a-Good-pass-2026",
        },
    )
    assert staff.status_code == 302
    weak = client.post(
        "/admin-area/users/new/",
        {"name": "Weak", "email": "weak@a.gov.uk", "role": "staff", "password": "password"},
    )
    assert_error_page(weak, "password")
    taken = client.post(
        "/admin-area/users/new/",
        {
            "name": "Again",
            "email": "newstaff@a.gov.uk",
            "role": "staff",
            "password": "a-Good-pass-2026",
        },
    )
    assert_error_page(taken, "email")


def test_admin_reference_data_pages(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.admin)
    assert_error_page(client.post("/admin-area/categories/", {"name": ""}), "name")
    assert client.post("/admin-area/categories/", {"name": "Parks"}).status_code == 302
    assert "already a category" in assert_error_page(
        client.post("/admin-area/categories/", {"name": "parks"})
    )
    with in_council(council_a):
        parks = Category.objects.get(name="Parks")
    assert client.post(f"/admin-area/categories/{parks.pk}/toggle/").status_code == 302
    with in_council(council_a):
        assert not Category.objects.get(pk=parks.pk).is_active

    assert_error_page(
        client.post(
            "/admin-area/holidays/",
            {"day_day": "30", "day_month": "2", "day_year": "2026", "name": "X"},
        ),
        "day",
    )
    added = client.post(
        "/admin-area/holidays/",
        {"day_day": "2", "day_month": "10", "day_year": "2026", "name": "Local day"},
    )
    assert added.status_code == 302
    assert client.post(f"/admin-area/holidays/{scene.holiday.pk}/remove/").status_code == 302

    assert_error_page(client.post("/admin-area/wards/", {"name": "East", "code": "bad"}), "code")
    assert (
        client.post("/admin-area/wards/", {"name": "East", "code": "S13000009"}).status_code == 302
    )

    assert_error_page(client.post("/admin-area/delegations/", {}), "staff", "councillor")
    dup = client.post(
        "/admin-area/delegations/", {"staff": cast.staff.pk, "councillor": cast.owner.pk}
    )
    assert "already acts for" in assert_error_page(dup)
    revoke = client.post(f"/admin-area/delegations/{scene.delegation.pk}/revoke/")
    assert revoke.status_code == 302

    assert_error_page(
        client.post(
            "/admin-area/settings/", {"reference_prefix": "x", "referral_target_days": "99"}
        ),
        "referral_target_days",
    )
    ok = client.post(
        "/admin-area/settings/", {"reference_prefix": "ACC", "referral_target_days": "5"}
    )
    assert ok.status_code == 302

    bad_csv = client.post(
        "/admin-area/postcodes/",
        {"file": SimpleUploadedFile("pc.csv", b"pcds,osward\nnonsense,\n")},
    )
    assert_error_page(bad_csv)
    good_csv = client.post(
        "/admin-area/postcodes/",
        {
            "file": SimpleUploadedFile(
                "pc.csv",
                b"pcds,osward,wardnm\nKY1 1AA,S13000001,North\nKY1 2BB,S13000002,South\nbad,,\n",
            )
        },
    )
    html = good_csv.content.decode()
    assert good_csv.status_code == 200 and "Table replaced" in html
    assert "2 postcodes loaded" in html and "Rows not loaded" in html
