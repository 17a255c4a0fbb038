"""Comparison figures as every output shows them: each month's counts rounded, then summed
over a range of months, with small numbers marked. The page, the CSV, the API and the
evaluation reports all read through here, so no output can skip the disclosure rule
(feedback.disclosure); the figures themselves are defined in feedback.figures,
which a council's own evaluation page reads too."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django_tenants.utils import schema_context

from console.categories import category_label
from console.models import CouncilMonthlyFigures
from core.errors import ValidationFailed
from feedback import disclosure as d
from feedback.figures import (
    FIGURE_KEYS,
    FIGURES,
    FIGURES_BY_KEY,
    ROW_FIELDS,
    FigureDef,
    Totals,
    breakdown,
    summarise,
    summarise_totals,
    totals_from_rows,
    ward_label,
    ward_labels,
)
from tenants.models import Council


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


# Part of every cache key below: changed whenever what is remembered changes shape, so a
# deploy never reads an entry an older release wrote (v2: wards carry their labels).
CACHE_SHAPE = "v2"


def _summaries(
    *, councils: Sequence[Council], month_from: date, month_to: date, version: str
) -> dict[int, tuple[dict, dict, dict, dict]]:
    """Per council: (summary, categories, wards, ward labels), remembered under `version`."""
    key = f"console:comparison:{CACHE_SHAPE}:{version}"
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
                ward_labels(t),
            )
        cache.set(key, result, CACHE_SECONDS)
        return result


@dataclass
class CouncilComparison:
    council: Council
    summary: dict[str, d.Figure]
    months: list[tuple[date, dict[str, d.Figure]]]
    categories: dict[str, d.Figure]
    wards: dict[str, d.Figure]  # by ward key (feedback.figures.ward_key), largest first
    ward_labels: dict[str, str] = field(default_factory=dict)  # ward key -> its label

    def ward_rows(self) -> list[tuple[str, str, d.Figure]]:
        """(key, label, cases) for each ward, largest first: what every output lists."""
        return [
            (key, self.ward_labels.get(key) or ward_label(key), value)
            for key, value in self.wards.items()
        ]


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
            summary, categories, wards, labels = summaries[council.pk]
            result.councils.append(
                CouncilComparison(
                    council=council,
                    summary=summary,
                    months=[],
                    categories=categories,
                    wards=wards,
                    ward_labels=labels,
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
                ward_labels=ward_labels(t),
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
                # Added beside cases_by_ward (still keyed by ward key, as before) so clients
                # reading that keep working: each key's public name, with its ONS code.
                "ward_labels": {key: label for key, label, _ in c.ward_rows()},
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
        for key, label, value in c.ward_rows():
            out.append(
                [
                    c.council.name,
                    c.council.slug,
                    "all",
                    f"ward:{key}",
                    f"Cases opened: {label}",
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
