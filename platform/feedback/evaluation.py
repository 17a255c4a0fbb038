"""The pilot's six criteria and the evidence for each: one home for the central body's
evaluation reports (console.selectors.evaluation) and a council's own evaluation page
(feedback.views_evaluation, /evaluation/ on the council's host).

Both read the same stored months (console.CouncilMonthlyFigures, written nightly from the
council's schema by console.services.figures) and publish them through the same rule
(feedback.figures.totals_from_rows, feedback.disclosure): a council sees exactly the numbers
the central body sees for it, no finer. The stored months live in console, above this app,
so console hands them over through `register_month_rows` at ready() (README, "Layers").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from accounts.models import User
from core.errors import PermissionDenied
from feedback.disclosure import Figure
from feedback.figures import (
    FIGURES_BY_KEY,
    breakdown,
    summarise,
    summarise_totals,
    totals_from_rows,
    ward_labels,
)
from tenants.models import Council

# (number, criterion, [(figure key, how it is evidence)]). Survey keys cover what figures
# cannot measure; every criterion has at least one question of the monthly survey.
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
        [
            ("bfs_on_time_pct", "Brought-forward reminders acted on by their date"),
            ("survey_reminders", "Councillors' own view (monthly survey)"),
        ],
    ),
    (
        4,
        "Helps keep track of case actions",
        [
            ("actions_per_case", "Actions recorded per case"),
            ("cases_with_bf_pct", "Cases with a BF set"),
            ("survey_tracking", "Councillors' own view (monthly survey)"),
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
            ("survey_time", "Councillors' own view (monthly survey)"),
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
    # The council's page: one figure per month of the trial, oldest first.
    by_month: list[Figure] = field(default_factory=list)


@dataclass
class Criterion:
    number: int
    title: str
    evidence: list[Evidence]


def criteria_from(
    *,
    trial: Mapping[str, Figure],
    first: Mapping[str, Figure],
    last: Mapping[str, Figure],
    months: Sequence[Mapping[str, Figure]] = (),
) -> list[Criterion]:
    """The six criteria with their evidence, from summaries of the whole period, its first
    and last months and (for the council's page) every month."""
    return [
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
                    by_month=[month[key] for month in months],
                )
                for key, why in keys
            ],
        )
        for number, title, keys in CRITERIA
    ]


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


# --- the stored months, handed over by console --------------------------------------------

MonthRows = Callable[..., list[Mapping[str, Any]]]
_month_rows: list[MonthRows] = []


def register_month_rows(source: MonthRows) -> None:
    """console's ready() registers how to read a council's stored months:
    `source(council_id=, month_from=, month_to=)` → rows as `.values()` of
    feedback.figures.ROW_FIELDS plus `computed_at`, oldest first."""
    _month_rows[:] = [source]


def _stored_months(*, council_id: int, month_from: date, month_to: date) -> list[Mapping]:
    if not _month_rows:  # console not installed: nothing has been computed to show
        return []
    return _month_rows[0](council_id=council_id, month_from=month_from, month_to=month_to)


# --- the council's own page ----------------------------------------------------------------

EVALUATION_ROLES = (User.Role.COUNCILLOR, User.Role.STAFF, User.Role.ADMIN)


@dataclass
class CouncilOwnEvaluation:
    council: Council
    period_from: date
    period_to: date
    months: list[date]
    criteria: list[Criterion]
    computed_at: datetime | None
    # (label, cases opened over the trial) per ward, largest first, as the comparison shows
    # them: only this council's stored months are read, so only its own wards appear.
    wards: list[tuple[str, Figure]] = field(default_factory=list)


def council_evaluation_get(
    *, user: User, council: Council, today: date | None = None
) -> CouncilOwnEvaluation:
    """The council's own figures against the six criteria over its trial, month by month,
    as the central body publishes them. Councillors, Members' Services and the council's
    administrators see it (aggregates only: no case, person or comment is shown)."""
    if not user.is_authenticated or user.role not in EVALUATION_ROLES:
        raise PermissionDenied("The council's evaluation is for the council's own users.")
    start, end = trial_period(council, today=today)
    rows = _stored_months(council_id=council.pk, month_from=start, month_to=end)
    per_month = [summarise([row]) for row in rows]
    totals = totals_from_rows(rows)
    labels = ward_labels(totals)
    criteria = criteria_from(
        trial=summarise_totals(totals),
        first=per_month[0] if per_month else summarise([]),
        last=per_month[-1] if per_month else summarise([]),
        months=per_month,
    )
    return CouncilOwnEvaluation(
        council=council,
        period_from=start,
        period_to=end,
        months=[row["month"] for row in rows],
        criteria=criteria,
        computed_at=max((row["computed_at"] for row in rows), default=None),
        wards=[(labels[key], value) for key, value in breakdown(totals.wards).items()],
    )
