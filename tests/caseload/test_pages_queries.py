"""List pages cost the same number of queries for 5 rows as for 50 (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.caseload.conftest import make_case, make_constituent, make_officer
from tests.caseload.pages_support import client_for
from tests.conftest import in_council

PAGES = ["/", "/cases/", "/cases/?status=not_closed&q=street", "/constituents/", "/officers/"]


def _add_rows(cast, council, n: int) -> None:
    with in_council(council):
        for _ in range(n):
            person = make_constituent(cast.owner)
            make_case(
                cast.owner,
                constituent=person,
                title="Street light",
                category=cast.roads,
                ward=cast.north,
            )
            make_officer(cast.admin, topics=[cast.roads, cast.housing], wards=[cast.north])


def _counts(client) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = len(ctx.captured_queries)
    return counts


def test_list_pages_do_not_grow_queries_with_rows(cast, council_a) -> None:
    client = client_for(council_a, cast.owner)
    # The first working-day question of a year seeds its default holidays, once per council
    # (caseload.calendar); the dashboard asks one. Not a cost of the rows: warm up first.
    _counts(client)
    _add_rows(cast, council_a, 5)
    few = _counts(client)
    _add_rows(cast, council_a, 45)
    many = _counts(client)
    assert few == many, {p: (few[p], many[p]) for p in PAGES if few[p] != many[p]}
    # And a sanity bound, so a constant-but-wasteful page is noticed too.
    assert max(many.values()) <= 25, many
