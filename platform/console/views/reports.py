"""Evaluation reports (the six pilot criteria), per council and across councils, as PDF
and CSV."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from console.permissions import central_staff_required
from console.selectors.evaluation import evaluation_councils, evaluation_csv_rows, evaluation_for
from core.csv_writer import csv_response
from feedback.disclosure import rule_text


def _chosen(request: HttpRequest) -> list[str] | None:
    chosen: list[str] = []
    for value in request.GET.getlist("councils"):
        chosen += [s.strip() for s in value.split(",") if s.strip()]
    return chosen or None


def _evaluations(slugs: list[str] | None) -> list:
    councils = evaluation_councils(slugs=slugs)
    if slugs and not councils:
        raise Http404("No such council.")
    return evaluation_for(councils=councils)


@central_staff_required
def reports_view(request: HttpRequest) -> HttpResponse:
    return render(request, "console/reports.html", {"councils": evaluation_councils()})


def _pdf(evaluations: list, *, title: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        "console/reports/evaluation_pdf.html",
        {
            "evaluations": evaluations,
            # Side by side, four councils fit across a portrait A4 page.
            "summary_groups": (
                [evaluations[i : i + 4] for i in range(0, len(evaluations), 4)]
                if len(evaluations) > 1
                else []
            ),
            "title": title,
            "generated_at": timezone.now(),
            "disclosure_rule": rule_text(),
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def _csv(evaluations: list, *, filename: str) -> HttpResponse:
    return csv_response(filename=filename, rows=evaluation_csv_rows(evaluations))


@central_staff_required
def council_report_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "csv"):
        raise Http404("Reports come as .pdf or .csv.")
    evaluations = _evaluations([slug])
    name = f"evaluation-{slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "pdf":
        return _pdf(evaluations, title=f"Evaluation: {evaluations[0].council.name}", filename=name)
    return _csv(evaluations, filename=name)


@central_staff_required
def all_report_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "csv"):
        raise Http404("Reports come as .pdf or .csv.")
    evaluations = _evaluations(_chosen(request))
    name = f"evaluation-councils-{timezone.localdate():%Y-%m-%d}"
    if fmt == "pdf":
        return _pdf(evaluations, title="Evaluation across councils", filename=name)
    return _csv(evaluations, filename=name)
