"""The retention page and API as every role: council admins only; a council's admin sees and
changes only their council; nobody's casework (titles, constituents) is shown, only
references, categories, wards and dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.models import Case
from privacy import services
from privacy.models import LegalHold, RetentionSchedule
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.privacy.test_retention import _closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_case(cast, council_a) -> Case:
    with in_council(council_a):
        case = _closed_case(cast)
        services.retention_run()
    return case


def test_admin_sees_the_schedule_the_preview_and_no_casework(cast, council_a, due_case):
    page = client_for(council_a, cast.admin).get("/admin-area/retention/")
    assert page.status_code == 200
    html = page.content.decode()
    assert due_case.reference in html and "Housing" in html and "Default" in html
    assert "Damp in the back bedroom" not in html and "Fairbairn" not in html
    assert accessibility_problems(html) == []


@pytest.mark.parametrize("who", ["owner", "staff", "ward_colleague"])
def test_casework_roles_are_refused(cast, council_a, who):
    client = client_for(council_a, getattr(cast, who))
    assert client.get("/admin-area/retention/").status_code == 403
    assert client.post("/admin-area/retention/schedule/", {"keep_months": 1}).status_code == 403


def test_anonymous_and_another_councils_user_must_sign_in(cast, council_a, council_b, make_user):
    b_admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    for client in (client_for(council_a, None), client_for(council_b, b_admin)):
        response = client.get("/admin-area/retention/", HTTP_HOST=f"{council_a.slug}.localhost")
        assert response.status_code in (302, 404)
        assert response.status_code != 200


def test_saving_a_period_and_its_errors(cast, council_a):
    client = client_for(council_a, cast.admin)
    bad = client.post("/admin-area/retention/schedule/", {"category": "", "keep_months": "0"})
    assert bad.status_code == 400
    assert "at least 1 month" in bad.content.decode()
    good = client.post(
        "/admin-area/retention/schedule/", {"category": cast.roads.pk, "keep_months": "36"}
    )
    assert good.status_code == 302
    with in_council(council_a):
        assert RetentionSchedule.objects.get(category=cast.roads).keep_months == 36


def test_holding_and_lifting_from_the_page(cast, council_a, due_case):
    client = client_for(council_a, cast.admin)
    missing = client.post(
        "/admin-area/retention/holds/", {"case_reference": "NOPE-1", "reason": "Claim"}
    )
    assert missing.status_code == 400 and "No case has the reference" in missing.content.decode()
    held = client.post(
        "/admin-area/retention/holds/",
        {"case_reference": due_case.reference.lower(), "reason": "SPSO complaint"},
    )
    assert held.status_code == 302
    with in_council(council_a):
        hold = LegalHold.objects.get(case=due_case)
    page = client.get("/admin-area/retention/").content.decode()
    assert "SPSO complaint" in page
    assert client.post(f"/admin-area/retention/holds/{hold.pk}/lift/").status_code == 302
    with in_council(council_a):
        hold.refresh_from_db()
        assert hold.lifted_at is not None


def test_api_for_admins_only_and_per_council(
    cast, council_a, council_b, make_user, api_for, due_case
):
    admin = api_for(council_a, cast.admin)
    preview = admin.get("/api/v1/retention/preview/")
    assert preview.status_code == 200
    assert [row["reference"] for row in preview.json()["results"]] == [due_case.reference]
    assert "title" not in preview.json()["results"][0]

    put = admin.put(
        "/api/v1/retention/schedule/", {"category": None, "keep_months": 241}, format="json"
    )
    assert put.status_code == 400
    put = admin.put(
        "/api/v1/retention/schedule/", {"category": 999999, "keep_months": 12}, format="json"
    )
    assert put.status_code == 400
    put = admin.put(
        "/api/v1/retention/schedule/", {"category": None, "keep_months": 12}, format="json"
    )
    assert put.status_code == 200
    assert put.json()["results"][0] == {
        "category": None,
        "category_name": "Default",
        "keep_months": 12,
        "own": True,
    }
    hold = admin.post(
        "/api/v1/retention/holds/",
        {"case_reference": due_case.reference, "reason": "Ombudsman"},
        format="json",
    )
    assert hold.status_code == 201
    again = admin.post(
        "/api/v1/retention/holds/",
        {"case_reference": due_case.reference, "reason": "Again"},
        format="json",
    )
    assert again.status_code == 409
    assert admin.post(f"/api/v1/retention/holds/{hold.json()['id']}/lift/").status_code == 200
    assert admin.get("/api/v1/retention/runs/").json()["results"][0]["status"] == "finished"

    for user in (cast.owner, cast.staff):
        client = api_for(council_a, user)
        assert client.get("/api/v1/retention/preview/").status_code == 403
        assert client.get("/api/v1/retention/schedule/").status_code == 403
    assert api_for(council_a).get("/api/v1/retention/preview/").status_code in (401, 403)

    b_admin = api_for(council_b, make_user(council_b, role="admin", email="admin@b.gov.uk"))
    assert b_admin.get("/api/v1/retention/preview/").json()["results"] == []
    assert b_admin.post(
        "/api/v1/retention/holds/",
        {"case_reference": due_case.reference, "reason": "x"},
        format="json",
    ).status_code in (400, 404)
    assert b_admin.post(f"/api/v1/retention/holds/{hold.json()['id']}/lift/").status_code == 404
    with in_council(council_a):
        # The lifted hold puts the case back on the list for a fresh preview period.
        later = timezone.now() + timedelta(days=15)
        assert services.retention_run(now=later).anonymised_case_ids == []
        assert services.retention_run(now=later + timedelta(days=15)).anonymised_case_ids == [
            due_case.pk
        ]
