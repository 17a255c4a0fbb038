"""Tenant isolation, attacked as a hostile user of one council would attack another.

Council B holds casework carrying marker strings, with ids that council A's schema has
never used (B's sequences are moved far ahead first). Council A's people then try every
route of the council URLconf, with every verb it answers, with B's ids; B's session cookies,
tokens and signed links are tried on A's host; hosts are forged; and central-body staff try
council data. Each attack must get nothing of B: no 5xx, no marker in any answer, and B's
schema byte-for-byte the same afterwards.

Routes are read from the URLconf (tests/security/routes.py), so endpoints added later are
attacked without anyone listing them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import User
from caseload.models import Case
from caseload.services import (
    action_add,
    attachment_add,
    category_create,
    delegation_propose,
    holiday_add,
    referral_create,
    ward_create,
)
from correspondence.services.links import referral_reply_url
from dataexit.models import DataExit
from reminders.services import bf_add
from tenants.models import Council
from tests.caseload.conftest import make_case, make_constituent, make_officer
from tests.conftest import force_sign_in, host_for, in_council, sign_in
from tests.security.routes import COUNCIL, Route, route_id, routes

# B's rows get ids above this; A's schema, with its test-sized sequences, never reaches it.
FAR_AHEAD = 900_000

MARKERS = (
    "Zebedee Quillfeather",  # the constituent's name
    "zebedee.quillfeather@example.org",
    "Sinkhole outside Quillfeather Cottage",  # the case's title
    "QF-SECRET-NOTE-71",  # a note in the history
    "QF-ATTACHMENT-BYTES",  # an attachment's content
    "Officer Quentin Frobisher",
    "quentin.frobisher@b.gov.uk",
    "QF Ward",
    "QF Category",
    # Parts of the above, so that a search for one part still looks for the others.
    "Zebedee",
    "Sinkhole outside",
    "Quentin",
)


@dataclass
class CouncilB:
    council: Council
    councillor: User
    admin: User
    case: Case
    ids: dict[str, int]
    reply_link: str


def _move_sequences_far_ahead(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(format('%%I.%%I', schemaname, sequencename)::regclass,"
            " GREATEST(COALESCE(last_value, 0), %s))"
            " FROM pg_sequences WHERE schemaname = %s",
            [FAR_AHEAD, schema],
        )


def _fingerprint(schema: str) -> dict[str, str]:
    """Every table of a schema, each as the md5 of its rows in a stable order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema]
        )
        tables = [row[0] for row in cursor.fetchall()]
        parts = [
            f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
            f' FROM "{schema}"."{t}" x'
            for t in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


@pytest.fixture
def b(council_b, make_user, media_root) -> CouncilB:
    _move_sequences_far_ahead(council_b.schema_name)
    councillor = make_user(council_b, role="councillor", ward="North", email="cllr@b.gov.uk")
    admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    staff = make_user(council_b, role="staff", email="staff@b.gov.uk")
    with in_council(council_b):
        ward = ward_create(actor=admin, name="QF Ward", code="S13009999")
        category = category_create(actor=admin, name="QF Category")
        officer = make_officer(
            admin, name="Officer Quentin Frobisher", email="quentin.frobisher@b.gov.uk"
        )
        constituent = make_constituent(
            councillor,
            name="Zebedee Quillfeather",
            email="zebedee.quillfeather@example.org",
        )
        case = make_case(
            councillor,
            constituent=constituent,
            title="Sinkhole outside Quillfeather Cottage",
            category=category,
            ward=ward,
        )
        action = action_add(actor=councillor, case=case, kind="note", text="QF-SECRET-NOTE-71")
        attachment = attachment_add(
            actor=councillor,
            case=case,
            file=SimpleUploadedFile("qf.txt", b"QF-ATTACHMENT-BYTES", "text/plain"),
        )
        referral = referral_create(actor=councillor, case=case, officer=officer, working_days=5)
        bf = bf_add(
            actor=councillor,
            case=case,
            due_date=timezone.localdate() + timedelta(days=3),
            reason="Chase QF",
        )
        holiday = holiday_add(actor=admin, day=timezone.localdate() + timedelta(days=40), name="QF")
        reply_link = referral_reply_url(referral=referral)
        # A proposal waiting for B's councillor, and a data exit waiting for B's second
        # admin: A's people must neither confirm nor approve them.
        delegation = delegation_propose(actor=admin, staff=staff, councillor=councillor)
        data_exit = DataExit.objects.create(requested_by=admin, reason="QF exit")
        ids = {
            "case_id": case.pk,
            "constituent_id": constituent.pk,
            "officer_id": officer.pk,
            "referral_id": referral.pk,
            "attachment_id": attachment.pk,
            "action_id": action.pk,
            "bf_id": bf.pk,
            "holiday_id": holiday.pk,
            "category_id": category.pk,
            "ward_id": ward.pk,
            "user_id": councillor.pk,
            "delegation_id": delegation.pk,
            "data_exit_id": data_exit.pk,
        }
    assert min(ids.values()) > FAR_AHEAD
    return CouncilB(council_b, councillor, admin, case, ids, reply_link)


def _assert_nothing_of_b(response: Any, what: str, echoed: str = "") -> None:
    """No marker of B in the answer (bar those holding `echoed`, the attacker's own search
    term, which a search page rightly shows back in its box)."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    for marker in (m for m in MARKERS if not (echoed and echoed in m)):
        assert marker not in text, f"{what} answered with council B's {marker!r}"


def _attack_values(route: Route, b: CouncilB) -> dict[str, Any]:
    """B's id for each parameter (any id not known by name gets B's case id: an id A's
    schema never had), B's signed link for a token."""
    values: dict[str, Any] = {}
    for converter, name in route.params:
        if converter == "int":
            values[name] = b.ids.get(name, b.ids["case_id"])
        elif name == "token":
            values[name] = b.reply_link.rstrip("/").rsplit("/", 1)[-1]
    return values


