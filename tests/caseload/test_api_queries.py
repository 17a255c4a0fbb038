"""List endpoints cost a fixed number of queries whatever the number of rows (no N+1).

Each list is measured with 5 rows and again with 50; the count is asserted exactly and is
the same for both.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.models import CouncilHoliday
from caseload.services import (
    action_add,
    attachment_add,
    case_set_sharing,
    delegation_propose,
    referral_create,
    ward_create,
)
from tests.caseload.conftest import make_case, make_constituent, make_officer
from tests.conftest import in_council

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if "results" in body else body["my_open_cases"]
    return len(ctx.captured_queries), len(rows)


def _grow(cast, council_a, kind: str, n: int, state: dict) -> None:
    """Add n rows of `kind`, all visible to the owner (half shared cases, to exercise joins)."""
    with in_council(council_a):
        for i in range(n):
            if kind == "cases":
                case = make_case(cast.owner, category=cast.housing, ward=cast.north)
                if i % 2:
                    case_set_sharing(actor=cast.owner, case=case, sharing="ward")
            elif kind == "constituents":
                make_constituent(cast.owner)
            elif kind == "officers":
                make_officer(cast.admin, topics=[cast.housing], wards=[cast.north])
            elif kind == "actions":
                action_add(actor=cast.staff, case=state["case"], kind="call", text=f"Call {i}")
            elif kind == "constituent_cases":
                make_case(cast.owner, constituent=state["constituent"])
            elif kind == "referrals":
                referral_create(
                    actor=cast.owner, case=state["case"], officer=state["officer"], working_days=5
                )
            elif kind == "attachments":
                attachment_add(
                    actor=cast.owner,
                    case=state["case"],
                    file=SimpleUploadedFile(f"f{i}.pdf", PDF),
                )
            elif kind == "categories":
                from caseload.services import category_create

                category_create(actor=cast.admin, name=f"Category {state['n']}")
                state["n"] += 1
            elif kind == "wards":
                ward_create(actor=cast.admin, name=f"Ward {state['n']}")
                state["n"] += 1
            elif kind == "holidays":
                CouncilHoliday.objects.create(
                    date=f"2030-{1 + state['n'] // 28:02d}-{1 + state['n'] % 28:02d}",
                    name="Local",
                )
                state["n"] += 1
            elif kind == "delegations":
                from tests.factories import UserFactory

                # Staff have no seat cap, so the rows grow on the staff side.
                staff = UserFactory(role="staff", email=f"q{state['n']}@a.gov.uk")
                state["n"] += 1
                delegation_propose(actor=cast.owner, staff=staff, councillor=cast.owner)


# In tests django-tenants issues `SET search_path` before each query, and every request
# starts with the domain lookup and the token lookup: 2 + 2 SETs.
def total(own_queries: int) -> int:
    return 4 + 2 * own_queries


# (endpoint, kind of rows, path, the view's own queries). A search first looks up the
# reader's ward colleagues (one query) so the planner can combine indexes, then ranks and
# cuts the page, then fetches the page's rows. Every casework list or read then writes one
# audit entry (one INSERT, caseload.selectors.read_log).
CASES: list[tuple[str, str, Callable[[dict], str], int]] = [
    ("case list", "cases", lambda s: "/api/v1/cases/", 2),
    ("case search", "cases", lambda s: "/api/v1/cases/?q=streetlight", 4),
    ("case list filtered", "cases", lambda s: f"/api/v1/cases/?status=open&ward={s['ward']}", 2),
    ("constituents", "constituents", lambda s: "/api/v1/constituents/", 2),
    # officers: the list, then topics and wards prefetched
    ("officers", "officers", lambda s: "/api/v1/officers/", 3),
    # history: the case read, its audit entry, the actions
    ("history", "actions", lambda s: f"/api/v1/cases/{s['case'].pk}/actions/", 3),
    # constituent's cases: the constituent, the cases, the page's audit entry
    (
        "constituent cases",
        "constituent_cases",
        lambda s: f"/api/v1/constituents/{s['constituent'].pk}/cases/",
        3,
    ),
    ("referrals", "referrals", lambda s: f"/api/v1/cases/{s['case'].pk}/referrals/", 3),
    ("attachments", "attachments", lambda s: f"/api/v1/cases/{s['case'].pk}/attachments/", 3),
    ("categories", "categories", lambda s: "/api/v1/categories/", 1),
    ("wards", "wards", lambda s: "/api/v1/wards/", 1),
    ("delegations", "delegations", lambda s: "/api/v1/delegations/", 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,path,expected",
    [(k, p, e) for _, k, p, e in CASES],
    ids=[name for name, *_ in CASES],
)
def test_list_query_count_is_constant(
    cast, council_a, api_for, django_assert_num_queries, kind, path, expected
) -> None:
    state: dict = {"n": 0, "ward": cast.north.pk}
    with in_council(council_a):
        state["case"] = make_case(cast.owner, category=cast.housing)
        state["constituent"] = make_constituent(cast.owner)
        state["officer"] = make_officer(cast.admin)
    reader = cast.admin if kind == "delegations" else cast.owner
    client = api_for(council_a, reader)
    # An admin's token also checks they still have a second factor (one query and its SET).
    expected_total = total(expected) + (2 if reader.role == "admin" else 0)
    _grow(cast, council_a, kind, 5, state)
    small, small_rows = _count(client, path(state))
    _grow(cast, council_a, kind, 45, state)
    url = path(state)
    # Big pages (both styles: cursor page_size, ranked limit) so all 50 rows come back.
    url += ("&" if "?" in url else "?") + "page_size=100&limit=100"
    with django_assert_num_queries(expected_total):
        response = client.get(url)
    assert response.status_code == 200
    large_rows = len(response.json()["results"])
    assert large_rows >= 50 > small_rows >= 5, (large_rows, small_rows)
    assert small == expected_total


@pytest.mark.django_db
def test_dashboard_query_count_is_constant(cast, council_a, api_for) -> None:
    client = api_for(council_a, cast.owner)
    # The first dashboard of the year seeds the year's holidays once (caseload.calendar).
    client.get("/api/v1/dashboard/")
    _grow(cast, council_a, "cases", 5, {})
    small, _ = _count(client, "/api/v1/dashboard/")
    _grow(cast, council_a, "cases", 45, {})
    large, rows = _count(client, "/api/v1/dashboard/")
    assert rows == 20
    assert small == large
