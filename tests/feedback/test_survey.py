"""The monthly survey: asked once a month, comments stay in the council."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from console.models import CouncilMonthlyFigures
from console.services import council_figures_refresh
from core.errors import Conflict, PermissionDenied
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
