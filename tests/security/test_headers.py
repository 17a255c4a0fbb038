"""Headers and host-bound checks: no caching of pages or API answers, CSRF origins bound to
the request's own council host, /healthz without versions."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import host_for
from tests.factories import DEFAULT_PASSWORD


@pytest.mark.parametrize("host", ["localhost", "council-a.localhost", "10.0.0.7"])
def test_healthz_tells_no_versions(client, council_a, host) -> None:
    body = client.get("/healthz", HTTP_HOST=host).json()
    assert set(body) == {"status", "database", "broker", "elapsed_ms"}
    assert "python" not in str(body).lower()


def test_pages_and_api_answers_carrying_casework_are_never_stored(council_a, api_for, cast):
    web = Client(HTTP_HOST=host_for(council_a))
    web.post("/login/", {"username": cast.owner.email, "password": DEFAULT_PASSWORD})
    api = api_for(council_a, cast.owner)
    answers = {
        "case list page": web.get("/cases/"),
        "dashboard": web.get("/"),
        "sign-in page": Client(HTTP_HOST=host_for(council_a)).get("/login/"),
        "case list API": api.get("/api/v1/cases/"),
        "export API": api_for(council_a, cast.admin).get("/api/v1/export/"),
        "404 page": web.get("/no-such-page/"),
    }
    for what, response in answers.items():
        assert response.status_code in (200, 404), what
        assert "no-store" in response["Cache-Control"], what
        assert "private" in response["Cache-Control"], what


def test_static_files_stay_cacheable(client, council_a) -> None:
    response = client.get("/static/app/favicon.svg", HTTP_HOST=host_for(council_a))
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_post_from_another_councils_origin_is_refused(council_a, council_b, make_user) -> None:
    """Council hosts are one site to a browser (same registrable domain), so SameSite=Lax
    cookies travel between them; the Origin check is what stops a page on council B's host
    posting a form to council A's."""
    user = make_user(council_a, role="councillor")
    browser = Client(enforce_csrf_checks=True, HTTP_HOST=host_for(council_a))
    browser.get("/login/", secure=True)
    token = browser.cookies["csrftoken"].value
    form = {"username": user.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token}
    other = f"https://{host_for(council_b)}"
    refused = browser.post("/login/", form, secure=True, HTTP_ORIGIN=other)
    assert refused.status_code == 403
    own = f"https://{host_for(council_a)}"
    accepted = browser.post("/login/", form, secure=True, HTTP_ORIGIN=own)
    assert accepted.status_code == 302
