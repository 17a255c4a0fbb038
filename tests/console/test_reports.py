"""Evaluation reports: the six criteria with their evidence, per council and across councils."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from console.models import CouncilMonthlyFigures
from console.selectors.evaluation import evaluation_councils, evaluation_for
from feedback.evaluation import CRITERIA

pytestmark = pytest.mark.django_db


def _month(council, month: date, **values) -> None:
    # Multiples of 5 where a test reads an exact figure: the disclosure rounding keeps them.
    base = {
        "days_covered": 30,
        "councillors": 10,
        "active_councillors": 10,
        "logins": 60,
        "cases_opened": 20,
        "cases_closed": 10,
        "close_days_hist": {"10": 10},
        "first_action_cases": 20,
        "first_action_days_hist": {"1": 20},
        "referrals_due": 20,
        "referrals_on_time": 15,
        "bfs_due": 20,
        "bfs_on_time": 15,
        "cases_with_bf": 10,
        "actions": 50,
        "action_cases": 20,
        "time_minutes": 900,
        "time_cases": 15,
        "survey_responses": 10,
        "survey_quicker_sum": 40,
        "survey_engagement_sum": 30,
        "survey_easy_sum": 45,
        "computed_at": timezone.now(),
    }
    base.update(values)
    CouncilMonthlyFigures.objects.create(council=council, month=month, **base)


@pytest.fixture
def trial_history(council_a, council_b):
    this_month = timezone.localdate().replace(day=1)
    # The trial period starts with the council's first month (it was created this month).
    _month(council_a, this_month, close_days_hist={"12": 10})
    _month(
        council_b, this_month, cases_opened=3, bfs_due=None, bfs_on_time=None, cases_with_bf=None
    )
    return council_a, council_b


def test_every_criterion_has_its_evidence(trial_history) -> None:
    [evaluation] = evaluation_for(councils=evaluation_councils(slugs=["council-a"]))
    assert [c.number for c in evaluation.criteria] == [1, 2, 3, 4, 5, 6]
    evidence = {(c.number, e.key): e for c in evaluation.criteria for e in c.evidence}
    assert evidence[(3, "bfs_on_time_pct")].trial == 75.0
    assert evidence[(4, "cases_with_bf_pct")].trial == 50.0
    assert evidence[(4, "actions_per_case")].trial == 2.5
    assert evidence[(6, "time_per_case_minutes")].trial == 60
    assert evidence[(6, "close_days_median")].first_month == 12.0
    assert evidence[(5, "survey_easy")].trial == 4.5
    assert evidence[(1, "survey_quicker")].trial == 4.0
    assert evidence[(2, "referrals_on_time_pct")].trial == 75.0
    assert len(CRITERIA) == 6


def test_council_report_as_csv_and_pdf(central_client, trial_history) -> None:
    response = central_client.get("/reports/council-a/evaluation.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["criterion"] for r in rows} == {"1", "2", "3", "4", "5", "6"}
    bf = next(r for r in rows if r["figure"] == "BFs completed on time (%)")
    assert bf["trial_period"] == "75.0"

    pdf = central_client.get("/reports/council-a/evaluation.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert central_client.get("/reports/no-such-council/evaluation.pdf").status_code == 404
    assert central_client.get("/reports/council-a/evaluation.docx").status_code == 404


def test_report_across_councils_suppresses_and_marks_what_is_not_measured(
    central_client, trial_history
) -> None:
    rows = list(
        csv.DictReader(io.StringIO(central_client.get("/reports/evaluation.csv").content.decode()))
    )
    b = {r["figure"]: r["trial_period"] for r in rows if r["slug"] == "council-b"}
    assert b["BFs completed on time (%)"] == "not measured"
    assert b["Cases with a BF (%)"] == "not measured"
    a = {r["figure"]: r["trial_period"] for r in rows if r["slug"] == "council-a"}
    assert a["BFs completed on time (%)"] == "75.0"
    pdf = central_client.get("/reports/evaluation.pdf?councils=council-a,council-b")
    assert pdf.content.startswith(b"%PDF")
    page = central_client.get("/reports/").content.decode()
    assert "/reports/council-a/evaluation.pdf" in page
