"""Searching the council's audit log, on the web (/audit/, its CSV) and in the API
(/api/v1/audit/, /api/v1/audit/export/), as every kind of person: the council's admins and
its data protection officer may; councillors, other staff, another council's admin, central
staff and anonymous visitors may not. Every search and export is itself recorded."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from caseload import services
from core.errors import PermissionDenied, StateError, ValidationFailed
from tests.caseload.conftest import make_case
from tests.caseload.pages_support import client_for
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db

WEB = ["/audit/", "/audit/export/"]
API = ["/api/v1/audit/", "/api/v1/audit/export/"]


@pytest.fixture
def dpo(cast, council_a) -> User:
    with in_council(council_a):
        return services.member_set_data_protection_officer(
            actor=cast.admin, user=cast.other_staff, granted=True
        )


@pytest.fixture
def world(cast, council_a, council_b, make_user, dpo):
    """Who is who, by role name: each either a (council, user) pair or None (anonymous)."""
    b_admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    central = make_user(None, email="central@platform.gov.uk")
    return {
        "councillor": (council_a, cast.owner),
        "staff": (council_a, cast.staff),
        "admin": (council_a, cast.admin),
        "dpo": (council_a, dpo),
        "other_council_admin": (council_b, b_admin),
        "central_staff": (None, central),
        "anonymous": (council_a, None),
    }


ALLOWED = {"admin", "dpo"}
ROLES = [
    "councillor",
    "staff",
    "admin",
    "dpo",
    "other_council_admin",
    "central_staff",
    "anonymous",
]


def _web_client(council, user) -> Client:
    client = Client(HTTP_HOST=host_for(council))
    if user is not None:
        force_sign_in(client, council, user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_who_may_search_the_audit_log(role, world, council_a, api_for) -> None:
    council, user = world[role]
    # Each person tries council A's log, from where they are signed in. Another council's
    # admin's session and token are for B's host, so they try A's host with them: nothing.
    web = _web_client(council, user)
    api = api_for(council, user) if user is not None else api_for(council_a)
    for path in WEB:
        response = web.get(path, HTTP_HOST=host_for(council_a))
        if role in ALLOWED:
            assert response.status_code == 200, (role, path)
        elif role == "anonymous" or council != council_a:
            # Not signed in to council A: the sign-in page (central staff and B's admin are
            # not users of A, their cookies are host-only and for another schema).
            assert response.status_code == 302 and "/login/" in response["Location"], role
        else:
            assert response.status_code == 403, (role, path)
    for path in API:
        response = api.get(path, HTTP_HOST=host_for(council_a))
        if role in ALLOWED:
            assert response.status_code == 200, (role, path)
        elif role == "anonymous" or council != council_a:
            assert response.status_code == 401, (role, path, response.status_code)
        else:
            assert response.status_code == 403, (role, path)
            assert response.json()["error"]["code"] == "permission_denied"


def test_central_staff_see_no_audit_log_on_the_platform_host(world) -> None:
    _, central = world["central_staff"]
    client = _web_client(None, central)
    assert client.get("/audit/").status_code == 404
    assert client.get("/api/v1/audit/").status_code == 404


def test_searches_filter_and_are_recorded(cast, council_a, api_for, dpo) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        old = audit_record(
            action=AuditAction.CASE_VIEWED,
            actor=cast.staff,
            case_ids=[case.pk],
            case_references=[case.reference],
            at=timezone.now() - timedelta(days=40),
        )
        recent = audit_record(
            action=AuditAction.CASE_HISTORY_VIEWED,
            actor=cast.owner,
            case_ids=[case.pk],
            case_references=[case.reference],
            constituent_ids=[case.constituent_id],
        )
    api = api_for(council_a, dpo)
    by_ref = api.get("/api/v1/audit/", {"case": case.reference}).json()["results"]
    assert [e["id"] for e in by_ref] == [recent.pk, old.pk]
    assert by_ref[0]["kind"] == "case_history_viewed" and by_ref[0]["actor_id"] == cast.owner.pk
    by_person = api.get("/api/v1/audit/", {"person": cast.staff.pk, "case": case.pk}).json()
    assert [e["id"] for e in by_person["results"]] == [old.pk]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    dated = api.get("/api/v1/audit/", {"case": case.pk, "date_from": since}).json()["results"]
    assert [e["id"] for e in dated] == [recent.pk]
    kinds = api.get(
        "/api/v1/audit/", {"constituent": case.constituent_id, "kind": "case_history_viewed"}
    ).json()["results"]
    assert [e["id"] for e in kinds] == [recent.pk]
    # Bad filters are a 400 that says what is wrong, never a 500.
    assert api.get("/api/v1/audit/", {"case": "smith"}).status_code == 400
    assert api.get("/api/v1/audit/", {"kind": "made_up"}).status_code == 400
    bad_dates = api.get("/api/v1/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad_dates.status_code == 400
    with in_council(council_a):
        searches = AuditEntry.objects.filter(actor_id=dpo.pk, action="audit_searched")
        assert searches.count() == 4  # the refused ones were not searches
        first = searches.order_by("id").first()
        assert first is not None and first.detail["filters"] == {"case": case.reference}


def test_the_web_page_and_its_csv(cast, council_a, dpo) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        audit_record(
            action=AuditAction.CASE_VIEWED,
            actor=cast.owner,
            case_ids=[case.pk],
            case_references=[case.reference],
            summary='=HYPERLINK("http://evil")',
        )
    client = client_for(council_a, dpo)
    page = client.get("/audit/", {"case": case.reference})
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html and "Viewed a case" in html
    assert f"/audit/export/?case={case.reference}" in html
    download = client.get("/audit/export/", {"case": case.reference})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["at", "kind", "kind_label"]
    assert [r[1] for r in rows[1:]] == ["case_viewed"]
    assert rows[1][14].startswith("'=")  # formulas are neutralised (core.csv_writer)
    with in_council(council_a):
        export = AuditEntry.objects.get(actor_id=dpo.pk, action="audit_exported")
    assert export.detail == {"rows": 1, "filters": {"case": case.reference}}
    # A form error is shown on the page (400), not a 500, and nothing is searched.
    bad = client.get("/audit/", {"case": "not a case"})
    assert (
        bad.status_code == 400 and "neither a case number nor a reference" in bad.content.decode()
    )


def test_the_page_costs_the_same_queries_for_few_and_many_entries(cast, council_a, dpo) -> None:
    client = client_for(council_a, dpo)

    ctx_queries: list = []

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        ctx_queries[:] = ctx.captured_queries
        return len(ctx.captured_queries)

    with in_council(council_a):
        for _ in range(3):
            audit_record(action=AuditAction.CASES_LISTED, actor=cast.owner, case_ids=[1, 2])
    few = count()
    with in_council(council_a):
        for _ in range(60):
            audit_record(action=AuditAction.CASES_LISTED, actor=cast.owner, case_ids=[1, 2])
    many = count()
    assert few == many
    # The host's and schema's SETs, session, user, second factor, licence, the people for the
    # filter, the count, the page, and the search's one INSERT.
    assert many <= 15, [q["sql"][:90] for q in ctx_queries]


def test_the_api_list_is_bounded_in_queries(
    cast, council_a, api_for, django_assert_max_num_queries
) -> None:
    with in_council(council_a):
        for _ in range(60):
            audit_record(action=AuditAction.CASES_LISTED, actor=cast.owner, case_ids=[1])
    api = api_for(council_a, cast.admin)
    # Domain and token look-ups with their SETs, the admin's second factor, the page and the
    # search's one INSERT: the same for 100 rows as for 1.
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/audit/", {"page_size": 50})
    assert response.status_code == 200 and len(response.json()["results"]) == 50


def test_making_a_dpo_is_the_admins_and_recorded(cast, council_a, api_for) -> None:
    api = api_for(council_a, cast.admin)
    url = f"/api/v1/users/{cast.staff.pk}/data-protection-officer/"
    response = api.put(url, {"granted": True}, format="json")
    assert response.status_code == 200 and response.json()["is_data_protection_officer"] is True
    assert api.put(url, {"granted": True}, format="json").status_code == 422  # already
    councillor_url = f"/api/v1/users/{cast.owner.pk}/data-protection-officer/"
    refused = api.put(councillor_url, {"granted": True}, format="json")
    assert refused.status_code in (400, 422)
    with in_council(council_a):
        entry = AuditEntry.objects.get(action="role_changed", subject_user_id=cast.staff.pk)
        assert entry.actor_id == cast.admin.pk
        assert (
            entry.detail["permission"] == "data_protection_officer" and entry.detail["to"] is True
        )
        # Only an admin may do it, not the DPO themselves nor staff.
        with pytest.raises(PermissionDenied):
            services.member_set_data_protection_officer(
                actor=User.objects.get(pk=cast.staff.pk), user=cast.other_staff, granted=True
            )
        services.member_set_data_protection_officer(
            actor=cast.admin, user=cast.staff, granted=False
        )
        with pytest.raises(StateError):
            services.member_set_data_protection_officer(
                actor=cast.admin, user=cast.staff, granted=False
            )
        with pytest.raises(ValidationFailed):
            services.member_set_data_protection_officer(
                actor=cast.admin, user=cast.owner, granted=True
            )
    staff_api = api_for(council_a, cast.staff)
    assert staff_api.get("/api/v1/audit/").status_code == 403  # no longer the DPO


def test_the_admin_page_makes_a_dpo_without_javascript(cast, council_a) -> None:
    client = client_for(council_a, cast.admin)
    url = f"/admin-area/users/{cast.staff.pk}/data-protection-officer/"
    assert "Make data protection officer" in client.get("/admin-area/users/").content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "search the council's audit log" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    with in_council(council_a):
        assert User.objects.get(pk=cast.staff.pk).is_data_protection_officer
    # The DPO now finds the audit log in the header's menu.
    dpo_client = client_for(council_a, User.objects.get(pk=cast.staff.pk))
    assert 'href="/audit/"' in dpo_client.get("/officers/").content.decode()
    staff_client = client_for(council_a, cast.other_staff)
    assert 'href="/audit/"' not in staff_client.get("/officers/").content.decode()
    assert client_for(council_a, cast.owner).get(url).status_code == 403