# Something plausible for every field a write might read, so the request gets as far as the
# object it names instead of stopping at validation.
HOSTILE_BODY = {
    "title": "PWNED",
    "name": "PWNED",
    "text": "PWNED",
    "note": "PWNED",
    "body": "PWNED",
    "reason": "PWNED",
    "outcome": "resolved",
    "status": "closed",
    "sharing": "ward",
    "kind": "note",
    "working_days": 5,
    "days": 5,
    "due_date": "2030-01-01",
    "owner": 1,
    "officer": 1,
    "to_user": 1,
    "councillor": 1,
    "is_active": False,
}

COUNCIL_ROUTES = [r for r in routes(COUNCIL) if r.params]


@pytest.mark.parametrize("route", COUNCIL_ROUTES, ids=route_id)
def test_another_councils_object_ids_on_every_verb_of_every_route(
    route: Route, b: CouncilB, cast, council_a, api_for
) -> None:
    """A's councillor, delegated staff and admin ask A's host for B's objects, by id, with
    every verb the route answers, through the API (tokens) and the pages (sessions)."""
    before = _fingerprint(b.council.schema_name)
    path = route.path(_attack_values(route, b))
    attackers = (cast.owner, cast.staff, cast.admin)
    for attacker in attackers:
        if route.is_api:
            client: Client | APIClient = api_for(council_a, attacker)
        else:
            client = Client(HTTP_HOST=host_for(council_a))
            force_sign_in(client, council_a, attacker)
        for method in route.methods():
            call = getattr(client, method.lower())
            kwargs: dict[str, Any] = {"format": "json"} if route.is_api else {}
            response = call(path, HOSTILE_BODY, **kwargs) if method != "GET" else call(path)
            what = f"{method} {path} as A's {attacker.role}"
            _assert_nothing_of_b(response, what)
            by_id_only = all(converter == "int" for converter, _ in route.params)
            if method == "GET" and response.status_code == 200 and route.is_api and by_id_only:
                pytest.fail(f"{what} found an object by one of B's ids")
    assert _fingerprint(b.council.schema_name) == before, f"{route.route} changed council B"


