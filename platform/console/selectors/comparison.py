"""Comparison figures as every output shows them: each month's counts rounded, then summed
over a range of months, with small numbers marked. The page, the CSV, the API and the
evaluation reports all read through here, so no output can skip the disclosure rule
(console.disclosure)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django_tenants.utils import schema_context

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
    chart: bool = True  # drawn on the comparison page (every figure is in its table)


FIGURES: list[FigureDef] = [
    FigureDef(
        "councillors",
        "Councillor accounts",
        "Councillor accounts at the end of the range.",
        chart=False,
    ),
    FigureDef(
        "active_councillors",
        "Active councillors",
        "Councillors who signed in or recorded an action, average per month.",
        chart=False,
    ),
    FigureDef(
        "logins_per_councillor_week",
        "Logins per councillor per week",
        "Councillors' sign-ins, per councillor account, per week (adoption).",
    ),
    FigureDef("cases_opened", "Cases opened", "Cases opened in the range."),
    FigureDef("cases_closed", "Cases closed", "Cases closed in the range.", chart=False),
    FigureDef(
        "close_days_median",
        "Median days to close",
        "Whole days from opening to closing, for cases closed in the range.",
    ),
    FigureDef(
        "close_days_p90",
        "90th percentile days to close",
        "Nine in ten cases closed in the range closed within this many days.",
        chart=False,
    ),
    FigureDef(
        "first_action_days_median",
        "Median days to first action",
        "Days from opening to the first action someone recorded, for cases opened in range.",
    ),
    FigureDef(
        "referrals_on_time_pct",
        "Referrals answered within target (%)",
        "Of referrals whose original target date fell in the range, the share answered by "
        "it (more time agreed later does not make a reply on time).",
    ),
    FigureDef(
        "referrals_extended_pct",
        "Referrals given more time (%)",
        "Of referrals whose original target date fell in the range, the share whose officer "
        "was given more time.",
        chart=False,
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
        chart=False,
    ),
    FigureDef(
        "actions_per_case",
        "Actions per case worked",
        "Actions people recorded per case they worked on, per month.",
        chart=False,
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
        chart=False,
    ),
    FigureDef(
        "survey_engagement",
        "Survey: engagement and actions (1-5)",
        "Average answer to 'helps me engage with constituents and manage actions'.",
        chart=False,
    ),
    FigureDef(
        "survey_easy",
        "Survey: simple and easy (1-5)",
        "Average answer to 'simple and easy to use'.",
    ),
    FigureDef(
        "survey_responses", "Survey answers", "Monthly survey answers in the range.", chart=False
    ),
]
FIGURE_KEYS = [f.key for f in FIGURES]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


# Columns summed over a range. The nullable BF ones stay None when never measured.
SUMMED = [
    "active_councillors",
    "logins",
    "cases_opened",
    "cases_closed",
    "first_action_cases",
    "referrals_due",
    "referrals_on_time",
    "referrals_extended",
    "bfs_due",
    "bfs_on_time",
    "cases_with_bf",
    "actions",
    "action_cases",
    "time_minutes",
    "time_cases",
    "survey_responses",
    "survey_quicker_sum",
    "survey_engagement_sum",
    "survey_easy_sum",
]
HISTOGRAMS = {
    "close": "close_days_hist",
    "first": "first_action_days_hist",
    "category": "cases_by_category",
    "ward": "cases_by_ward",
}


@dataclass
class Totals:
    """One council's months, added up: what every summary is computed from."""

    months: int = 0
    latest_councillors: int = 0
    councillor_days: int = 0
    sums: dict[str, int | None] = field(default_factory=dict)
    close_hist: dict[int, int] = field(default_factory=dict)
    first_hist: dict[int, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    wards: dict[str, int] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return int(self.sums.get(name) or 0)


ROW_FIELDS = [
    "council_id",
    "month",
    "councillors",
    "days_covered",
    *SUMMED,
    "close_days_hist",
    "first_action_days_hist",
    "cases_by_category",
    "cases_by_ward",
]


def _row_values(row: CouncilMonthlyFigures | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(row, Mapping):
        return dict(row)
    return {name: getattr(row, name) for name in ROW_FIELDS}


def totals_from_rows(rows: Sequence[CouncilMonthlyFigures | Mapping[str, Any]]) -> Totals:
    """One council's months added up, each month's counts rounded first (console.disclosure):
    every published count is built from rounded months only, so no subtraction of one
    published figure from another can reveal a month's hidden small number."""
    values = sorted((_row_values(r) for r in rows), key=lambda r: r["month"])
    if not values:
        return Totals()
    protected = []
    for row in values:
        cell = {"council_id": row["council_id"], "month": row["month"]}
        counts = d.rounded_month(
            **cell, counts={name: row[name] for name in ["councillors", *SUMMED]}
        )
        protected.append(
            {
                **counts,
                "days_covered": row["days_covered"],
                "categories": d.rounded_breakdown(
                    **cell, kind="category", counts=row["cases_by_category"]
                ),
                "wards": d.rounded_breakdown(**cell, kind="ward", counts=row["cases_by_ward"]),
            }
        )
    sums: dict[str, int | None] = {}
    for name in SUMMED:
        present = [p[name] for p in protected if p[name] is not None]
        sums[name] = sum(present) if present else None
    categories: dict[str, int] = {}
    wards: dict[str, int] = {}
    for p in protected:
        for code, n in p["categories"].items():
            categories[code] = categories.get(code, 0) + n
        for code, n in p["wards"].items():
            wards[code] = wards.get(code, 0) + n
    return Totals(
        months=len(protected),
        latest_councillors=int(protected[-1]["councillors"] or 0),
        councillor_days=sum(int(p["councillors"] or 0) * p["days_covered"] for p in protected),
        sums=sums,
        close_hist=stats.pool(r["close_days_hist"] or {} for r in values),
        first_hist=stats.pool(r["first_action_days_hist"] or {} for r in values),
        categories=categories,
        wards=wards,
    )


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def summarise(rows: Sequence[CouncilMonthlyFigures]) -> dict[str, d.Figure]:
    """The figures over `rows` (one council's months), suppressed."""
    return summarise_totals(totals_from_rows(rows))


def summarise_totals(t: Totals) -> dict[str, d.Figure]:
    """The figures over a council's added-up (rounded) months, suppressed. Medians
    and percentiles come from the pooled day histograms (same rule as percentile_cont)."""
    if not t.months:
        return dict.fromkeys(FIGURE_KEYS)
    # Bases are the rounded counts, like everything else a suppression decision reads.
    closed = t.total("cases_closed")
    first_n = t.total("first_action_cases")
    active_avg = t.total("active_councillors") / t.months
    councillor_weeks = t.councillor_days / 7
    logins = t.total("logins")
    action_cases = t.total("action_cases")
    time_cases = t.total("time_cases")
    responses = t.total("survey_responses")
    figures: dict[str, d.Figure] = {
        "councillors": d.count(t.latest_councillors),
        "active_councillors": (
            d.suppressed_marker() if d.is_small(int(active_avg)) else round(active_avg, 1)
        ),
        "logins_per_councillor_week": d.derived(
            logins / councillor_weeks if councillor_weeks else None,
            logins,
            t.latest_councillors,
        ),
        "cases_opened": d.count(t.total("cases_opened")),
        "cases_closed": d.count(t.total("cases_closed")),
        "close_days_median": d.derived(stats.percentile_cont(t.close_hist, 0.5), closed),
        "close_days_p90": d.derived(stats.percentile_cont(t.close_hist, 0.9), closed),
        "first_action_days_median": d.derived(stats.percentile_cont(t.first_hist, 0.5), first_n),
        "referrals_on_time_pct": d.percentage(
            t.total("referrals_on_time"), t.total("referrals_due")
        ),
        "referrals_extended_pct": d.percentage(
            t.total("referrals_extended"), t.total("referrals_due")
        ),
        "bfs_on_time_pct": (
            None
            if t.sums.get("bfs_due") is None
            else d.percentage(t.total("bfs_on_time"), t.total("bfs_due"))
        ),
        "cases_with_bf_pct": (
            None
            if t.sums.get("cases_with_bf") is None
            else d.percentage(t.total("cases_with_bf"), t.total("cases_opened"))
        ),
        "actions_per_case": d.derived(_ratio(t.total("actions"), action_cases), action_cases),
        "time_per_case_minutes": d.derived(
            _ratio(t.total("time_minutes"), time_cases), time_cases, digits=0
        ),
        "survey_quicker": d.derived(
            _ratio(t.total("survey_quicker_sum"), responses), responses, digits=2
        ),
        "survey_engagement": d.derived(
            _ratio(t.total("survey_engagement_sum"), responses), responses, digits=2
        ),
        "survey_easy": d.derived(
            _ratio(t.total("survey_easy_sum"), responses), responses, digits=2
        ),
        "survey_responses": d.count(responses),
    }
    return {key: figures[key] for key in FIGURE_KEYS}  # the order every table uses


def totals_by_council(
    *, council_ids: list[int], month_from: date, month_to: date
) -> dict[int, Totals]:
    """Every council's totals over the range: one query for the months' numbers, then each
    month rounded and added up here (the rounding is per month, so the database cannot sum
    first)."""
    by_council: dict[int, list[dict[str, Any]]] = {}
    rows = (
        CouncilMonthlyFigures.objects.filter(
            council_id__in=council_ids, month__gte=month_from, month__lte=month_to
        )
        .order_by("council_id", "month")
        .values(*ROW_FIELDS)
    )
    for row in rows:
        by_council.setdefault(row["council_id"], []).append(row)
    return {council_id: totals_from_rows(months) for council_id, months in by_council.items()}


CACHE_SECONDS = 24 * 60 * 60


def figures_version(*, councils: Sequence[Council], month_from: date, month_to: date) -> str:
    """A key that changes whenever what a comparison shows could change.

    Figures change only when a refresh writes them (nightly, or on demand), and every write
    sets `computed_at`; the newest `computed_at` and the row count in the range (one indexed
    query), with the councils' names, say whether anything remembered is still exact."""
    stamp = CouncilMonthlyFigures.objects.filter(
        council_id__in=[c.pk for c in councils], month__gte=month_from, month__lte=month_to
    ).aggregate(newest=Max("computed_at"), rows=Count("id"))
    names = sorted((c.pk, c.name) for c in councils)
    text = f"{names}|{month_from}|{month_to}|{stamp['newest']}|{stamp['rows']}"
    return hashlib.sha256(text.encode()).hexdigest()


def _summaries(
    *, councils: Sequence[Council], month_from: date, month_to: date, version: str
) -> dict[int, tuple[dict, dict, dict]]:
    """Per council: (summary, categories, wards), remembered under `version`."""
    key = f"console:comparison:{version}"
    with schema_context("public"):  # one cache entry whatever schema the caller is in
        cached = cache.get(key)
        if cached is not None:
            return cached
        totals = totals_by_council(
            council_ids=[c.pk for c in councils], month_from=month_from, month_to=month_to
        )
        result = {}
        for council in councils:
            t = totals.get(council.pk, Totals())
            result[council.pk] = (
                summarise_totals(t),
                breakdown(t.categories),
                breakdown(t.wards),
            )
        cache.set(key, result, CACHE_SECONDS)
        return result


def breakdown(totals: dict[str, int]) -> dict[str, d.Figure]:
    """Cases per category code or ward code, largest first, each count suppressed."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return {code: d.count(n) for code, n in ordered}


@dataclass
class CouncilComparison:
    council: Council
    summary: dict[str, d.Figure]
    months: list[tuple[date, dict[str, d.Figure]]]
    categories: dict[str, d.Figure]
    wards: dict[str, d.Figure]


@dataclass
class Comparison:
    month_from: date
    month_to: date
    councils: list[CouncilComparison] = field(default_factory=list)
    figures: list[FigureDef] = field(default_factory=lambda: FIGURES)
    # Set for range summaries: changes whenever the figures shown could (figures_version).
    version: str = ""

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
    """Councils side by side over [month_from, month_to].

    Without months (the page): three queries, and the summaries are remembered until a
    figure in the range is recomputed. With `include_months` (the API, the CSV, reports) every
    month is summarised too, from its row."""
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
    ids = [c.pk for c in councils_list]
    result = Comparison(month_from=month_from, month_to=month_to)
    if not include_months:
        result.version = figures_version(
            councils=councils_list, month_from=month_from, month_to=month_to
        )
        summaries = _summaries(
            councils=councils_list,
            month_from=month_from,
            month_to=month_to,
            version=result.version,
        )
        for council in councils_list:
            summary, categories, wards = summaries[council.pk]
            result.councils.append(
                CouncilComparison(
                    council=council,
                    summary=summary,
                    months=[],
                    categories=categories,
                    wards=wards,
                )
            )
        return result
    by_council: dict[int, list[CouncilMonthlyFigures]] = {}
    rows = CouncilMonthlyFigures.objects.filter(
        council__in=ids, month__gte=month_from, month__lte=month_to
    ).order_by("council_id", "month")
    for row in rows:
        by_council.setdefault(row.council_id, []).append(row)
    for council in councils_list:
        months = by_council.get(council.pk, [])
        t = totals_from_rows(months)
        result.councils.append(
            CouncilComparison(
                council=council,
                summary=summarise_totals(t),
                months=[(m.month, summarise([m])) for m in months],
                categories=breakdown(t.categories),
                wards=breakdown(t.wards),
            )
        )
    return result


def comparison_as_dict(comparison: Comparison) -> dict:
    """The API's and CSV's shape: numbers, the string "<5", or null (not measured)."""
    return {
        "from": f"{comparison.month_from:%Y-%m}",
        "to": f"{comparison.month_to:%Y-%m}",
        "small_number_rule": f"{d.rule_text()} null means not measured.",
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
