"""The comparison's figures and how they are published: what each figure means, and every
count added up from randomly rounded months (feedback.disclosure). One home for the central
body's comparison and evaluation reports (console) and a council's own evaluation page
(feedback.views_evaluation): both read the same stored months through `totals_from_rows`, so
they publish the same numbers under the same rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from feedback import disclosure as d
from feedback import stats


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
        "survey_reminders",
        "Survey: reminders in good time (1-5)",
        "Average answer to 'reminds me in good time of the actions that matter' "
        "(asked since December 2026).",
        chart=False,
    ),
    FigureDef(
        "survey_tracking",
        "Survey: keeps track of case actions (1-5)",
        "Average answer to 'helps me keep track of what has been done on each case' "
        "(asked since December 2026).",
        chart=False,
    ),
    FigureDef(
        "survey_time",
        "Survey: frees up time (1-5)",
        "Average answer to 'frees up time I used to spend on casework admin' "
        "(asked since December 2026).",
        chart=False,
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
    "survey_later_responses",
    "survey_reminders_sum",
    "survey_tracking_sum",
    "survey_time_saved_sum",
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
    # Ward key -> the ward's name in the newest month that recorded one (ward_label).
    ward_names: dict[str, str] = field(default_factory=dict)

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
    "ward_names",
]


def _row_values(row: Any) -> dict[str, Any]:
    """A stored month (console.CouncilMonthlyFigures) or its `.values()` as a dict."""
    if isinstance(row, Mapping):
        return {"ward_names": {}, **row}
    return {name: getattr(row, name) for name in ROW_FIELDS}


def totals_from_rows(rows: Sequence[Any]) -> Totals:
    """One council's months added up, each month's counts rounded first (feedback.disclosure):
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
    # Oldest first, so a ward renamed between two refreshes (rows of a council no longer
    # refreshed, or stored before the rename) shows its newest name, once, over the range.
    ward_names: dict[str, str] = {}
    for row in values:
        ward_names.update(row.get("ward_names") or {})
    return Totals(
        months=len(protected),
        latest_councillors=int(protected[-1]["councillors"] or 0),
        councillor_days=sum(int(p["councillors"] or 0) * p["days_covered"] for p in protected),
        sums=sums,
        close_hist=stats.pool(r["close_days_hist"] or {} for r in values),
        first_hist=stats.pool(r["first_action_days_hist"] or {} for r in values),
        categories=categories,
        wards=wards,
        ward_names={key: name for key, name in ward_names.items() if key in wards},
    )


def breakdown(totals: Mapping[str, int]) -> dict[str, d.Figure]:
    """Cases per category code or ward key, largest first, each count suppressed."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return {code: d.count(n) for code, n in ordered}


NO_WARD = "none"
UNCODED_WARD_PREFIX = "ward-"


def ward_key(ward_id: int | None, ons_code: str | None) -> str:
    """A ward's key in the breakdown: its ONS code, or else "ward-<its id in the council>";
    "none" for cases without a ward. Shown by name (ward_label). The stored months
    (console.services.figures) are keyed by it.

    The key is the ward's identity, never its name, so a renamed ward keeps one key: its
    cases are never split over an old and a new name within a month, and each month's
    count keeps its rounding cell (feedback.disclosure draws per key), so a rename cannot
    make a second random draw of the same hidden count that could be compared with the
    first. Only the label changes, at the next refresh (every month is recomputed). A ward
    that is given an ONS code does move key once, to the code (as before names were kept).
    """
    if ward_id is None:
        return NO_WARD
    return ons_code or f"{UNCODED_WARD_PREFIX}{ward_id}"


def ward_label(key: str, name: str | None = None) -> str:
    """How every page, the CSV and the API name a ward key (ward_key):
    its public name, with its ONS code when it has one ("Annandale East and Eskdale
    (S13002891)"). Rows stored before names were kept carry none: those wards are shown by
    what the key says ("Ward 12 (no name recorded)", "S13002884 (no name recorded)")."""
    if key == NO_WARD:
        return "No ward recorded"
    uncoded = key.startswith(UNCODED_WARD_PREFIX)
    if name:
        return name if uncoded else f"{name} ({key})"
    if uncoded:
        return f"Ward {key.removeprefix(UNCODED_WARD_PREFIX)} (no name recorded)"
    return f"{key} (no name recorded)"


def ward_labels(t: Totals) -> dict[str, str]:
    """Every ward key of `t` with its label."""
    return {key: ward_label(key, t.ward_names.get(key)) for key in t.wards}


# The survey's answers run from 1 to 5.
SCALE = (1.0, 5.0)


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def summarise(rows: Sequence[Any]) -> dict[str, d.Figure]:
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
    later = t.total("survey_later_responses")
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
            _ratio(t.total("survey_quicker_sum"), responses), responses, digits=2, bounds=SCALE
        ),
        "survey_engagement": d.derived(
            _ratio(t.total("survey_engagement_sum"), responses), responses, digits=2, bounds=SCALE
        ),
        "survey_easy": d.derived(
            _ratio(t.total("survey_easy_sum"), responses), responses, digits=2, bounds=SCALE
        ),
        # The later questions: averaged over the answers that were asked them.
        "survey_reminders": d.derived(
            _ratio(t.total("survey_reminders_sum"), later), later, digits=2, bounds=SCALE
        ),
        "survey_tracking": d.derived(
            _ratio(t.total("survey_tracking_sum"), later), later, digits=2, bounds=SCALE
        ),
        "survey_time": d.derived(
            _ratio(t.total("survey_time_saved_sum"), later), later, digits=2, bounds=SCALE
        ),
        "survey_responses": d.count(responses),
    }
    return {key: figures[key] for key in FIGURE_KEYS}  # the order every table uses
