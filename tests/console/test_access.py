"""Who reaches the console, and what it can never reach: a council's cases."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from caseload.models import Case
from console.services import council_figures_refresh
from tests.conftest import in_council
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/councils/",
    "/councils/new/",
    "/trial-requests/",
    "/trial-requests/email-domains/",
    "/comparison/",
    "/comparison/download.csv",
    "/reports/",
    "/reports/evaluation.csv",
]
STAFF_API = ["/api/v1/platform/councils/", "/api/v1/platform/comparison/"]


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    browser = Client(HTTP_HOST="localhost")
    for path in STAFF_PAGES:
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
    for path in STAFF_API:
        assert browser.get(path).status_code in (401, 403), path


def test_council_users_cannot_reach_the_console(council_a, make_user, api_for) -> None:
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    # Their account lives in the council's schema: the platform host does not know it.
    platform = Client(HTTP_HOST="localhost")
    refused = platform.post("/login/", {"username": admin.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    assert b"There is a problem" in refused.content
    # Their API token is refused on the platform host.
    token = api_for(council_a, admin)._credentials["HTTP_AUTHORIZATION"]
    for path in STAFF_API:
        response = Client(HTTP_HOST="localhost").get(path, HTTP_AUTHORIZATION=token)
        assert response.status_code == 401, path
    # And the console does not exist on a council's host.
    signed_in = Client(HTTP_HOST="council-a.localhost")
    signed_in.post("/login/", {"username": admin.email, "password": DEFAULT_PASSWORD})
    for path in [*STAFF_PAGES, *STAFF_API, "/councils/jobs/1/"]:
        assert signed_in.get(path).status_code == 404, path


def test_central_staff_cannot_open_a_councils_cases(council_a, make_user, api_for) -> None:
    owner = make_user(council_a, role="councillor", email="owner@a.gov.uk")
    with in_council(council_a):
        from caseload.services import case_open_with_constituent

        _, case = case_open_with_constituent(
            actor=owner,
            constituent_fields={"name": "Secret Person", "email": "secret@example.com"},
            title="Private matter",
        )
    central = make_user(None, email="analyst@central.example.gov.uk")
    central_api = api_for(None, central)
    token = central_api._credentials["HTTP_AUTHORIZATION"]

    # The central token is not valid on the council's host...
    on_council = Client(HTTP_HOST="council-a.localhost")
    for path in [
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/actions/",
    ]:
        assert on_council.get(path, HTTP_AUTHORIZATION=token).status_code == 401, path
    # ...nor is the central body's web session: it lives in the public schema.
    browser = Client(HTTP_HOST="localhost")
    browser.post("/login/", {"username": central.email, "password": DEFAULT_PASSWORD})
    on_council.cookies["sessionid"] = browser.cookies["sessionid"].value
    response = on_council.get(f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    # ...and the platform host has no case routes at all.
    assert central_api.get("/api/v1/cases/").status_code == 404
    assert (
        central_api.get(f"/api/v1/platform/councils/council-a/cases/{case.pk}/").status_code == 404
    )
    assert browser.get(f"/cases/{case.pk}/").status_code == 404


def _routes(patterns, prefix: str = "") -> list[str]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append(prefix + str(p.pattern))
    return out


def test_the_console_and_its_api_have_no_case_routes() -> None:
    from console import urls as console_urls
    from console.api import urls as api_urls

    routes = _routes(console_urls.urlpatterns) + _routes(api_urls.urlpatterns)
    assert routes
    for route in routes:
        assert "case" not in route and "constituent" not in route, route


def test_every_console_output_carries_numbers_only(central_client, api_for, make_user, council_a):
    owner = make_user(council_a, role="councillor", email="owner@a.gov.uk")
    with in_council(council_a):
        from caseload.services import case_open_with_constituent

        for n in range(6):
            case_open_with_constituent(
                actor=owner,
                constituent_fields={"name": f"Secret Person {n}", "email": f"s{n}@example.com"},
                allow_duplicate=True,
                title=f"Hidden title {n}",
                description="hidden description",
            )
        assert Case.objects.count() == 6
    council_figures_refresh(schema_name=council_a.schema_name)
    api = api_for(None, make_user(None))
    outputs = [
        api.get("/api/v1/platform/comparison/").content.decode(),
        api.get("/api/v1/platform/councils/").content.decode(),
        central_client.get("/comparison/").content.decode(),
        central_client.get("/comparison/download.csv").content.decode(),
        central_client.get("/reports/evaluation.csv").content.decode(),
        central_client.get("/councils/").content.decode(),
    ]
    # 6 cases, rounded at random to a multiple of 5 (feedback.disclosure).
    assert re.search(r'"cases_opened":(5|10)[,}]', outputs[0].replace(" ", ""))
    for text in outputs:
        for secret in [
            "Secret Person",
            "example.com",
            "Hidden title",
            "hidden description",
            "owner@a.gov.uk",
        ]:
            assert secret not in text
