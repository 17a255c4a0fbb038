"""The aggregation: figures computed inside a council's schema, checked against values
worked out by hand on a small seeded history; nothing but numbers and codes leaves it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django_tenants.utils import schema_context

from accounts.models import LoginEvent, User
from caseload.models import Action, Case, Category, Constituent, Officer, Referral, Ward
from console.models import CouncilMonthlyFigures, CouncilStats
from console.selectors.comparison import summarise, totals_from_rows
from console.services import council_figures_refresh, figures_refresh_all
from feedback.figures import ward_labels
from feedback.models import SurveyResponse
from feedback.stats import percentile_cont
from tests.conftest import in_council

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
# Words from the council's own data that must never reach the public schema. Ward names
# ("North", "South") do: they are public electoral geography, shown in the comparison.
SECRETS = [
    "Secret Person",
    "secret@example.com",
    "Roads & Lighting",
    "Housing repairs",
    "Miscellaneous",
    "A secret comment",
    "hidden text",
    "Officer Orr",
]


def at(day: int, month: int, hour: int = 10, minute: int = 0) -> datetime:
    # January to March are GMT, so UTC is the council's local time.
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def bf_model():
    try:
        return apps.get_model("reminders", "BF")
    except LookupError:
        return None


@pytest.fixture
def seeded(council_a, make_user):
    """The hand-worked history (see the expected values in each test)."""
    c1 = make_user(council_a, role="councillor", email="c1@a.gov.uk")
    c2 = make_user(council_a, role="councillor", email="c2@a.gov.uk")
    c3 = make_user(council_a, role="councillor", email="c3@a.gov.uk")
    staff = make_user(council_a, role="staff", email="s1@a.gov.uk")
    make_user(council_a, role="admin", email="admin@a.gov.uk")
    with in_council(council_a):
        User.objects.filter(pk__in=[c1.pk, c2.pk]).update(created_at=at(1, 12).replace(year=2025))
        User.objects.filter(pk=c3.pk).update(created_at=at(15, 1))
        north = Ward.objects.create(name="North", code="S13000001")
        south = Ward.objects.create(name="South")
        roads = Category.objects.create(name="Roads & Lighting")
        housing = Category.objects.create(name="Housing repairs")
        other = Category.objects.create(name="Miscellaneous stuff")
        person = Constituent.objects.create(
            owner=c1, created_by=c1, name="Secret Person", email="secret@example.com"
        )
        specs = [
            # (n, opened, closed, category, ward)
            (1, at(5, 1), at(8, 1), roads, north),
            (2, at(10, 1), at(20, 1), roads, north),
            (3, at(12, 1), at(2, 2), housing, south),
            (4, at(20, 1), None, housing, None),
            (5, at(25, 1), at(10, 2), other, north),
            (6, at(31, 1, 23, 30), None, None, north),
            (7, at(3, 2), at(4, 2), roads, north),
        ]
        cases = {}
        for n, opened, closed, category, ward in specs:
            cases[n] = Case.objects.create(
                reference=f"A-2026-{n:05d}",
                year=2026,
                number=n,
                constituent=person,
                title=f"hidden text {n}",
                description="hidden text",
                category=category,
                ward=ward,
                owner=c1,
                created_by=c1,
                opened_at=opened,
                status="closed" if closed else "open",
                outcome="resolved" if closed else "",
                closed_at=closed,
            )
            Action.objects.create(
                case=cases[n],
                kind="status_change",
                author=staff,
                occurred_at=opened,
                text="Case opened",
            )
        manual = [
            # (case, kind, when, author, on behalf of, minutes)
            (1, "note", at(5, 1, 15), c1, None, 30),
            (1, "call", at(6, 1), c1, None, 15),
            (2, "email_out", at(13, 1), c1, None, None),
            (3, "letter", at(1, 2), c2, None, 45),
            (5, "meeting", at(26, 1), staff, c2, 60),
            (6, "note", at(2, 2, 0, 30), staff, None, None),
            (7, "call", at(3, 2), c1, None, 10),
        ]
        for n, kind, when, author, behalf, minutes in manual:
            Action.objects.create(
                case=cases[n],
                kind=kind,
                author=author,
                on_behalf_of=behalf,
                occurred_at=when,
                time_spent_minutes=minutes,
                text="hidden text",
            )
        Action.objects.create(
            case=cases[7],
            kind="status_change",
            author=staff,
            occurred_at=at(4, 2),
            time_spent_minutes=5,
            text="Closed",
        )
        officer = Officer.objects.create(name="Officer Orr", email="orr@a.gov.uk")
        referrals = [
            # (target, replied, met)
            (date(2026, 1, 15), at(14, 1), True),
            (date(2026, 1, 20), at(22, 1), False),
            (date(2026, 1, 28), None, None),
            (date(2026, 2, 10), at(9, 2), True),
            (date(2026, 3, 30), None, None),
            (date(2026, 3, 20), at(1, 3), True),
        ]
        for target, replied, met in referrals:
            Referral.objects.create(
                case=cases[2],
                officer=officer,
                created_by=c1,
                sent_at=at(2, 1),
                working_days=10,
                target_date=target,
                original_target_date=target,
                replied_at=replied,
                target_met=met,
                note="hidden text",
            )
        for user, when in [
            (c1, at(7, 1)),
            (c1, at(14, 1)),
            (c3, at(20, 1)),
            (c2, at(5, 2)),
            (staff, at(8, 1)),
        ]:
            LoginEvent.objects.create(user=user, at=when)
        SurveyResponse.objects.create(
            user=c1, month=JAN, quicker=5, engagement=4, easy=3, comment="A secret comment"
        )
        SurveyResponse.objects.create(user=c2, month=JAN, quicker=3, engagement=4, easy=5)
        SurveyResponse.objects.create(user=c3, month=JAN, skipped=True)
        SurveyResponse.objects.create(user=c1, month=FEB, quicker=4, engagement=4, easy=4)
        bf = bf_model()
        if bf is not None:
            for n, due, done_at in [
                (1, date(2026, 1, 10), at(9, 1)),
                (1, date(2026, 1, 12), at(13, 1)),
                (2, date(2026, 1, 25), None),
                (7, date(2026, 2, 5), at(5, 2, 23, 30)),
                (4, date(2026, 3, 20), None),
            ]:
                bf.objects.create(
                    case=cases[n],
                    due_date=due,
                    reason="hidden text",
                    owner=c1,
                    done=done_at is not None,
                    done_at=done_at,
                )
    return council_a


def _rows(council) -> dict[date, CouncilMonthlyFigures]:
    return {r.month: r for r in CouncilMonthlyFigures.objects.filter(council=council)}


def test_monthly_figures_match_hand_computed_values(seeded) -> None:
    assert council_figures_refresh(schema_name=seeded.schema_name, today=TODAY) == 3
    rows = _rows(seeded)
    assert sorted(rows) == [JAN, FEB, MAR]
    jan, feb, mar = rows[JAN], rows[FEB], rows[MAR]

    assert (jan.days_covered, feb.days_covered, mar.days_covered) == (31, 28, 15)
    assert (jan.councillors, feb.councillors) == (3, 3)
    assert (jan.active_councillors, jan.logins) == (3, 3)  # c1, c2 (via staff), c3 logged in
    assert (feb.active_councillors, feb.logins) == (2, 1)

    assert (jan.cases_opened, feb.cases_opened) == (6, 1)
    assert jan.cases_by_category == {"roads": 2, "housing": 2, "other": 1, "none": 1}
    with in_council(seeded):
        south_id = Ward.objects.get(name="South").pk
    assert jan.cases_by_ward == {"S13000001": 4, f"ward-{south_id}": 1, "none": 1}
    assert jan.ward_names == {"S13000001": "North", f"ward-{south_id}": "South"}
    assert feb.ward_names == {"S13000001": "North"}
    assert feb.cases_by_category == {"roads": 1}

    # Closed in January: 3 and 10 days. February: 21, 16 and 1 day.
    assert jan.cases_closed == 2
    assert (jan.close_days_median, jan.close_days_p90) == pytest.approx((6.5, 9.3))
    assert feb.cases_closed == 3
    assert (feb.close_days_median, feb.close_days_p90) == pytest.approx((16.0, 20.0))
    assert feb.close_days_hist == {"1": 1, "16": 1, "21": 1}

    # First action after opening: January's cases 0, 3, 20, 1 and 2 days (case 6 opened
    # at 23:30 on the 31st, first note on 2 February); case 4 has none. February: 0.
    assert jan.first_action_cases == 5
    assert jan.first_action_days_median == pytest.approx(2.0)
    assert jan.first_action_days_hist == {"0": 1, "1": 1, "2": 1, "3": 1, "20": 1}
    assert (feb.first_action_cases, feb.first_action_days_median) == (1, 0.0)

    assert (jan.referrals_due, jan.referrals_on_time) == (3, 1)
    assert (feb.referrals_due, feb.referrals_on_time) == (1, 1)
    assert (mar.referrals_due, mar.referrals_on_time) == (
        1,
        1,
    )  # answered early; the other is not due

    assert (jan.actions, jan.action_cases, jan.time_minutes, jan.time_cases) == (4, 3, 105, 2)
    assert (feb.actions, feb.action_cases, feb.time_minutes, feb.time_cases) == (3, 3, 60, 2)

    assert (
        jan.survey_responses,
        jan.survey_quicker_sum,
        jan.survey_engagement_sum,
        jan.survey_easy_sum,
    ) == (2, 8, 8, 8)
    assert (feb.survey_responses, feb.survey_quicker_sum) == (1, 4)

    stats = CouncilStats.objects.get(council=seeded)
    assert (stats.councillors, stats.users) == (3, 5)
    assert stats.refreshed_at is not None and stats.last_error == ""


@pytest.mark.skipif(bf_model() is None, reason="the BF model (reminders app) is not installed")
def test_bf_figures_match_hand_computed_values(seeded) -> None:
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    rows = _rows(seeded)
    # January: due 10th done 9th (on time), due 12th done 13th (late), due 25th not done.
    assert (rows[JAN].bfs_due, rows[JAN].bfs_on_time) == (3, 1)
    # February: due 5th, done 23:30 that day (local), on time.
    assert (rows[FEB].bfs_due, rows[FEB].bfs_on_time) == (1, 1)
    assert (rows[MAR].bfs_due, rows[MAR].bfs_on_time) == (0, 0)  # due 20 March: not yet
    assert (rows[JAN].cases_with_bf, rows[FEB].cases_with_bf) == (3, 1)


def test_only_numbers_and_codes_leave_the_schema(seeded) -> None:
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    stored = json.dumps(
        list(CouncilMonthlyFigures.objects.filter(council=seeded).values()), default=str
    ) + json.dumps(list(CouncilStats.objects.filter(council=seeded).values()), default=str)
    for secret in SECRETS:
        assert secret not in stored
    assert "@" not in stored


def test_refresh_is_idempotent_and_drops_months_without_data(seeded) -> None:
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    assert CouncilMonthlyFigures.objects.filter(council=seeded).count() == 3
    CouncilMonthlyFigures.objects.create(
        council=seeded, month=date(2025, 6, 1), days_covered=30, computed_at=at(1, 1)
    )
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    assert sorted(_rows(seeded)) == [JAN, FEB, MAR]


def test_pooled_medians_equal_percentile_cont_over_the_cases(seeded) -> None:
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    rows = _rows(seeded)
    both = summarise([rows[JAN], rows[FEB]])
    # Days to close over both months: 1, 3, 10, 16, 21. Each month's count of closed cases
    # (2 and 3) is rounded on its own, so the total shown is 0, 5 or 10; the median is
    # shown whenever that rounded base is 5 or more, and is then the exact pooled median.
    assert both["cases_closed"] in ("<5", 5, 10)
    if both["cases_closed"] != "<5":
        assert both["close_days_median"] == 10.0
        assert both["close_days_p90"] == 19.0
    assert percentile_cont(totals_from_rows([rows[JAN], rows[FEB]]).close_hist, 0.5) == 10.0
    # The same, straight from the database over those cases.
    from django.db import connection

    with schema_context(seeded.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY d) FROM ("
            "SELECT (closed_at AT TIME ZONE 'Europe/London')::date "
            "- (opened_at AT TIME ZONE 'Europe/London')::date AS d "
            "FROM caseload_case WHERE closed_at IS NOT NULL) x"
        )
        assert cursor.fetchone() == pytest.approx((10.0, 19.0))


def test_small_numbers_are_suppressed_in_summaries(seeded) -> None:
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    rows = _rows(seeded)
    jan = summarise([rows[JAN]])
    # Counts are rounded at random to a multiple of 5 in their month (feedback.disclosure):
    # 6 shows as 5 or 10, 2 as "<5" (rounded to 0) or 5; a derived figure is shown only
    # when its rounded bases are 5 or more.
    assert jan["cases_opened"] in (5, 10)
    assert jan["cases_closed"] in ("<5", 5)  # 2 cases
    if jan["cases_closed"] == "<5":
        assert jan["close_days_median"] == "<5"  # a median of 2 cases
    assert jan["first_action_days_median"] == 2.0  # 5 cases: shown
    assert jan["councillors"] in ("<5", 5)
    both = summarise(list(rows.values()))
    assert both["cases_opened"] in (5, 10, 15)
    for value in both.values():
        assert value is None or value == "<5" or not isinstance(value, int) or value >= 5


def test_a_failing_council_is_recorded_without_its_data_and_others_still_refresh(
    seeded, council_b, monkeypatch
) -> None:
    import console.services.figures as figures

    real = figures.council_figures_compute

    def failing(**kwargs):
        from core.tenancy import current_schema

        if current_schema() == seeded.schema_name:
            raise ValueError("row with Secret Person")
        return real(**kwargs)

    monkeypatch.setattr(figures, "council_figures_compute", failing)
    summary = figures_refresh_all(today=TODAY)
    assert summary.failed == [seeded.schema_name]
    stats = CouncilStats.objects.get(council=seeded)
    assert "ValueError" in stats.last_error
    assert "Secret" not in stats.last_error
    assert CouncilStats.objects.get(council=council_b).refreshed_at is not None


def test_the_nightly_task_runs_in_the_councils_schema(seeded) -> None:
    from console.tasks import council_figures_refresh_task

    with schema_context(seeded.schema_name):
        months = council_figures_refresh_task.run()
    assert months >= 3  # January 2026 up to this month
    assert CouncilMonthlyFigures.objects.filter(council=seeded, month=JAN).exists()


def test_wards_are_shown_by_name_with_their_code(seeded) -> None:
    """One coded and one uncoded ward: both by name, the coded one with its ONS code."""
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    rows = _rows(seeded)
    labels = ward_labels(totals_from_rows([rows[JAN], rows[FEB]]))
    with in_council(seeded):
        south_id = Ward.objects.get(name="South").pk
    assert labels == {
        "S13000001": "North (S13000001)",
        f"ward-{south_id}": "South",
        "none": "No ward recorded",
    }


def test_a_renamed_ward_keeps_one_key_and_its_rounding(seeded) -> None:
    """A rename changes the label only: the ward's cases stay under one key in each month
    (not split over two names), and each month's count keeps its rounding cell."""
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    before = totals_from_rows(list(_rows(seeded).values()))
    with in_council(seeded):
        south = Ward.objects.get(name="South")
        south.name = "South and Central"
        south.save()
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    jan = _rows(seeded)[JAN]
    assert jan.cases_by_ward == {"S13000001": 4, f"ward-{south.pk}": 1, "none": 1}
    assert jan.ward_names[f"ward-{south.pk}"] == "South and Central"
    after = totals_from_rows(list(_rows(seeded).values()))
    assert after.wards == before.wards  # the same draws: nothing to average
    assert ward_labels(after)[f"ward-{south.pk}"] == "South and Central"


def test_over_a_range_a_ward_takes_its_newest_name(seeded) -> None:
    """Rows stored at different times (a council no longer refreshed) can name one key
    differently: the range shows one row for it, under the newest month's name."""
    council_figures_refresh(schema_name=seeded.schema_name, today=TODAY)
    rows = _rows(seeded)
    CouncilMonthlyFigures.objects.filter(pk=rows[JAN].pk).update(
        ward_names={"S13000001": "Old North"}
    )
    CouncilMonthlyFigures.objects.filter(pk=rows[FEB].pk).update(ward_names={})
    rows = _rows(seeded)
    labels = ward_labels(totals_from_rows([rows[JAN], rows[FEB]]))
    assert labels["S13000001"] == "Old North (S13000001)"  # February recorded no name
    CouncilMonthlyFigures.objects.filter(pk=rows[FEB].pk).update(ward_names={"S13000001": "North"})
    rows = _rows(seeded)
    labels = ward_labels(totals_from_rows([rows[JAN], rows[FEB]]))
    assert labels["S13000001"] == "North (S13000001)"
