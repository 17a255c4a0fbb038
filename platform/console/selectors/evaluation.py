"""The evaluation report: the pilot's six criteria, each with its evidence over a council's
trial period, per council and across councils. Built on the same suppressed figures as
the comparison (feedback.figures), with the criteria a council's own evaluation page shows
(feedback.evaluation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from console.models import CouncilMonthlyFigures
from feedback.disclosure import Figure
from feedback.evaluation import Criterion, criteria_from, trial_period
from feedback.figures import ROW_FIELDS, summarise
from tenants.models import Council


@dataclass
class CouncilEvaluation:
    council: Council
    period_from: date
    period_to: date
    months: int
    licence_state: str
    criteria: list[Criterion] = field(default_factory=list)
    summary: dict[str, Figure] = field(default_factory=dict)


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
        evaluation.criteria = criteria_from(trial=trial, first=first, last=last)
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


def council_month_rows(
    *, council_id: int, month_from: date, month_to: date
) -> list[Mapping[str, Any]]:
    """A council's stored months in [month_from, month_to], oldest first, as the council's
    own evaluation page reads them (registered with feedback.evaluation at ready())."""
    return list(
        CouncilMonthlyFigures.objects.filter(
            council_id=council_id, month__gte=month_from, month__lte=month_to
        )
        .order_by("month")
        .values(*ROW_FIELDS, "computed_at")
    )
