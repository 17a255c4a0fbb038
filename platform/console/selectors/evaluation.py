"""The evaluation report: the pilot's six criteria, each with its evidence over a council's
trial period, per council and across councils. Built on the same suppressed figures as
the comparison (console.selectors.comparison)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from console.disclosure import Figure
from console.models import CouncilMonthlyFigures
from console.selectors.comparison import FIGURES_BY_KEY, summarise
from tenants.models import Council

# (number, criterion, [(figure key, how it is evidence)]). Survey keys cover the criteria
# figures cannot measure; "frees up time" compares days to close with the first month.
CRITERIA: list[tuple[int, str, list[tuple[str, str]]]] = [
    (
        1,
        "Makes tasks easier and quicker",
        [
            ("survey_quicker", "Councillors' own view (monthly survey)"),
            ("first_action_days_median", "How soon a new case gets its first action"),
        ],
    ),
    (
        2,
        "Improves engagement and management of actions for constituents",
        [
            ("referrals_on_time_pct", "Officers' replies arrive within the original target"),
            ("referrals_extended_pct", "Officers given more time (shown apart, never on time)"),
            ("first_action_days_median", "Constituents' cases are picked up quickly"),
            ("survey_engagement", "Councillors' own view (monthly survey)"),
        ],
    ),
    (
        3,
        "Provides feedback and reminders of important actions",
        [("bfs_on_time_pct", "Brought-forward reminders acted on by their date")],
    ),
    (
        4,
        "Helps keep track of case actions",
        [
            ("actions_per_case", "Actions recorded per case"),
            ("cases_with_bf_pct", "Cases with a BF set"),
        ],
    ),
    (
        5,
        "Is simple and easy to use",
        [
            ("survey_easy", "Councillors' own view (monthly survey)"),
            ("logins_per_councillor_week", "Use: sign-ins per councillor per week"),
            ("active_councillors", "Councillors using it each month"),
        ],
    ),
    (
        6,
        "Frees up time",
        [
            ("time_per_case_minutes", "Time recorded per case"),
            ("close_days_median", "Days to close a case"),
        ],
    ),
]


@dataclass
class Evidence:
    key: str
    label: str
    why: str
    trial: Figure
    first_month: Figure
    last_month: Figure


@dataclass
class Criterion:
    number: int
    title: str
    evidence: list[Evidence]


@dataclass
class CouncilEvaluation:
    council: Council
    period_from: date
    period_to: date
    months: int
    licence_state: str
    criteria: list[Criterion] = field(default_factory=list)
    summary: dict[str, Figure] = field(default_factory=dict)


def trial_period(council: Council, *, today: date | None = None) -> tuple[date, date]:
    """From the council's first month to the month its trial ends (or this month)."""
    today = today or timezone.localdate()
    start = timezone.localtime(council.created_at).date().replace(day=1)
    end = today.replace(day=1)
    licence = getattr(council, "licence", None)
    trial_end: datetime | None = licence.trial_ends_at if licence else None
    if trial_end is not None:
        end = min(end, timezone.localtime(trial_end).date().replace(day=1))
    return start, max(start, end)


def evaluation_for(
    *, councils: list[Council], today: date | None = None
) -> list[CouncilEvaluation]:
    """One evaluation per council, each over its own trial period. Two queries."""
    periods = {c.pk: trial_period(c, today=today) for c in councils}
    rows: dict[int, list[CouncilMonthlyFigures]] = {}
    for row in CouncilMonthlyFigures.objects.filter(council__in=[c.pk for c in councils]).order_by(
        "council_id", "month"
    ):
        start, end = periods[row.council_id]
        if start <= row.month <= end:
            rows.setdefault(row.council_id, []).append(row)
    result = []
    for council in councils:
        start, end = periods[council.pk]
        months = rows.get(council.pk, [])
        trial = summarise(months)
        first = summarise(months[:1])
        last = summarise(months[-1:])
        licence = getattr(council, "licence", None)
        evaluation = CouncilEvaluation(
            council=council,
            period_from=start,
            period_to=end,
            months=len(months),
            licence_state=licence.get_state_display() if licence else "No licence",
            summary=trial,
        )
        for number, title, keys in CRITERIA:
            evaluation.criteria.append(
                Criterion(
                    number=number,
                    title=title,
                    evidence=[
                        Evidence(
                            key=key,
                            label=FIGURES_BY_KEY[key].label,
                            why=why,
                            trial=trial[key],
                            first_month=first[key],
                            last_month=last[key],
                        )
                        for key, why in keys
                    ],
                )
            )
        result.append(evaluation)
    return result


def evaluation_councils(*, slugs: list[str] | None = None) -> list[Council]:
    councils = Council.objects.filter(
        status__in=[Council.Status.READY, Council.Status.SUSPENDED]
    ).select_related("licence")
    if slugs:
        councils = councils.filter(slug__in=slugs)
    return list(councils.order_by("name"))


def evaluation_csv_rows(evaluations: list[CouncilEvaluation]) -> list[list[str]]:
    def text(value: Figure) -> str:
        return "not measured" if value is None else str(value)

    out = [
        [
            "council",
            "slug",
            "trial_from",
            "trial_to",
            "criterion",
            "criterion_title",
            "evidence",
            "figure",
            "trial_period",
            "first_month",
            "last_month",
        ]
    ]
    for e in evaluations:
        for criterion in e.criteria:
            for ev in criterion.evidence:
                out.append(
                    [
                        e.council.name,
                        e.council.slug,
                        f"{e.period_from:%Y-%m}",
                        f"{e.period_to:%Y-%m}",
                        str(criterion.number),
                        criterion.title,
                        ev.why,
                        ev.label,
                        text(ev.trial),
                        text(ev.first_month),
                        text(ev.last_month),
                    ]
                )
    return out
