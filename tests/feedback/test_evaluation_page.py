"""The council's own evaluation page (/evaluation/): its figures against the pilot's six
criteria over the trial, month by month, as the central body publishes them, to the
council's own users only, and no finer than the comparison's disclosure rule allows."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Licence
from console.models import CouncilMonthlyFigures
from console.selectors.evaluation import evaluation_for
from feedback.evaluation import CRITERIA, council_evaluation_get
from tenants.models import Council
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db

MARKER = "<5"


def _months(last: date, n: int) -> list[date]:
    out = [last]
    while len(out) < n:
        m = out[0]
        out.insert(0, date(m.year - (m.month == 1), (m.month - 2) % 12 + 1, 1))
    return out


def _row(council: Council, month: date, *, hidden: bool, i: int = 0) -> dict:
    """A month of stored figures; `hidden` is a quiet month whose numbers are all small."""
    if hidden:
        opened, closed, active, answers, later = 2, 1, 3, 2, 2
        due, on_time, bfs_due, bfs_on_time = 2, 1, 3, 2
    else:
        opened, closed, active, answers, later = 17 + i, 9 + i % 2, 8 + i % 2, 7, 6
        due, on_time, bfs_due, bfs_on_time = 11, 9, 20 + i, 17
    return {
        "council": council,
        "month": month,
        "days_covered": 30,
        "councillors": 10,
        "active_councillors": active,
        "logins": 40 if not hidden else 3,
        "cases_opened": opened,
        "cases_closed": closed,
        "close_days_hist": {"4": closed},
        "first_action_cases": opened,
        "first_action_days_hist": {"1": opened},
        "referrals_due": due,
        "referrals_on_time": on_time,
        "bfs_due": bfs_due,
        "bfs_on_time": bfs_on_time,
        "cases_with_bf": opened // 2,
        "actions": 3 * opened,
        "action_cases": opened,
        "time_minutes": 20 * opened,
        "time_cases": opened,
        "cases_by_category": {"housing": opened},
        "cases_by_ward": {"S13002884": opened},
        "survey_responses": answers,
        "survey_quicker_sum": 4 * answers,
        "survey_engagement_sum": 3 * answers,
        "survey_easy_sum": 4 * answers,
        "survey_later_responses": later,
        "survey_reminders_sum": 5 * later,
        "survey_tracking_sum": 4 * later,
        "survey_time_saved_sum": 2 * later,
        "computed_at": timezone.now(),
    }


@pytest.fixture
def trial(council_a, council_b) -> list[date]:
    """Six months of trial for both councils; council A's last month is the quiet one."""
    months = _months(timezone.localdate().replace(day=1), 6)
    for i, month in enumerate(months):
        CouncilMonthlyFigures.objects.create(
            **_row(council_a, month, hidden=month == months[-1], i=i)
        )
        CouncilMonthlyFigures.objects.create(**_row(council_b, month, hidden=False, i=i + 3))
    start = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    Council.objects.filter(pk__in=[council_a.pk, council_b.pk]).update(created_at=start)
    Licence.objects.filter(council__in=[council_a, council_b]).update(
        trial_ends_at=timezone.now() + timedelta(days=40)
    )
    council_a.refresh_from_db()
    council_b.refresh_from_db()
    return months


def _client(council, user=None) -> Client:
    client = Client(HTTP_HOST=host_for(council))
    if user is not None:
        force_sign_in(client, council, user)
    return client


ROW = re.compile(r'<th scope="row" class="govuk-table__header">(.*?)<span.*?</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>')


def _value(text: str) -> object:
    text = html.unescape(text)
    if text in (MARKER, "Not measured"):
        return text
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _scrape(page: str) -> dict[str, list[object]]:
    """Evidence label -> [one value per month..., whole trial], as a scraper would read it."""
    return {
        label.strip(): [_value(v) for v in CELL.findall(cells)]
        for label, cells in ROW.findall(page)
    }


@pytest.mark.parametrize("role", ["councillor", "staff", "admin"])
def test_every_role_of_the_council_sees_its_evaluation(council_a, make_user, trial, role) -> None:
    user = make_user(council_a, role=role, email=f"{role}@a.gov.uk")
    response = _client(council_a, user).get("/evaluation/")
    assert response.status_code == 200
    page = response.content.decode()
    for number, title, _keys in CRITERIA:
        assert f"{number}. {title}" in page
    # One column per month of the trial, then the whole trial.
    for month in trial:
        assert f"{month:%b %Y}" in page
    assert "Whole trial" in page
    # The disclosure rule is explained where the figures are.
    assert "rounded at random to a multiple of 5" in page
    # The navigation leads here for every role.
    assert 'href="/evaluation/"' in _client(council_a, user).get("/", follow=True).content.decode()


