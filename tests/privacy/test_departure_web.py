"""The departure pages and API as every role: council admins only, per council."""

from __future__ import annotations

import pytest

from caseload.models import Case
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.privacy.test_departure import _open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(cast, council_a):
    with in_council(council_a):
        return _open_case(cast, "Page One"), _open_case(cast, "Page Two")


def test_admin_decides_on_the_page(cast, council_a, two_cases):
    first, second = two_cases
    client = client_for(council_a, cast.admin)
    listing = client.get("/admin-area/retention/departures/")
    assert listing.status_code == 200 and cast.owner.name in listing.content.decode()
    assert accessibility_problems(listing.content.decode()) == []
    url = f"/admin-area/retention/departures/{cast.owner.pk}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and first.reference in html
    assert "Page One" not in html  # titles are casework
    assert accessibility_problems(html) == []
    # A handover without the constituent's agreement is refused, nothing saved.
    refused = client.post(url, {"all_decision": "handover", "all_to": str(cast.ward_colleague.pk)})
    assert refused.status_code == 400 and "agreed" in refused.content.decode()
    with in_council(council_a):
        assert Case.objects.get(pk=first.pk).owner_id == cast.owner.pk
    done = client.post(
        url,
        {
            "all_decision": "handover",
            "all_to": str(cast.ward_colleague.pk),
            "all_consent": "on",
            f"decision_{second.pk}": "close",
        },
    )
    assert done.status_code == 302
    with in_council(council_a):
        assert Case.objects.get(pk=first.pk).owner_id == cast.ward_colleague.pk
        assert Case.objects.get(pk=second.pk).status == "closed"


@pytest.mark.parametrize("who", ["owner", "staff", "ward_colleague"])
def test_casework_roles_are_refused(cast, council_a, who, two_cases):
    client = client_for(council_a, getattr(cast, who))
    assert client.get("/admin-area/retention/departures/").status_code == 403
    url = f"/admin-area/retention/departures/{cast.owner.pk}/"
    assert client.post(url, {"all_decision": "close"}).status_code == 403


def test_api_admins_only_and_per_council(cast, council_a, council_b, make_user, api_for, two_cases):
    first, second = two_cases
    admin = api_for(council_a, cast.admin)
    listed = admin.get(f"/api/v1/departures/{cast.owner.pk}/").json()["results"]
    assert {row["reference"] for row in listed} == {first.reference, second.reference}
    bad = admin.post(
        f"/api/v1/departures/{cast.owner.pk}/",
        {
            "decisions": [
                {
                    "case_id": first.pk,
                    "decision": "handover",
                    "to_user": cast.other_councillor.pk,
                    "consent_recorded": True,
                }
            ]
        },
        format="json",
    )
    assert bad.status_code == 400
    ok = admin.post(
        f"/api/v1/departures/{cast.owner.pk}/",
        {"decisions": [{"case_id": first.pk, "decision": "close"}]},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["closed"] == 1
    assert (
        api_for(council_a, cast.owner).get(f"/api/v1/departures/{cast.owner.pk}/").status_code
        == 403
    )
    b_admin = api_for(council_b, make_user(council_b, role="admin", email="admin@b.gov.uk"))
    assert b_admin.get(f"/api/v1/departures/{cast.owner.pk}/").status_code == 404
    assert (
        b_admin.post(
            "/api/v1/departures/ward/",
            {"councillor_ids": [cast.owner.pk], "decision": "close"},
            format="json",
        ).status_code
        == 404
    )
    with in_council(council_a):
        assert Case.objects.get(pk=second.pk).status == "open"