def test_a_token_works_only_on_the_council_that_issued_it(b: CouncilB, council_a, api_for) -> None:
    on_b = api_for(b.council, b.councillor)
    token = on_b._credentials["HTTP_AUTHORIZATION"]
    assert on_b.get("/api/v1/cases/").status_code == 200
    on_a = APIClient(HTTP_HOST=host_for(council_a))
    on_a.credentials(HTTP_AUTHORIZATION=token)
    for path in ("/api/v1/cases/", "/api/v1/me/", "/api/v1/constituents/", "/api/v1/export/"):
        response = on_a.get(path)
        assert response.status_code == 401, path
        _assert_nothing_of_b(response, path)


def test_a_session_cookie_works_only_on_the_council_that_set_it(b: CouncilB, council_a) -> None:
    on_b = Client(HTTP_HOST=host_for(b.council))
    force_sign_in(on_b, b.council, b.councillor)
    assert on_b.get("/cases/").status_code == 200
    on_a = Client(HTTP_HOST=host_for(council_a))
    on_a.cookies = on_b.cookies
    for path in ("/", "/cases/", f"/cases/{b.case.pk}/", "/constituents/"):
        response = on_a.get(path)
        assert response.status_code in (302, 404), path
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), path
        _assert_nothing_of_b(response, path)


def test_the_session_cookie_is_bound_to_its_own_host(b: CouncilB, settings) -> None:
    """No Domain attribute: the browser sends the cookie back to this council's host only,
    never to a sibling subdomain."""
    client = Client(HTTP_HOST=host_for(b.council))
    response = sign_in(client, b.council, b.councillor)
    assert response.status_code == 302, "the councillor could not sign in"
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        client.get("/login/")
        morsel = response.cookies.get(name) or client.cookies.get(name)
        assert morsel is not None, f"no {name} cookie was set"
        assert not morsel["domain"], morsel.output()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_HOST": "council-b.{domain}"},
        {"HTTP_FORWARDED": "host=council-b.{domain}"},
        {"HTTP_X_ORIGINAL_HOST": "council-b.{domain}"},
        {"HTTP_X_FORWARDED_SERVER": "council-b.{domain}"},
    ],
    ids=["x-forwarded-host", "forwarded", "x-original-host", "x-forwarded-server"],
)
def test_forwarded_host_headers_never_switch_council(
    headers: dict[str, str], b: CouncilB, cast, council_a, api_for, settings
) -> None:
    forged = {k: v.format(domain=settings.PLATFORM_DOMAIN) for k, v in headers.items()}
    client = api_for(council_a, cast.owner)
    response = client.get("/api/v1/cases/", {"q": "Quillfeather"}, **forged)
    assert response.status_code in (200, 400)
    _assert_nothing_of_b(response, "A's token with a forged forwarded host")
    anonymous = Client(HTTP_HOST=host_for(council_a))
    response = anonymous.get(f"/cases/{b.case.pk}/", **forged)
    _assert_nothing_of_b(response, "a page with a forged host")


@pytest.mark.parametrize(
    "host",
    [
        "council-b.{domain}.evil.example",
        "evil.example",
        "council-b.{domain}@evil.example",
        "council-b_{domain}",
        "nonexistent.{domain}",
        "council-b.council-a.{domain}",
        "COUNCIL-B.{domain}.",
    ],
)
def test_unknown_or_tricky_hosts_serve_no_council(host: str, b: CouncilB, settings) -> None:
    """Unknown hosts are a 400 (not allowed) or a 404 (no such council), never a council's
    data; a host in another case or with a trailing dot is at most the same council."""
    client = APIClient(HTTP_HOST=host.format(domain=settings.PLATFORM_DOMAIN))
    response = client.get(f"/cases/{b.case.pk}/")
    assert response.status_code in (302, 400, 404)
    if response.status_code == 302:
        assert "/login/" in response["Location"]
    _assert_nothing_of_b(response, host)


