"""The comparison page, its CSV and the API show the same suppressed figures; the council
directory; both cost the same number of queries for few or many councils."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from billing.models import Licence
from console.charts import bar_chart
from console.models import CouncilMonthlyFigures, CouncilStats
from feedback.disclosure import month_cell, rounded
from tenants.models import Council

pytestmark = pytest.mark.django_db

MONTH = date(2026, 2, 1)


def _figures(council: Council, month: date = MONTH, **values) -> CouncilMonthlyFigures:
    defaults = {
        "days_covered": 28,
        "councillors": 10,
        "active_councillors": 10,
        "logins": 40,
        "cases_opened": 15,
        "cases_closed": 10,
        "close_days_median": 5.0,
        "close_days_p90": 20.0,
        "close_days_hist": {"2": 3, "5": 4, "20": 3},
        "first_action_cases": 15,
        "first_action_days_hist": {"0": 7, "1": 8},
        "referrals_due": 20,
        "referrals_on_time": 15,
        "actions": 30,
        "action_cases": 10,
        "time_minutes": 600,
        "time_cases": 10,
        "cases_by_category": {"roads": 10, "housing": 5, "other": 0},
        "cases_by_ward": {"S13000001": 15},
        "survey_responses": 5,
        "survey_quicker_sum": 20,
        "survey_engagement_sum": 20,
        "survey_easy_sum": 25,
        "computed_at": timezone.now(),
    }
    defaults.update(values)
    return CouncilMonthlyFigures.objects.create(council=council, month=month, **defaults)


@pytest.fixture
def compared(council_a, council_b):
    # A is small: three cases. B is busier.
    _figures(
        council_a,
        cases_opened=3,
        cases_closed=3,
        close_days_hist={"4": 3},
        cases_by_category={"roads": 3},
        cases_by_ward={"S13000001": 3},
        survey_responses=2,
        survey_quicker_sum=8,
    )
    _figures(council_b)
    return council_a, council_b


QUERY = "from=2026-01&to=2026-03"


def test_api_returns_suppressed_figures_for_each_council(api_for, make_user, compared) -> None:
    api = api_for(None, make_user(None))
    body = api.get(f"/api/v1/platform/comparison/?{QUERY}&councils=council-a,council-b").json()
    assert (body["from"], body["to"]) == ("2026-01", "2026-03")
    by_slug = {c["slug"]: c for c in body["councils"]}
    small, busy = by_slug["council-a"]["summary"], by_slug["council-b"]["summary"]
    # A's 3 cases are rounded at random to 0 (shown "<5") or 5; never 3.
    assert small["cases_opened"] in ("<5", 5)
    assert by_slug["council-a"]["cases_by_category"]["roads"] in ("<5", 5)
    if small["cases_closed"] == "<5":
        assert small["close_days_median"] == "<5"
    assert busy["cases_opened"] == 15
    assert busy["close_days_median"] == 5.0
    assert busy["referrals_on_time_pct"] == 75.0
    assert busy["logins_per_councillor_week"] == 1.0  # 40 logins / (10 councillors x 4 weeks)
    assert busy["time_per_case_minutes"] == 60
    assert busy["survey_quicker"] == 4.0
    assert busy["bfs_on_time_pct"] is None  # not measured
    assert by_slug["council-b"]["months"][0]["month"] == "2026-02"
    assert body["councils"][0]["name"] == "Council A"

    only_b = api.get("/api/v1/platform/comparison/?councils=council-b&from=2026-02&to=2026-02")
    assert [c["slug"] for c in only_b.json()["councils"]] == ["council-b"]
    bad = api.get("/api/v1/platform/comparison/?from=2026-13")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"from": ["Use YYYY-MM."]}


def _numbers(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(inner) if not isinstance(inner, int | float) else [(key, inner)]
    elif isinstance(value, list):
        for inner in value:
            yield from _numbers(inner)


def test_no_count_under_five_is_ever_output(api_for, make_user, compared) -> None:
    api = api_for(None, make_user(None))
    body = api.get(f"/api/v1/platform/comparison/?{QUERY}").json()
    counts = {
        "councillors",
        "active_councillors",
        "cases_opened",
        "cases_closed",
        "survey_responses",
        "roads",
        "housing",
        "other",
        "S13000001",
    }
    for council in body["councils"]:
        for key, value in _numbers(council):
            if key in counts:
                assert value >= 5, (council["slug"], key, value)


def test_page_and_csv_show_the_same_figures(central_client, compared) -> None:
    page = central_client.get(f"/comparison/?{QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Council A" in html and "Council B" in html
    assert "&lt;5" in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "Roads and transport" in html  # the platform's heading, not a council's wording

    response = central_client.get(f"/comparison/download.csv?{QUERY}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    lookup = {(r["slug"], r["month"], r["figure"]): r["value"] for r in rows}
    assert lookup[("council-a", "all", "cases_opened")] in ("<5", "5")
    assert lookup[("council-b", "all", "cases_opened")] == "15"
    assert lookup[("council-b", "2026-02", "referrals_on_time_pct")] == "75.0"
    assert lookup[("council-b", "all", "category:roads")] == "10"
    assert lookup[("council-b", "all", "category:other")] == "<5"
    assert lookup[("council-b", "all", "bfs_on_time_pct")] == "not measured"


def test_bad_range_is_explained(central_client, compared) -> None:
    response = central_client.get("/comparison/?from=2026-05&to=2026-01")
    assert response.status_code == 400
    assert "starts after it ends" in response.content.decode()


def test_refresh_now_queues_one_job_per_council(central_client, monkeypatch) -> None:
    queued = []
    monkeypatch.setattr(
        "tenants.tasks.fan_out.delay", lambda *args, **kwargs: queued.append((args, kwargs))
    )
    response = central_client.post("/comparison/refresh/", {"query": "from=2026-01"})
    assert response.status_code == 302
    assert response["Location"] == "/comparison/?from=2026-01"
    assert queued == [(("console.council_figures_refresh",), {"jitter_seconds": 0})]


def test_chart_is_accessible_and_draws_no_bar_for_suppressed_values() -> None:
    svg = bar_chart(
        chart_id="c1", title="Cases", description="Cases opened", bars=[("A", "<5"), ("B", 12)]
    )
    assert 'role="img"' in svg
    assert '<title id="c1-title">Cases</title>' in svg
    assert "A: &lt;5; B: 12" in svg
    assert svg.count("<rect") == 1


def _bare_councils(n: int) -> None:
    """Directory rows without schemas: the directory never touches councils' schemas."""
    for i in range(n):
        slug = f"bulk-{i}"
        council = Council.objects.create(
            slug=slug, name=f"Bulk {i}", schema_name=slug.replace("-", "_"), status="ready"
        )
        Licence.objects.create(
            council=council,
            state="trial",
            seats=10,
            trial_ends_at=timezone.now() + timedelta(days=30),
        )
        CouncilStats.objects.create(
            council=council, councillors=i % 10, refreshed_at=timezone.now()
        )
        _figures(council)


