"""Bad input is a clear 4xx JSON error on every caseload endpoint, never a 500."""

from __future__ import annotations

import pytest

from tests.caseload.conftest import make_case, make_officer
from tests.conftest import in_council

GARBAGE = [
    {},
    {"title": None, "constituent": "abc", "priority": 7},
    {"officer": -1, "working_days": "ten", "target_date": "31/12/2026"},
    {"kind": "status_change", "text": "", "time_spent_minutes": -5},
    {"outcome": "maybe", "status": "flying", "sharing": "everyone", "user_ids": ["x"]},
    {"name": "x" * 5000, "email": "@", "postcode": "?", "consent_date": "yesterday"},
    {"file": "not-a-file", "date": "2026-02-30", "staff": "me", "councillor": None},
    ["a", "list"],
]


@pytest.mark.django_db
def test_garbage_never_causes_a_500(cast, council_a, api_for) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        officer = make_officer(cast.admin)
    paths = [
        ("post", "/api/v1/cases/"),
        ("patch", f"/api/v1/cases/{case.pk}/"),
        ("post", f"/api/v1/cases/{case.pk}/close/"),
        ("post", f"/api/v1/cases/{case.pk}/reopen/"),
        ("post", f"/api/v1/cases/{case.pk}/status/"),
        ("put", f"/api/v1/cases/{case.pk}/sharing/"),
        ("post", f"/api/v1/cases/{case.pk}/actions/"),
        ("post", f"/api/v1/cases/{case.pk}/referrals/"),
        ("post", f"/api/v1/cases/{case.pk}/referrals/999999/reply/"),
        ("post", f"/api/v1/cases/{case.pk}/attachments/"),
        ("post", "/api/v1/surgery/enquiries/"),
        ("post", "/api/v1/constituents/"),
        ("post", "/api/v1/officers/"),
        ("patch", f"/api/v1/officers/{officer.pk}/"),
        ("post", "/api/v1/officers/import/"),
        ("post", "/api/v1/categories/"),
        ("post", "/api/v1/wards/"),
        ("post", "/api/v1/wards/postcodes/"),
        ("post", "/api/v1/holidays/"),
        ("post", "/api/v1/delegations/"),
        ("patch", "/api/v1/caseload-settings/"),
    ]
    clients = {"owner": api_for(council_a, cast.owner), "admin": api_for(council_a, cast.admin)}
    for client in clients.values():
        for method, path in paths:
            for body in GARBAGE:
                response = getattr(client, method)(path, body, format="json")
                assert response.status_code < 500, (method, path, body, response.content)
                if response.status_code >= 400:
                    assert "error" in response.json(), (path, response.content)
            response = getattr(client, method)(path, ["a", "list"], format="json")
            assert response.status_code >= 400, (path, response.content)
            response = getattr(client, method)(
                path, data="{not json", content_type="application/json"
            )
            # 400 for the body; 403/404 when the caller may not use the endpoint at all.
            assert response.status_code in (400, 403, 404), (path, response.content)


@pytest.mark.django_db
def test_bad_query_parameters_are_400_or_404(cast, council_a, api_for) -> None:
    client = api_for(council_a, cast.owner)
    for query in [
        "?status=flying",
        "?category=abc",
        "?ward=1,two",
        "?opened_from=yesterday",
        "?constituent=x",
        "?cursor=garbage",
        "?q=damp&offset=5000",
        "?q=damp&offset=-1&limit=abc",
        "?page_size=100000",
        "?q=" + "x" * 500,
    ]:
        response = client.get("/api/v1/cases/" + query)
        assert response.status_code in (200, 400, 404), (query, response.content)
        if response.status_code != 200:
            assert "error" in response.json()
    assert client.get("/api/v1/cases/?status=flying").status_code == 400
    assert client.get("/api/v1/cases/?cursor=garbage").status_code == 404
    assert client.get("/api/v1/officers/?active=perhaps").status_code == 400
    assert client.get("/api/v1/holidays/?year=1066").status_code == 400
    assert client.get("/api/v1/cases/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/wards/lookup/").status_code == 400