def test_search_never_finds_another_councils_casework(b: CouncilB, cast, council_a, api_for):
    api = api_for(council_a, cast.owner)
    admin_api = api_for(council_a, cast.admin)
    page = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(page, council_a, cast.owner)
    for term in ("Quillfeather", "Zebedee", "zebedee.quillfeather@example.org", "Frobisher"):
        for client, path in (
            (api, "/api/v1/cases/"),
            (api, "/api/v1/constituents/"),
            (api, "/api/v1/constituents/duplicates/"),
            (api, "/api/v1/officers/"),
            (api, "/api/v1/officers/suggest/"),
            (admin_api, "/api/v1/users/"),
            (page, "/cases/"),
            (page, "/constituents/"),
            (page, "/officers/"),
            (page, "/surgery/lookup/"),
        ):
            params = {"q": term, "email": term, "last_name": term, "name": term}
            response = client.get(path, params)
            _assert_nothing_of_b(response, f"search {path}?q={term}", echoed=term)


def test_exports_hold_nothing_of_another_council(b: CouncilB, cast, council_a, api_for) -> None:
    """Every download A's admin and councillor can reach: the data export and every route
    whose name says it is an export, a CSV or a download."""
    admin = api_for(council_a, cast.admin)
    owner = api_for(council_a, cast.owner)
    downloads = [
        r
        for r in routes(COUNCIL)
        if not r.params and re.search(r"export|csv|download", f"{r.route} {r.name}")
    ]
    assert downloads, "the export routes are gone from the URLconf?"
    for client in (admin, owner):
        for route in downloads:
            _assert_nothing_of_b(client.get(route.path()), f"GET {route.path()}")


def test_signed_links_work_only_on_their_own_council(b: CouncilB, council_a) -> None:
    """B's officer reply link, carried to A's host, opens nothing; on B's host it does."""
    path = "/" + b.reply_link.split("/", 3)[3]
    on_b = Client(HTTP_HOST=host_for(b.council))
    assert on_b.get(path).status_code == 200
    on_a = Client(HTTP_HOST=host_for(council_a))
    response = on_a.get(path)
    assert response.status_code == 404
    _assert_nothing_of_b(response, "B's reply link on A's host")
    before = _fingerprint(b.council.schema_name)
    _assert_nothing_of_b(on_a.post(path, {"reply": "PWNED"}), "a reply posted on A's host")
    assert _fingerprint(b.council.schema_name) == before


def test_central_staff_get_no_council_data(b: CouncilB, make_user, api_for) -> None:
    """The central body's people sign in on the platform host only; their session and their
    token mean nothing on a council's host, and what they see there is aggregate."""
    central = make_user(None, email="analyst@central.example")
    platform = Client(HTTP_HOST=host_for(None))
    force_sign_in(platform, None, central)
    for path in ("/", "/councils/", "/comparison/", "/comparison/download.csv", "/reports/"):
        _assert_nothing_of_b(platform.get(path), f"central page {path}")
    token_client = api_for(None, central)
    for path in ("/api/v1/platform/councils/", "/api/v1/platform/comparison/"):
        _assert_nothing_of_b(token_client.get(path), f"central API {path}")
    on_b = Client(HTTP_HOST=host_for(b.council))
    on_b.cookies = platform.cookies
    response = on_b.get(f"/cases/{b.case.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    api_on_b = APIClient(HTTP_HOST=host_for(b.council))
    api_on_b.credentials(HTTP_AUTHORIZATION=token_client._credentials["HTTP_AUTHORIZATION"])
    assert api_on_b.get(f"/api/v1/cases/{b.case.pk}/").status_code == 401
    with schema_context(b.council.schema_name):
        assert not User.objects.filter(email=central.email).exists()