@pytest.mark.parametrize("extra", [5, 50])
def test_directory_and_comparison_cost_the_same_queries_for_5_or_50(
    extra, api_for, make_user, django_assert_num_queries, council_a
) -> None:
    _bare_councils(extra)
    api = api_for(None, make_user(None))
    # Token lookup + the second factor central staff must have (accounts.authentication) +
    # councils + domains; django-tenants sets search_path before each.
    with django_assert_num_queries(8):
        response = api.get("/api/v1/platform/councils/")
    assert len(response.json()) >= extra
    # Token lookup + second factor + councils + figures, each after a search_path.
    with django_assert_num_queries(8):
        response = api.get("/api/v1/platform/comparison/?from=2026-01&to=2026-03")
    assert len(response.json()["councils"]) >= extra


def test_directory_shows_seats_health_and_can_be_searched_and_sorted(
    central_client, council_a, council_b
) -> None:
    CouncilStats.objects.create(
        council=council_a,
        councillors=7,
        refreshed_at=timezone.now(),
        last_activity_at=timezone.now(),
    )
    Council.objects.filter(pk=council_a.pk).update(heartbeat_at=timezone.now())
    CouncilStats.objects.create(council=council_b, last_error="Refreshing failed (ValueError)")
    page = central_client.get("/councils/?sort=health&dir=desc").content.decode()
    assert page.index("Council B") < page.index("Council A")  # failing first
    assert "7 of 10" in page
    assert "Figures refresh failed" in page
    found = central_client.get("/councils/?q=council-b").content.decode()
    assert "Council B" in found and "Council A" not in found

    rows = json.loads(central_client.get("/api/v1/platform/councils/?sort=seats&dir=desc").content)
    assert rows[0]["slug"] == "council-a"
    assert rows[0]["seats_used"] == 7 and rows[0]["seats_cap"] == 10
    assert rows[0]["licence_state"] == "trial"
    assert {r["slug"]: r["health"]["state"] for r in rows}["council-b"] == "Failing"


