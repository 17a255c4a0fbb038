"""The monthly survey: asked once a month, comments stay in the council."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.test import Client

from console.models import CouncilMonthlyFigures
from console.services import council_figures_refresh
from core.errors import Conflict, PermissionDenied, ValidationFailed
from feedback.models import SurveyResponse
from feedback.services import survey_skip, survey_submit
from tests.conftest import in_council, sign_in

pytestmark = pytest.mark.django_db

ANSWER = {
    "quicker": "4",
    "engagement": "3",
    "reminders": "5",
    "tracking": "4",
    "easy": "5",
    "time_saved": "2",
    "comment": "Too many clicks on letters",
}
LATER = {"reminders": 3, "tracking": 3, "time_saved": 3}


def _signed_in(council, user) -> Client:
    client = Client(HTTP_HOST=f"{council.slug}.localhost")
    assert sign_in(client, council, user).status_code == 302
    return client


def test_councillors_are_asked_until_they_answer(council_a, make_user) -> None:
    cllr = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    client = _signed_in(council_a, cllr)
    home = client.get("/", follow=True).content.decode()
    assert "Monthly survey" in home and 'href="/survey/"' in home

    form = client.get("/survey/").content.decode()
    assert "simple and easy to use" in form
    incomplete = client.post("/survey/", {"quicker": "4"})
    assert incomplete.status_code == 400
    done = client.post("/survey/", ANSWER)
    assert done.status_code == 302
    with in_council(council_a):
        response = SurveyResponse.objects.get(user=cllr)
        assert (response.quicker, response.engagement, response.easy) == (4, 3, 5)
        assert (response.reminders, response.tracking, response.time_saved) == (5, 4, 2)
    assert "Six questions" not in client.get("/", follow=True).content.decode()
    with in_council(council_a), pytest.raises(Conflict):
        survey_submit(user=cllr, quicker=1, engagement=1, easy=1, **LATER)


def test_not_now_stops_asking_for_the_month(council_a, make_user) -> None:
    cllr = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    client = _signed_in(council_a, cllr)
    client.post("/survey/", {"action": "skip"})
    assert "Six questions" not in client.get("/", follow=True).content.decode()
    fresh = _signed_in(council_a, cllr)  # a new session asks the database
    assert "Six questions" not in fresh.get("/", follow=True).content.decode()
    with in_council(council_a):
        # Skipping does not stop them answering later in the month.
        survey_submit(user=cllr, quicker=2, engagement=2, easy=2, **LATER)
        assert SurveyResponse.objects.get(user=cllr).skipped is False


def test_only_councillors_answer_and_only_admins_read(council_a, council_b, make_user) -> None:
    staff = make_user(council_a, role="staff", email="staff@a.gov.uk")
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    cllr = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    outsider_admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    with in_council(council_a), pytest.raises(PermissionDenied):
        survey_skip(user=staff)
    assert _signed_in(council_a, staff).get("/survey/").status_code == 403
    assert (
        "Six questions" not in _signed_in(council_a, staff).get("/", follow=True).content.decode()
    )
    _signed_in(council_a, cllr).post("/survey/", ANSWER)

    results = _signed_in(council_a, admin).get("/survey/results/").content.decode()
    assert "Too many clicks on letters" in results
    assert "cllr@a.gov.uk" not in results  # comments are not attributed
    assert _signed_in(council_a, cllr).get("/survey/results/").status_code == 403
    other = _signed_in(council_b, outsider_admin).get("/survey/results/").content.decode()
    assert "Too many clicks" not in other
    # The platform host has no survey.
    assert Client(HTTP_HOST="localhost").get("/survey/").status_code == 404


def test_only_counts_and_scores_reach_the_central_body(council_a, make_user) -> None:
    cllr = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    with in_council(council_a):
        survey_submit(user=cllr, quicker=4, engagement=3, easy=5, **LATER, comment="Secret remark")
    council_figures_refresh(schema_name=council_a.schema_name)
    from django.utils import timezone

    row = CouncilMonthlyFigures.objects.get(
        council=council_a, month=timezone.localdate().replace(day=1)
    )
    assert (row.survey_responses, row.survey_quicker_sum, row.survey_easy_sum) == (1, 4, 5)
    assert "Secret remark" not in str(
        CouncilMonthlyFigures.objects.filter(council=council_a).values()
    )
    assert isinstance(row.month, date)


def test_every_criterion_has_a_question(council_a, make_user) -> None:
    from feedback.evaluation import CRITERIA
    from feedback.forms import QUESTIONS

    asked = {criterion for _field, _statement, criterion in QUESTIONS}
    assert asked == {number for number, _title, _keys in CRITERIA} == set(range(1, 7))
    # Each criterion's evidence includes its survey question's average.
    survey_keys = {
        n: [k for k, _why in keys if k.startswith("survey_")] for n, _t, keys in CRITERIA
    }
    assert all(survey_keys[n] for n in range(1, 7)), survey_keys
    cllr = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    form = _signed_in(council_a, cllr).get("/survey/").content.decode()
    for _field, statement, _criterion in QUESTIONS:
        assert html.escape(statement) in form
    # A new answer must include the later questions.
    missing = {k: v for k, v in ANSWER.items() if k != "time_saved"}
    assert _signed_in(council_a, cllr).post("/survey/", missing).status_code == 400
    with in_council(council_a), pytest.raises(ValidationFailed):
        survey_submit(
            user=cllr, quicker=4, engagement=4, easy=4, reminders=4, tracking=9, time_saved=4
        )


def test_answers_from_before_the_new_questions_stay_comparable(council_a, make_user) -> None:
    """Old answers have no score for criteria 3, 4 and 6 (null, allowed by the database);
    the first three questions keep their keys and scale, so their averages run on across
    the change, and the new ones are averaged over the answers that were asked them."""
    from django.db import IntegrityError, transaction

    from feedback.selectors import survey_monthly_totals, survey_summary_for_admin

    old, new = date(2026, 10, 1), date(2026, 11, 1)
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    people = [make_user(council_a, role="councillor", email=f"c{i}@a.gov.uk") for i in range(3)]
    with in_council(council_a):
        # Before: three questions only, as stored by the old survey.
        for person in people:
            SurveyResponse.objects.create(user=person, month=old, quicker=4, engagement=2, easy=3)
        SurveyResponse.objects.create(user=people[0], month=new, quicker=2, engagement=2, easy=2)
        SurveyResponse.objects.create(
            user=people[1],
            month=new,
            quicker=4,
            engagement=4,
            easy=4,
            reminders=5,
            tracking=3,
            time_saved=1,
        )
        # The database still refuses a later score off the scale.
        with pytest.raises(IntegrityError), transaction.atomic():
            SurveyResponse.objects.create(
                user=people[2], month=new, quicker=4, engagement=4, easy=4, reminders=6
            )
        totals = {row["month"]: row for row in survey_monthly_totals()}
        assert totals[old]["responses"] == 3 and totals[old]["quicker_sum"] == 12
        assert totals[old]["later_responses"] == 0 and totals[old]["reminders_sum"] == 0
        assert totals[new]["responses"] == 2 and totals[new]["later_responses"] == 1
        summary = {row.month: row for row in survey_summary_for_admin(user=admin)}
    assert summary[old].quicker == 4 and summary[old].reminders is None
    assert summary[new].quicker == 3 and summary[new].reminders == 5
    assert (summary[new].tracking, summary[new].time_saved) == (3, 1)
    results = _signed_in(council_a, admin).get("/survey/results/").content.decode()
    assert "not asked" in results

    # The central body's figures carry the later questions only where they were asked.
    council_figures_refresh(schema_name=council_a.schema_name)
    rows = {r.month: r for r in CouncilMonthlyFigures.objects.filter(council=council_a)}
    assert (rows[old].survey_responses, rows[old].survey_later_responses) == (3, 0)
    assert (rows[new].survey_later_responses, rows[new].survey_reminders_sum) == (1, 5)
    from feedback.figures import summarise

    assert summarise([rows[old]])["survey_reminders"] == "<5"  # nobody was asked: no base
