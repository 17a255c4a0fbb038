"""The site's shared look: the built front-end files are there and licensed, the layout
has the navigation each role should see, error pages render even without a request, and
the licence banner region shows billing's banner."""

from __future__ import annotations

import posixpath
import re

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.html import escape

from billing.models import Licence
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import force_sign_in


def test_built_front_end_files_are_served_with_their_licences() -> None:
    for path in (
        "app/caseload.min.css",
        "app/favicon.svg",
        "govuk/govuk-frontend.min.js",
        "govuk/LICENSE.txt",
        "vendor/htmx/htmx.min.js",
        "vendor/htmx/LICENSE.txt",
    ):
        assert finders.find(path), path
    css = open(finders.find("app/caseload.min.css"), encoding="utf-8").read()  # noqa: SIM115
    assert ".govuk-header" in css or ".govuk-generic-header" in css
    assert ".app-table--responsive" in css  # tables become cards on a phone
    # The GDS Transport font is licensed to GOV.UK only; the build uses system fonts.
    assert "GDS Transport" not in css and "/assets/fonts/" not in css
    # Every url() in the CSS must exist, or manifest storage's collectstatic fails.
    for ref in re.findall(r"url\(([^)]+)\)", css):
        ref = ref.strip("\"'")
        if not ref.startswith("data:"):
            assert finders.find(posixpath.normpath(posixpath.join("app", ref))), ref
    assert "MIT" in open(finders.find("govuk/LICENSE.txt"), encoding="utf-8").read()  # noqa: SIM115


def _nav(html: str) -> str:
    start = html.index('<ul class="govuk-service-navigation__list"')
    return html[start : html.index("</ul>", start)]


def test_navigation_per_role(cast, council_a) -> None:
    councillor = client_for(council_a, cast.owner).get("/cases/").content.decode()
    nav = _nav(councillor)
    for label in ("Dashboard", "Cases", "Constituents", "Surgery", "Officers"):
        assert label in nav
    assert "Admin" not in nav
    current = nav[nav.index('aria-current="page"') :]
    assert current[: current.index("</a>")].count("Cases") == 1  # the active item
    # Names are HTML-escaped on the page (Faker makes names such as O'Brien).
    assert 'action="/logout/"' in councillor and escape(cast.owner.name) in councillor
    admin = _nav(client_for(council_a, cast.admin).get("/").content.decode())
    assert "Admin" in admin and "Officers" in admin
    assert "Cases" not in admin and "Surgery" not in admin  # admins do not read casework


def test_central_site_is_restyled_with_its_own_navigation(db, make_user, client) -> None:
    staff = make_user(None, email="analyst@central.gov.uk")
    force_sign_in(client, None, staff)
    html = client.get("/", HTTP_HOST="localhost").content.decode()
    assert "Central body" in html and "govuk-service-navigation" in html
    assert "caseload:" not in html and "/cases/" not in html  # no council navigation here
    assert not accessibility_problems(html), accessibility_problems(html)


def test_sign_in_page_shows_an_error_summary(council_a) -> None:
    client = client_for(council_a, None)
    page = client.get("/login/").content.decode()
    assert "Sign in to Council A" in page and not accessibility_problems(page)
    bad = client.post("/login/", {"username": "nobody@a.gov.uk", "password": "wrong"})
    html = bad.content.decode()
    assert "There is a problem" in html and 'href="#id_username"' in html
    assert html.count("<title>Error:") == 1
    assert not accessibility_problems(html), accessibility_problems(html)


def test_error_pages_render_without_a_request() -> None:
    for template, text in (
        ("500.html", "Sorry, there is a problem with the service"),
        ("404.html", "Page not found"),
        ("400.html", "Sorry, this request could not be handled"),
    ):
        html = render_to_string(template, {})
        assert text in html and "caseload.min.css" in html, template
        assert not accessibility_problems(html), (template, accessibility_problems(html))


def test_not_found_in_a_council_keeps_the_layout(cast, council_a) -> None:
    response = client_for(council_a, cast.owner).get("/cases/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "govuk-service-navigation" in html
    assert not accessibility_problems(html)


def test_forbidden_page_says_why(cast, council_a) -> None:
    response = client_for(council_a, cast.owner).get("/admin-area/")
    assert response.status_code == 403
    assert "This page is for council administrator" in response.content.decode()


def test_read_only_licence_banner_shows_on_every_page(cast, council_a) -> None:
    Licence.objects.filter(council=council_a).update(state="lapsed")
    html = client_for(council_a, cast.owner).get("/").content.decode()
    assert 'data-licence-banner="read_only"' in html
    assert not accessibility_problems(html)
