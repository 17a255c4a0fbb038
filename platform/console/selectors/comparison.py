"""Comparison figures as every output shows them: summed over a range of months, with
small numbers suppressed. The page, the CSV, the API and the evaluation reports all read
through here, so no output can skip the suppression rule (console.disclosure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from console import disclosure as d
from console import stats
from console.categories import category_label
from console.models import CouncilMonthlyFigures
from core.errors import ValidationFailed
from tenants.models import Council


@dataclass(frozen=True)
class FigureDef:
    key: str
    label: str
    description: str
    chart: bool = True


FIGURES: list[FigureDef] = [
    FigureDef("councillors", "Councillor accounts", "Councillor accounts at the end of the range."),
    FigureDef(
        "active_councillors",
        "Active councillors",
        "Councillors who signed in or recorded an action, average per month.",
    ),
    FigureDef(
        "logins_per_councillor_week",
        "Logins per councillor per week",
        "Councillors' sign-ins, per councillor account, per week (adoption).",
    ),
    FigureDef("cases_opened", "Cases opened", "Cases opened in the range."),
    FigureDef("cases_closed", "Cases closed", "Cases closed in the range."),
    FigureDef(
        "close_days_median",
        "Median days to close",
        "Whole days from opening to closing, for cases closed in the range.",
    ),
    FigureDef(
        "close_days_p90",
        "90th percentile days to close",
        "Nine in ten cases closed in the range closed within this many days.",
    ),
    FigureDef(
        "first_action_days_median",
        "Median days to first action",
        "Days from opening to the first action someone recorded, for cases opened in range.",
    ),
    FigureDef(
        "referrals_on_time_pct",
        "Referrals answered within target (%)",
        "Of referrals whose target date fell in the range, the share answered by it.",
    ),
    FigureDef(
        "bfs_on_time_pct",
        "BFs completed on time (%)",
        "Of BFs due in the range, the share done by their date.",
    ),
    FigureDef(
        "cases_with_bf_pct",
        "Cases with a BF (%)",
        "Of cases opened in the range, the share with at least one BF.",
    ),
    FigureDef(
        "actions_per_case",
        "Actions per case worked",
        "Actions people recorded per case they worked on, per month.",
    ),
    FigureDef(
        "time_per_case_minutes",
        "Time recorded per case worked (minutes)",
        "Minutes recorded per case with time recorded, per month.",
    ),
    FigureDef(
        "survey_quicker",
        "Survey: easier and quicker (1-5)",
        "Average answer to 'makes my casework tasks easier and quicker'.",
    ),
    FigureDef(
        "survey_engagement",
        "Survey: engagement and actions (1-5)",
        "Average answer to 'helps me engage with constituents and manage actions'.",
    ),
    FigureDef(
        "survey_easy",
        "Survey: simple and easy (1-5)",
        "Average answer to 'simple and easy to use'.",
    ),
    FigureDef("survey_responses", "Survey answers", "Monthly survey answers in the range.", False),
]
FIGURE_KEYS = [f.key for f in FIGURES]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


def _total(rows: Sequence[CouncilMonthlyFigures], name: str) -> int:
    return sum(int(getattr(r, name) or 0) for r in rows)


def _total_or_none(rows: Sequence[CouncilMonthlyFigures], name: str) -> int | None:
    values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
    return sum(values) if values else None


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def summarise(rows: Sequence[CouncilMonthlyFigures]) -> dict[str, d.Figure]:
    """The figures over `rows` (one council's months), suppressed. Sums stay exact; medians
    and percentiles come from the pooled day histograms (same rule as percentile_cont)."""
    rows = sorted(rows, key=lambda r: r.month)
    if not rows:
        return dict.fromkeys(FIGURE_KEYS)
    latest = rows[-1]
    close_hist = stats.pool(r.close_days_hist for r in rows)
    first_hist = stats.pool(r.first_action_days_hist for r in rows)
    closed = stats.hist_count(close_hist)
    first_n = stats.hist_count(first_hist)
    active_avg = _total(rows, "active_councillors") / len(rows)
    councillor_weeks = sum(r.councillors * r.days_covered for r in rows) / 7
    logins = _total(rows, "logins")
    action_cases = _total(rows, "action_cases")
    time_cases = _total(rows, "time_cases")
    responses = _total(rows, "survey_responses")
    bfs_due = _total_or_none(rows, "bfs_due")
    figures: dict[str, d.Figure] = {
        "councillors": d.count(latest.councillors),
        "active_councillors": (
            d.suppressed_marker() if d.is_small(int(active_avg)) else round(active_avg, 1)
        ),
        "logins_per_councillor_week": d.derived(
            logins / councillor_weeks if councillor_weeks else None,
            logins,
            latest.councillors,
        ),
        "cases_opened": d.count(_total(rows, "cases_opened")),
        "cases_closed": d.count(_total(rows, "cases_closed")),
        "close_days_median": d.derived(stats.percentile_cont(close_hist, 0.5), closed),
        "close_days_p90": d.derived(stats.percentile_cont(close_hist, 0.9), closed),
        "first_action_days_median": d.derived(stats.percentile_cont(first_hist, 0.5), first_n),
        "referrals_on_time_pct": d.percentage(
            _total(rows, "referrals_on_time"), _total(rows, "referrals_due")
        ),
        "bfs_on_time_pct": (
            None if bfs_due is None else d.percentage(_total(rows, "bfs_on_time"), bfs_due)
        ),
        "cases_with_bf_pct": (
            None
            if _total_or_none(rows, "cases_with_bf") is None
            else d.percentage(_total(rows, "cases_with_bf"), _total(rows, "cases_opened"))
        ),
        "actions_per_case": d.derived(_ratio(_total(rows, "actions"), action_cases), action_cases),
        "time_per_case_minutes": d.derived(
            _ratio(_total(rows, "time_minutes"), time_cases), time_cases, digits=0
        ),
        "survey_quicker": d.derived(
            _ratio(_total(rows, "survey_quicker_sum"), responses), responses, digits=2
        ),
        "survey_engagement": d.derived(
            _ratio(_total(rows, "survey_engagement_sum"), responses), responses, digits=2
        ),
        "survey_easy": d.derived(
            _ratio(_total(rows, "survey_easy_sum"), responses), responses, digits=2
        ),
        "survey_responses": d.count(responses),
    }
    return {key: figures[key] for key in FIGURE_KEYS}  # the order every table uses


def breakdown(rows: Iterable[CouncilMonthlyFigures], name: str) -> dict[str, d.Figure]:
    """Cases per category code or ward code over `rows`, each count suppressed."""
    totals: dict[str, int] = {}
    for row in rows:
        for code, n in (getattr(row, name) or {}).items():
            totals[code] = totals.get(code, 0) + int(n)
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return {code: d.count(n) for code, n in ordered}


@dataclass
class CouncilComparison:
    council: Council
    summary: dict[str, d.Figure]
    months: list[tuple[date, dict[str, d.Figure]]]
    categories: dict[str, d.Figure]
    wards: dict[str, d.Figure]
    computed_at: object = None


@dataclass
class Comparison:
    month_from: date
    month_to: date
    councils: list[CouncilComparison] = field(default_factory=list)
    figures: list[FigureDef] = field(default_factory=lambda: FIGURES)

    def category_rows(self) -> list[dict]:
        codes = sorted({code for c in self.councils for code in c.categories})
        return [
            {
                "code": code,
                "label": category_label(code),
                "values": [c.categories.get(code, d.count(0)) for c in self.councils],
            }
            for code in codes
        ]


def parse_month(value: str | None, *, name: str) -> date | None:
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.strip().split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            f"'{value}' is not a month; use YYYY-MM, e.g. 2026-03.",
            extra={name: ["Use YYYY-MM."]},
        ) from exc


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    start = date(this_month.year - 1, this_month.month, 1)
    return (date(start.year + (start.month == 12), start.month % 12 + 1, 1), this_month)


def comparison_councils() -> list[Council]:
    """Councils that can be compared: provisioned ones, by name."""
    return list(
        Council.objects.filter(status__in=[Council.Status.READY, Council.Status.SUSPENDED])
        .only("id", "name", "slug")
        .order_by("name")
    )


def comparison_get(
    *,
    slugs: Sequence[str] | None = None,
    month_from: date | None = None,
    month_to: date | None = None,
    include_months: bool = True,
) -> Comparison:
    """Councils side by side over [month_from, month_to]. Two queries."""
    default_from, default_to = default_range()
    month_from = (month_from or default_from).replace(day=1)
    month_to = (month_to or default_to).replace(day=1)
    if month_from > month_to:
        raise ValidationFailed(
            "The range starts after it ends.", extra={"from": ["Must not be after 'to'."]}
        )
    councils = Council.objects.filter(
        status__in=[Council.Status.READY, Council.Status.SUSPENDED]
    ).order_by("name")
    if slugs:
        councils = councils.filter(slug__in=list(slugs))
    councils_list = list(councils.only("id", "name", "slug", "schema_name"))
    rows = CouncilMonthlyFigures.objects.filter(
        council__in=[c.pk for c in councils_list], month__gte=month_from, month__lte=month_to
    ).order_by("council_id", "month")
    by_council: dict[int, list[CouncilMonthlyFigures]] = {}
    for row in rows:
        by_council.setdefault(row.council_id, []).append(row)
    result = Comparison(month_from=month_from, month_to=month_to)
    for council in councils_list:
        months = by_council.get(council.pk, [])
        result.councils.append(
            CouncilComparison(
                council=council,
                summary=summarise(months),
                months=[(m.month, summarise([m])) for m in months] if include_months else [],
                categories=breakdown(months, "cases_by_category"),
                wards=breakdown(months, "cases_by_ward"),
                computed_at=max((m.computed_at for m in months), default=None),
            )
        )
    return result


def comparison_month_bounds() -> tuple[date | None, date | None]:
    bounds = CouncilMonthlyFigures.objects.aggregate(first=Min("month"), last=Max("month"))
    return bounds["first"], bounds["last"]


def comparison_as_dict(comparison: Comparison) -> dict:
    """The API's and CSV's shape: numbers, the string "<5", or null (not measured)."""
    return {
        "from": f"{comparison.month_from:%Y-%m}",
        "to": f"{comparison.month_to:%Y-%m}",
        "small_number_rule": (
            f"Counts under {d.small_number()}, and figures derived from fewer than "
            f"{d.small_number()} cases, answers or people, are shown as "
            f"'{d.suppressed_marker()}'. null means not measured."
        ),
        "figures": [
            {"key": f.key, "label": f.label, "description": f.description} for f in FIGURES
        ],
        "councils": [
            {
                "slug": c.council.slug,
                "name": c.council.name,
                "summary": c.summary,
                "months": [{"month": f"{m:%Y-%m}", "figures": figs} for m, figs in c.months],
                "cases_by_category": c.categories,
                "cases_by_ward": c.wards,
                "computed_at": c.computed_at.isoformat() if c.computed_at else None,  # type: ignore[attr-defined]
            }
            for c in comparison.councils
        ],
    }


def comparison_csv_rows(comparison: Comparison) -> list[list[str]]:
    """One row per council, month and figure (month "all" is the whole range)."""
    out = [["council", "slug", "month", "figure", "label", "value"]]

    def text(value: d.Figure) -> str:
        return "not measured" if value is None else str(value)

    for c in comparison.councils:
        for key in FIGURE_KEYS:
            out.append(
                [
                    c.council.name,
                    c.council.slug,
                    "all",
                    key,
                    FIGURES_BY_KEY[key].label,
                    text(c.summary[key]),
                ]
            )
        for code, value in c.categories.items():
            out.append(
                [
                    c.council.name,
                    c.council.slug,
                    "all",
                    f"category:{code}",
                    f"Cases opened: {category_label(code)}",
                    text(value),
                ]
            )
        for code, value in c.wards.items():
            out.append(
                [
                    c.council.name,
                    c.council.slug,
                    "all",
                    f"ward:{code}",
                    f"Cases opened in ward {code}",
                    text(value),
                ]
            )
        for month, figures in c.months:
            for key in FIGURE_KEYS:
                out.append(
                    [
                        c.council.name,
                        c.council.slug,
                        f"{month:%Y-%m}",
                        key,
                        FIGURES_BY_KEY[key].label,
                        text(figures[key]),
                    ]
                )
    return out
