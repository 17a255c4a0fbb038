"""Comparison figures: computed inside one council's schema, written to public as numbers.

`council_figures_refresh(schema_name=...)` runs with the connection in the council's schema
(a fanned-out Celery task, or `figures_refresh_all` for an on-demand refresh). The apps
that own the tables count them (caseload.selectors.figures, reminders.selectors,
accounts.selectors, feedback.selectors), each with GROUP BY aggregates; what comes back is
months, whole numbers of days and counts. No row, person's name or free text is read into
the public tables: category names are mapped to the platform's own codes here
(console.categories), and survey comments never leave feedback's table. Ward names do leave,
beside their counts: they are public electoral geography, not personal data, and without
them a ward with no ONS code could only be shown as a number.

Definitions (months are calendar months in Europe/London):
- cases opened / closed: by `opened_at` / `closed_at`; days to close = whole days between
  the local dates of opening and closing;
- days to first action: from opening to the first action a person recorded (status
  changes and edit records excluded), for cases opened that month;
- referrals answered within target: referrals whose target date fell in the month and has
  passed (or that were answered already): share answered by the target date;
- BFs completed on time: BFs due in the month (past, or already done): share done by the
  due date; cases with a BF: cases opened that month that have at least one BF;
- actions / cases with actions: entries people recorded that month, and distinct cases;
- time recorded: minutes recorded on actions that month, and the distinct cases they cover;
- active councillors: councillors who signed in or recorded an action (themselves, or staff
  on their behalf) that month; logins: councillors' sign-ins;
- councillors: councillor accounts active now that existed by the month's end;
- cases per category: by the platform's category codes; per ward: keyed by ONS code (or
  the ward's number inside the council when it has no code), with the ward's name beside.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.selectors import councillor_joined_dates, last_login_at, user_count_active
from caseload.selectors import figures as casework_figures
from console.categories import category_code
from console.models import CouncilMonthlyFigures, CouncilStats
from core.tenancy import current_schema
from feedback.figures import ward_key
from feedback.selectors import survey_monthly_totals
from reminders.selectors import bfs_due_by_month, cases_with_bf_by_month
from tenants.models import Council
from tenants.selectors import council_list_ready

logger = logging.getLogger(__name__)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


@dataclass
class MonthFigures:
    month: date
    days_covered: int = 0
    councillors: int = 0
    active_councillors: int = 0
    logins: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    close_days_median: float | None = None
    close_days_p90: float | None = None
    close_days_hist: dict[str, int] = field(default_factory=dict)
    first_action_cases: int = 0
    first_action_days_median: float | None = None
    first_action_days_hist: dict[str, int] = field(default_factory=dict)
    referrals_due: int = 0
    referrals_on_time: int = 0
    referrals_extended: int = 0
    bfs_due: int | None = None
    bfs_on_time: int | None = None
    cases_with_bf: int | None = None
    actions: int = 0
    action_cases: int = 0
    time_minutes: int = 0
    time_cases: int = 0
    cases_by_category: dict[str, int] = field(default_factory=dict)
    cases_by_ward: dict[str, int] = field(default_factory=dict)
    ward_names: dict[str, str] = field(default_factory=dict)
    survey_responses: int = 0
    survey_quicker_sum: int = 0
    survey_engagement_sum: int = 0
    survey_easy_sum: int = 0
    survey_later_responses: int = 0
    survey_reminders_sum: int = 0
    survey_tracking_sum: int = 0
    survey_time_saved_sum: int = 0


@dataclass
class CouncilAggregate:
    months: dict[date, MonthFigures]
    councillors: int
    users: int
    last_activity_at: datetime | None


def council_figures_compute(*, today: date | None = None) -> CouncilAggregate:
    """Aggregate the council whose schema the connection is in. Reads only; numbers out.

    Each app counts its own tables (caseload, reminders, accounts and feedback selectors);
    this only maps categories and wards to platform keys (with each ward's public name) and
    lays the numbers out by month.
    """
    today = today or timezone.localdate()
    months: dict[date, MonthFigures] = {}

    def at(month: date) -> MonthFigures:
        if month not in months:
            months[month] = MonthFigures(month=month)
        return months[month]

    # Cases opened, by category and ward. Category names are mapped to platform codes here;
    # wards are keyed by ward_key, their names kept beside for the pages.
    codes = {pk: category_code(name) for pk, name in casework_figures.category_names().items()}
    opened = casework_figures.cases_opened_by_month()
    for month, category_id, ward_id, ward_code, ward_name, n in opened:
        figures = at(month)
        figures.cases_opened += n
        code = codes.get(category_id, "none") if category_id is not None else "none"
        figures.cases_by_category[code] = figures.cases_by_category.get(code, 0) + n
        ward = ward_key(ward_id, ward_code)
        figures.cases_by_ward[ward] = figures.cases_by_ward.get(ward, 0) + n
        if ward_name:
            figures.ward_names[ward] = ward_name

    for month, closing in casework_figures.case_close_days_by_month().items():
        figures = at(month)
        figures.cases_closed = closing.count
        figures.close_days_median, figures.close_days_p90 = closing.median, closing.p90
        figures.close_days_hist = closing.histogram

    for month, first_action in casework_figures.first_action_days_by_month().items():
        figures = at(month)
        figures.first_action_cases = first_action.count
        figures.first_action_days_median = first_action.median
        figures.first_action_days_hist = first_action.histogram

    for month, due, on_time, extended in casework_figures.referrals_due_by_month(today=today):
        figures = at(month)
        figures.referrals_due, figures.referrals_on_time = due, on_time
        figures.referrals_extended = extended

    for month, n_actions, action_cases, minutes, time_cases in casework_figures.actions_by_month():
        figures = at(month)
        figures.actions, figures.action_cases = n_actions, action_cases
        figures.time_minutes, figures.time_cases = int(minutes), time_cases

    for month, active, logins in casework_figures.councillor_activity_by_month():
        figures = at(month)
        figures.active_councillors, figures.logins = active, int(logins)

    for month, due, on_time in bfs_due_by_month(today=today):
        figures = at(month)
        figures.bfs_due, figures.bfs_on_time = due, on_time
    for month, n in cases_with_bf_by_month():
        at(month).cases_with_bf = n

    for row in survey_monthly_totals():
        figures = at(row["month"])
        figures.survey_responses = row["responses"]
        figures.survey_quicker_sum = row["quicker_sum"]
        figures.survey_engagement_sum = row["engagement_sum"]
        figures.survey_easy_sum = row["easy_sum"]
        figures.survey_later_responses = row["later_responses"]
        figures.survey_reminders_sum = row["reminders_sum"]
        figures.survey_tracking_sum = row["tracking_sum"]
        figures.survey_time_saved_sum = row["time_saved_sum"]

    councillor_since = councillor_joined_dates()
    council = Council.objects.filter(schema_name=current_schema()).first()
    this_month = month_of(today)
    first = min(
        [m for m in months if m <= this_month]
        + [month_of(timezone.localtime(council.created_at).date()) if council else this_month]
    )
    month = first
    while month <= this_month:
        figures = at(month)
        end = next_month(month)
        figures.days_covered = (
            today.day if month == this_month else calendar.monthrange(month.year, month.month)[1]
        )
        figures.councillors = sum(1 for since in councillor_since if since < end)
        figures.bfs_due = figures.bfs_due or 0
        figures.bfs_on_time = figures.bfs_on_time or 0
        figures.cases_with_bf = figures.cases_with_bf or 0
        month = end
    # Future months (a BF done ahead of its date, a referral answered before its target)
    # are counted when they arrive.
    for future in [m for m in months if m > this_month]:
        del months[future]

    last_login, last_action = last_login_at(), casework_figures.last_action_at()
    return CouncilAggregate(
        months=months,
        councillors=len(councillor_since),
        users=user_count_active(),
        last_activity_at=max((t for t in (last_login, last_action) if t), default=None),
    )


FIGURE_FIELDS = [
    f.name
    for f in CouncilMonthlyFigures._meta.concrete_fields
    if f.name not in ("id", "council", "month", "created_at", "updated_at")
]


@transaction.atomic
def council_figures_refresh(*, schema_name: str, today: date | None = None) -> int:
    """Recompute and store the figures of the council in `schema_name` (all its months).

    Idempotent: rows are upserted per (council, month); months that no longer have data
    are removed. Returns the number of months written; 0 for a council that is not ready.
    """
    with schema_context(schema_name):
        council = Council.objects.filter(
            schema_name=schema_name, status=Council.Status.READY
        ).first()
        if council is None:
            return 0
        aggregate = council_figures_compute(today=today)
        now = timezone.now()
        rows = [
            CouncilMonthlyFigures(
                council=council,
                month=m.month,
                computed_at=now,
                **{name: getattr(m, name) for name in FIGURE_FIELDS if name != "computed_at"},
            )
            for m in sorted(aggregate.months.values(), key=lambda m: m.month)
        ]
        CouncilMonthlyFigures.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["council", "month"],
            update_fields=[*FIGURE_FIELDS, "updated_at"],
        )
        CouncilMonthlyFigures.objects.filter(council=council).exclude(
            month__in=list(aggregate.months)
        ).delete()
        CouncilStats.objects.update_or_create(
            council=council,
            defaults={
                "councillors": aggregate.councillors,
                "users": aggregate.users,
                "last_activity_at": aggregate.last_activity_at,
                "refreshed_at": now,
                "last_error": "",
                "last_error_at": None,
            },
        )
        return len(rows)


def figures_failure_text(exc: BaseException) -> str:
    """What the directory shows about a failed refresh. Only the error's type: a database
    error's message can quote a row's values, which must not reach the public schema."""
    return f"Refreshing the figures failed ({type(exc).__name__}); see the worker's log."


def council_figures_record_failure(*, schema_name: str, error: str) -> None:
    """Note on the council's stats row that its figures could not be refreshed (health)."""
    council = Council.objects.filter(schema_name=schema_name).first()
    if council is None:
        return
    CouncilStats.objects.update_or_create(
        council=council,
        defaults={"last_error": error[:2000], "last_error_at": timezone.now()},
    )


@dataclass(frozen=True)
class RefreshSummary:
    councils: int
    months: int
    failed: list[str]


def figures_refresh_all(*, today: date | None = None) -> RefreshSummary:
    """The on-demand refresh: every ready council in turn, one transaction each. A council
    that fails is recorded (directory health) and the others still refresh."""
    schemas = list(council_list_ready().values_list("schema_name", flat=True))
    months, failed = 0, []
    for schema in schemas:
        try:
            months += council_figures_refresh(schema_name=schema, today=today)
        except Exception as exc:
            logger.exception("comparison figures failed for %s", schema)
            failed.append(schema)
            with schema_context("public"):
                council_figures_record_failure(schema_name=schema, error=figures_failure_text(exc))
    return RefreshSummary(councils=len(schemas), months=months, failed=failed)