def test_people_outside_the_council_are_not_shown_it(
    council_a, council_b, make_user, trial
) -> None:
    # Signed out: the sign-in page.
    response = _client(council_a).get("/evaluation/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    # Council B's councillor: their session is B's (host-only cookie), so on A's host they
    # are signed out; forcing B's session cookie onto A's host signs nobody in either.
    other = make_user(council_b, role="councillor", email="cllr@b.gov.uk")
    b_client = _client(council_b, other)
    b_page = b_client.get("/evaluation/")
    assert b_page.status_code == 200 and "Council B" in b_page.content.decode()
    stolen = Client(HTTP_HOST=host_for(council_a))
    stolen.cookies = b_client.cookies
    assert stolen.get("/evaluation/").status_code == 302
    # Central staff sign in on the platform host, which has no such page.
    central = make_user(None, email="analyst@central.gov.uk")
    assert _client(None, central).get("/evaluation/").status_code == 404
    stolen_central = Client(HTTP_HOST=host_for(council_a))
    stolen_central.cookies = _client(None, central).cookies
    assert stolen_central.get("/evaluation/").status_code == 302


def test_the_council_sees_the_central_bodys_figures_for_it(council_a, make_user, trial) -> None:
    """Same stored months, same rule: every whole-trial figure on the council's page is the
    one the central body's evaluation report gives for that council."""
    user = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    report = evaluation_for(
        councils=[Council.objects.select_related("licence").get(pk=council_a.pk)]
    )[0]
    with in_council(council_a):
        own = council_evaluation_get(user=user, council=council_a)
    central = {(c.number, e.key): e.trial for c in report.criteria for e in c.evidence}
    mine = {(c.number, e.key): e.trial for c in own.criteria for e in c.evidence}
    assert mine == central
    assert own.months == trial
    # The later survey questions (criteria 3, 4 and 6) are evidence on the page too: an
    # average of rounded sums over rounded counts, so near (not exactly) the true 5 and 2.
    reminders, time_saved = mine[(3, "survey_reminders")], mine[(6, "survey_time")]
    assert isinstance(reminders, float) and 4 <= reminders <= 6
    assert isinstance(time_saved, float) and 1 <= time_saved <= 3
    scraped = _scrape(_client(council_a, user).get("/evaluation/").content.decode())
    assert scraped["Survey: reminders in good time (1-5)"][-1] == reminders


def test_differencing_the_page_gives_back_no_hidden_number(council_a, make_user, trial) -> None:
    """The attack of tests/console/test_disclosure_attack.py, on this page: the quiet month's
    small numbers (3 active councillors, 1 of 2 referrals on time, 2 survey answers) must
    not come back from its own column, nor from the whole trial minus the other months."""
    user = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    figures = _scrape(_client(council_a, user).get("/evaluation/").content.decode())
    n = len(trial)
    active = figures["Active councillors"]
    assert len(active) == n + 1
    # The quiet month alone: rounded (0 shows as "<5", or 5), never its 3.
    assert active[n - 1] in (MARKER, 5)
    # Whole trial (an average per month) times the months, minus every other month.
    others = [v for v in active[: n - 1]]
    assert all(isinstance(v, int | float) for v in others)
    recovered = round(active[n] * n - sum(others))  # type: ignore[operator]
    assert recovered != 3 and recovered % 5 == 0
    # Ratios over the quiet month's small bases: each base is rounded to 0 ("<5": not shown)
    # or 5 before dividing, so what shows is never the true 50 % or the true average of 2
    # answers: 1 of 2 on time is "<5" or 5 of 5 (100 %); a sum of answers is a multiple of 5
    # over 5 answers, a whole number.
    assert figures["Referrals answered within target (%)"][n - 1] in (MARKER, 100.0)
    easy = figures["Survey: simple and easy (1-5)"][n - 1]
    assert easy == MARKER or float(easy).is_integer(), easy  # type: ignore[arg-type]
    # And each month's column is the stored month rounded: every count-based figure the
    # page shows for a month is built from multiples of 5 (active councillors: one month).
    for value in active[:n]:
        assert value == MARKER or value % 5 == 0  # type: ignore[operator]


def test_before_the_first_nightly_figures_the_page_says_so(council_a, make_user) -> None:
    user = make_user(council_a, role="staff", email="staff@a.gov.uk")
    page = _client(council_a, user).get("/evaluation/").content.decode()
    assert "No figures yet" in page
    assert "Not measured" in page  # every criterion's whole-trial cell, honestly empty


def test_the_page_costs_a_fixed_number_of_queries(
    council_a, make_user, trial, django_assert_max_num_queries
) -> None:
    user = make_user(council_a, role="admin", email="admin@a.gov.uk")
    client = _client(council_a, user)
    client.get("/evaluation/")
    with django_assert_max_num_queries(12):
        assert client.get("/evaluation/").status_code == 200


def test_the_page_shows_the_councils_own_wards_by_name_and_no_one_elses(
    council_a, council_b, make_user, trial
) -> None:
    """Each council's stored months name its own wards; a council's page lists its wards
    (the coded one with its code, an old row's bare key readable) and never another's."""
    CouncilMonthlyFigures.objects.filter(council=council_a, month=trial[0]).update(
        cases_by_ward={"S13002891": 10, "ward-3": 5},
        ward_names={"S13002891": "Annandale East and Eskdale", "ward-3": "Lochar"},
    )
    CouncilMonthlyFigures.objects.filter(council=council_b).update(
        cases_by_ward={"ward-3": 10}, ward_names={"ward-3": "Kirkcaldy North"}
    )
    a_user = make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    b_user = make_user(council_b, role="councillor", email="cllr@b.gov.uk")
    a_page = _client(council_a, a_user).get("/evaluation/").content.decode()
    b_page = _client(council_b, b_user).get("/evaluation/").content.decode()

    assert "Cases opened by ward" in a_page
    assert "Annandale East and Eskdale (S13002891)" in a_page
    assert "Lochar" in a_page
    # A's other months were stored with a bare code and no names.
    assert "S13002884 (no name recorded)" in a_page
    assert "Kirkcaldy North" not in a_page
    assert "Kirkcaldy North" in b_page
    for label in ("Annandale East and Eskdale", "Lochar", "S13002884"):
        assert label not in b_page
    # And the page's criteria tables still read as before (the ward table is apart).
    assert "Active councillors" in _scrape(a_page)
