"""Councils side by side: the comparison page, its CSV, and the on-demand refresh."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from console.charts import bar_chart
from console.permissions import central_staff_required
from console.selectors.comparison import (
    CACHE_SECONDS,
    CACHE_SHAPE,
    FIGURES,
    Comparison,
    CouncilComparison,
    comparison_councils,
    comparison_csv_rows,
    comparison_get,
    parse_month,
)
from core.csv_writer import csv_response
from core.errors import ApplicationError
from feedback.disclosure import Figure, rule_text
from tenants.tasks import fan_out


def comparison_params(request: HttpRequest) -> dict:
    """?from=YYYY-MM&to=YYYY-MM&councils=a,b (or councils repeated). Raises on bad input."""
    chosen: list[str] = []
    for value in request.GET.getlist("councils"):
        chosen += [s.strip() for s in value.split(",") if s.strip()]
    return {
        "slugs": chosen or None,
        "month_from": parse_month(request.GET.get("from"), name="from"),
        "month_to": parse_month(request.GET.get("to"), name="to"),
    }


NOT_MEASURED = "\N{EN DASH}"
NUMERIC_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">'


def _cells(values: Iterable[Figure]) -> SafeString:
    """Numeric table cells, built here rather than in the template: with a hundred councils
    the table has thousands of cells, and this keeps the page inside its time budget.
    Every value is escaped ("<5" included)."""
    return mark_safe(  # noqa: S308 - escaped just below
        "".join(f"{NUMERIC_CELL}{NOT_MEASURED if v is None else escape(v)}</td>" for v in values)
    )


def _ward_rows(council: CouncilComparison) -> SafeString:
    """One row per ward: its label (a council admin typed the name, so it is escaped)."""
    return mark_safe(  # noqa: S308 - escaped just below
        "".join(
            f'<tr class="govuk-table__row"><td class="govuk-table__cell">{escape(label)}</td>'
            f"{NUMERIC_CELL}{escape(value)}</td></tr>"
            for _key, label, value in council.ward_rows()
        )
    )


def _tables(comparison: Comparison) -> dict:
    return {
        "summary_rows": [
            {"name": c.council.name, "cells": _cells(c.summary.values())}
            for c in comparison.councils
        ],
        "category_rows": [
            {"label": row["label"], "cells": _cells(row["values"])}
            for row in comparison.category_rows()
        ],
        "ward_tables": [
            {"name": c.council.name, "rows": _ward_rows(c)} for c in comparison.councils if c.wards
        ],
    }


def _charts(comparison: Comparison) -> list[dict]:
    charts = []
    for index, figure in enumerate(f for f in FIGURES if f.chart):
        bars = [(c.council.name, c.summary.get(figure.key)) for c in comparison.councils]
        if all(value is None for _, value in bars):
            continue
        charts.append(
            {
                "figure": figure,
                "svg": bar_chart(
                    chart_id=f"chart-{index}",
                    title=figure.label,
                    description=figure.description,
                    bars=bars,
                ),
            }
        )
    return charts


def _council_choices(chosen: set[str]) -> SafeString:
    """The councils' checkboxes (one per council: built here, like the tables)."""
    return mark_safe(  # noqa: S308 - escaped just below
        "".join(
            '<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" '
            f'id="council-{escape(c.slug)}" name="councils" type="checkbox" '
            f'value="{escape(c.slug)}"{" checked" if c.slug in chosen else ""}>'
            '<label class="govuk-label govuk-checkboxes__label" '
            f'for="council-{escape(c.slug)}">{escape(c.name)}</label></div>'
            for c in comparison_councils()
        )
    )


def _rendered(comparison: Comparison) -> dict:
    """Charts and tables, built once per version of the figures (see figures_version)."""
    key = f"console:comparison-page:{CACHE_SHAPE}:{comparison.version}"
    parts = cache.get(key) if comparison.version else None
    if parts is None:
        parts = {"charts": _charts(comparison), **_tables(comparison)}
        if comparison.version:
            cache.set(key, parts, CACHE_SECONDS)
    return parts


@central_staff_required
def comparison_view(request: HttpRequest) -> HttpResponse:
    error = None
    try:
        params = comparison_params(request)
        comparison = comparison_get(**params, include_months=False)
    except ApplicationError as exc:
        error = exc.message
        params = {"slugs": None}
        comparison = comparison_get(include_months=False)
    context = {
        "disclosure_rule": rule_text(),
        "comparison": comparison,
        "error": error,
        "council_choices": _council_choices(set(params.get("slugs") or [])),
        "chosen": bool(params.get("slugs")),
        "month_from": f"{comparison.month_from:%Y-%m}",
        "month_to": f"{comparison.month_to:%Y-%m}",
        "csv_query": request.GET.urlencode(),
        **_rendered(comparison),
    }
    return render(request, "console/comparison.html", context, status=400 if error else 200)


@central_staff_required
def comparison_csv_view(request: HttpRequest) -> HttpResponse:
    try:
        comparison = comparison_get(**comparison_params(request))
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return csv_response(
        filename=f"comparison-{comparison.month_from:%Y-%m}-{comparison.month_to:%Y-%m}",
        rows=comparison_csv_rows(comparison),
    )


@central_staff_required
@require_POST
def comparison_refresh_view(request: HttpRequest) -> HttpResponse:
    """Queue a refresh of every council's figures now (one job per council, no jitter)."""
    fan_out.delay("console.council_figures_refresh", jitter_seconds=0)
    messages.success(
        request,
        "Refresh started. Each council's figures update as its job finishes; reload in a "
        "minute to see them.",
    )
    query = request.POST.get("query", "")
    target = reverse("console:comparison")
    return redirect(f"{target}?{query}" if query and "\n" not in query else target)