def test_totals_added_up_by_the_database_match_those_from_rows(council_a) -> None:
    from console.selectors.comparison import (
        comparison_get,
        summarise,
        summarise_totals,
        totals_by_council,
    )

    rows = [
        _figures(council_a, date(2026, 1, 1), close_days_hist={"1": 2, "9": 4}, bfs_due=None),
        _figures(council_a, date(2026, 2, 1), close_days_hist={"3": 5}, bfs_due=8, bfs_on_time=6),
        _figures(council_a, date(2026, 3, 1), councillors=12, cases_by_ward={"S13000002": 9}),
    ]
    span = {"month_from": date(2026, 1, 1), "month_to": date(2026, 3, 1)}
    from_db = totals_by_council(council_ids=[council_a.pk], **span)[council_a.pk]
    assert summarise_totals(from_db) == summarise(rows)
    assert from_db.latest_councillors in (10, 15)  # 12, rounded in its month
    assert from_db.close_hist == {1: 2, 9: 4, 3: 5, 2: 3, 5: 4, 20: 3}
    # Each month's count is rounded in its own cell before adding up: 9 goes to 5 or 10.
    assert from_db.wards["S13000001"] == 30
    assert from_db.wards["S13000002"] in (5, 10)

    # The page's summaries (remembered) equal the API's (from rows), and a refresh that
    # rewrites a figure is seen at once.
    def page_summary() -> dict:
        page = comparison_get(slugs=["council-a"], include_months=False, **span)
        return page.councils[0].summary

    api = comparison_get(slugs=["council-a"], include_months=True, **span)
    assert page_summary() == api.councils[0].summary
    CouncilMonthlyFigures.objects.filter(pk=rows[0].pk).update(
        cases_opened=100, computed_at=timezone.now() + timedelta(seconds=1)
    )
    assert page_summary()["cases_opened"] == 130


@pytest.fixture
def named_wards(council_a, council_b):
    """Council A: one ward with an ONS code, one without, and an old row's bare key.
    Council B: wards of its own, named differently."""
    _figures(
        council_a,
        cases_by_ward={"S13002891": 10, "ward-7": 5},
        ward_names={"S13002891": "Annandale East and Eskdale", "ward-7": "Lochar"},
    )
    _figures(council_a, date(2026, 1, 1), cases_by_ward={"ward-9": 5})  # stored before names
    _figures(council_b, cases_by_ward={"ward-7": 15}, ward_names={"ward-7": "Kirkcaldy North"})
    return council_a, council_b


A_WARDS = ["Annandale East and Eskdale (S13002891)", "Lochar", "Ward 9 (no name recorded)"]


def test_page_shows_each_councils_wards_by_name_under_that_council_only(
    central_client, named_wards
) -> None:
    html = central_client.get(f"/comparison/?{QUERY}").content.decode()
    tables = {
        name: body
        for name, body in re.findall(
            r'summary-text">([^<]*)</span></summary>(.*?)</details>', html, re.S
        )
    }
    assert {"Council A", "Council B"} <= set(tables)
    for label in A_WARDS:
        assert label in tables["Council A"] and label not in tables["Council B"]
    assert "Kirkcaldy North" in tables["Council B"]
    assert "Kirkcaldy North" not in tables["Council A"]
    assert "ward-7" not in html  # the key is never what a person reads


def test_api_and_csv_show_ward_names_beside_the_keys(
    api_for, make_user, central_client, named_wards
) -> None:
    api = api_for(None, make_user(None))
    body = api.get(f"/api/v1/platform/comparison/?{QUERY}").json()
    by_slug = {c["slug"]: c for c in body["councils"]}
    a, b = by_slug["council-a"], by_slug["council-b"]
    assert set(a["cases_by_ward"]) == {"S13002891", "ward-7", "ward-9"}  # keys as before
    assert a["ward_labels"] == dict(zip(["S13002891", "ward-7", "ward-9"], A_WARDS, strict=True))
    assert a["cases_by_ward"]["S13002891"] == 10
    assert b["ward_labels"] == {"ward-7": "Kirkcaldy North"}  # same key, B's own ward

    response = central_client.get(f"/comparison/download.csv?{QUERY}")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    wards = {(r["slug"], r["figure"]): r for r in rows if r["figure"].startswith("ward:")}
    assert wards[("council-a", "ward:S13002891")]["label"] == (
        "Cases opened: Annandale East and Eskdale (S13002891)"
    )
    assert wards[("council-a", "ward:S13002891")]["value"] == "10"
    assert wards[("council-a", "ward:ward-7")]["label"] == "Cases opened: Lochar"
    assert wards[("council-a", "ward:ward-9")]["label"] == (
        "Cases opened: Ward 9 (no name recorded)"
    )
    assert wards[("council-b", "ward:ward-7")]["label"] == "Cases opened: Kirkcaldy North"


def test_ward_counts_are_rounded_as_before(api_for, make_user, council_a) -> None:
    """Names change nothing about the rounding: each month's ward count is drawn in the
    cell of its key, whether the row names it or not."""
    _figures(council_a, cases_by_ward={"ward-7": 3}, ward_names={"ward-7": "Lochar"})
    api = api_for(None, make_user(None))
    body = api.get(f"/api/v1/platform/comparison/?{QUERY}&councils=council-a").json()
    expected = rounded(3, cell=month_cell(council_a.pk, MONTH, "ward:ward-7"))
    shown = body["councils"][0]["cases_by_ward"]["ward-7"]
    assert shown == ("<5" if expected == 0 else expected)
