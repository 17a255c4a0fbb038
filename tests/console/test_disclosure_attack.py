"""The differencing attack, as a curious analyst would run it against every output.

Council A plays Dumfries and Galloway: a steady year, then a last month with 2 cases opened
(1 housing, 1 roads), 3 active councillors, 2 survey answers and 1 case closed. Every one of
those is shown as "<5" in its own month. The analyst downloads the comparison for every
range of months (API, CSV and page), the evaluation reports, with and without the other
council, and then subtracts: one range from another, a total from its categories, one
council from all of them, an average times its months from another. No subtraction may
give back a hidden number. Against the old rule (exact sums, suppression only of the cell
itself) the very first subtraction, January-December minus January-November, returned 2.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from billing.models import Licence
from console.models import CouncilMonthlyFigures
from tenants.models import Council

pytestmark = pytest.mark.django_db

COUNTS = ("cases_opened", "cases_closed", "survey_responses", "councillors")
MARKER = "<5"


def _months(last: date, n: int) -> list[date]:
    out = [last]
    while len(out) < n:
        m = out[0]
        out.insert(0, date(m.year - (m.month == 1), (m.month - 2) % 12 + 1, 1))
    return out


def _row(council: Council, month: date, hidden: bool, i: int = 0) -> dict:
    if hidden:
        opened, housing, roads, closed, active, answers = 2, 1, 1, 1, 3, 2
    else:
        opened = 17 + i
        housing = 6 + i % 3
        roads = opened - housing
        closed, active, answers = 9 + i % 2, 8, 7
    return {
        "council": council,
        "month": month,
        "days_covered": 30,
        "councillors": 10,
        "active_councillors": active,
        "logins": 40 if not hidden else 3,
        "cases_opened": opened,
        "cases_closed": closed,
        "close_days_hist": {"4": closed},
        "first_action_cases": opened,
        "first_action_days_hist": {"1": opened},
        "referrals_due": 11 if not hidden else 2,
        "referrals_on_time": 9 if not hidden else 1,
        "actions": 3 * opened,
        "action_cases": opened,
        "time_minutes": 20 * opened,
        "time_cases": opened,
        "cases_by_category": {"housing": housing, "roads": roads},
        "cases_by_ward": {"S13002884": housing, "S13002885": roads},
        "survey_responses": answers,
        "survey_quicker_sum": 4 * answers,
        "survey_engagement_sum": 3 * answers,
        "survey_easy_sum": 4 * answers,
        "computed_at": timezone.now(),
    }


@dataclass
class Truth:
    months: list[date]
    hidden: date
    # The hidden month's small numbers, per key as the outputs name them.
    cells: dict[str, int]


@pytest.fixture
def year(council_a, council_b) -> Truth:
    months = _months(timezone.localdate().replace(day=1), 12)
    for i, month in enumerate(months):
        CouncilMonthlyFigures.objects.create(**_row(council_a, month, month == months[-1], i))
        CouncilMonthlyFigures.objects.create(**_row(council_b, month, False, i + 3))
    # The reports cover each council's trial: here, the whole year.
    start = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    Council.objects.filter(pk__in=[council_a.pk, council_b.pk]).update(created_at=start)
    Licence.objects.filter(council__in=[council_a, council_b]).update(
        trial_ends_at=timezone.now() + timedelta(days=40)
    )
    return Truth(
        months=months,
        hidden=months[-1],
        cells={
            "cases_opened": 2,
            "category:housing": 1,
            "category:roads": 1,
            "ward:S13002884": 1,
            "ward:S13002885": 1,
            "cases_closed": 1,
            "survey_responses": 2,
            "active_councillors": 3,
        },
    )


# (source, first month, last month, slug, key) -> value as published
Published = dict[tuple[str, date, date, str, str], object]


def _ym(month: date) -> str:
    return f"{month:%Y-%m}"


def _month_of(text: str) -> date:
    year, month = (int(p) for p in text.split("-"))
    return date(year, month, 1)


def _collect_api(api, truth: Truth, out: Published, *, councils: str, tag: str) -> None:
    for first, last in _ranges(truth):
        body = api.get(
            f"/api/v1/platform/comparison/?from={_ym(first)}&to={_ym(last)}&councils={councils}"
        ).json()
        for council in body["councils"]:
            slug = council["slug"]
            for key, value in council["summary"].items():
                out[(tag, first, last, slug, key)] = value
            for code, value in council["cases_by_category"].items():
                out[(tag, first, last, slug, f"category:{code}")] = value
            for code, value in council["cases_by_ward"].items():
                out[(tag, first, last, slug, f"ward:{code}")] = value
            for month in council["months"]:
                m = _month_of(month["month"])
                for key, value in month["figures"].items():
                    out[(f"{tag}-month", m, m, slug, key)] = value


def _collect_csv(client, truth: Truth, out: Published) -> None:
    for first, last in _ranges(truth):
        text = client.get(f"/comparison/download.csv?from={_ym(first)}&to={_ym(last)}")
        for row in csv.DictReader(io.StringIO(text.content.decode())):
            if row["month"] == "all":
                span = (first, last)
            else:
                m = _month_of(row["month"])
                span = (m, m)
            out[("csv", *span, row["slug"], row["figure"])] = _value(row["value"])


CELL = re.compile(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>')
ROW = re.compile(r'<th scope="row" class="govuk-table__header">(.*?)</th>(.*?)</tr>', re.S)


def _collect_page(client, truth: Truth, out: Published, keys: list[str]) -> None:
    """The page's summary table (one row per council) and category table (one column per
    council), read from the HTML as a scraper would."""
    names = {"Council A": "council-a", "Council B": "council-b"}
    labels = {"Housing": "category:housing", "Roads and transport": "category:roads"}
    for first, last in _ranges(truth):
        html = client.get(f"/comparison/?from={_ym(first)}&to={_ym(last)}").content.decode()
        for header, cells in ROW.findall(html):
            values = [_value(v.replace("&lt;", "<")) for v in CELL.findall(cells)]
            if header in names:
                for key, value in zip(keys, values, strict=True):
                    out[("page", first, last, names[header], key)] = value
            elif header in labels:
                for slug, value in zip(["council-a", "council-b"], values, strict=True):
                    out[("page", first, last, slug, labels[header])] = value


def _collect_reports(client, truth: Truth, out: Published) -> None:
    for url in ("/reports/evaluation.csv", "/reports/council-a/evaluation.csv"):
        text = client.get(url).content.decode()
        for row in csv.DictReader(io.StringIO(text)):
            key = _REPORT_KEYS.get(row["figure"])
            if key is None:
                continue
            first, last = _month_of(row["trial_from"]), _month_of(row["trial_to"])
            out[("report", first, last, row["slug"], key)] = _value(row["trial_period"])
            out[("report", first, first, row["slug"], key)] = _value(row["first_month"])
            out[("report", last, last, row["slug"], key)] = _value(row["last_month"])


_REPORT_KEYS = {"Active councillors": "active_councillors"}


def _value(text: str) -> object:
    if text in (MARKER, "not measured", "\N{EN DASH}"):
        return text
    try:
        return int(text)
    except ValueError:
        return float(text)


def _ranges(truth: Truth) -> list[tuple[date, date]]:
    """Every range a subtraction can isolate the hidden month with: each month alone, and
    every range ending with the hidden month or the month before it."""
    months = truth.months
    ends = {months[-1], months[-2]}
    return [
        (months[i], months[j])
        for i in range(len(months))
        for j in range(i, len(months))
        if i == j or months[j] in ends
    ]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _n_months(truth: Truth, first: date, last: date) -> int:
    return truth.months.index(last) - truth.months.index(first) + 1


def test_no_published_combination_gives_back_a_hidden_number(
    api_for, make_user, central_client, year
) -> None:
    from console.selectors.comparison import FIGURE_KEYS

    truth = year
    api = api_for(None, make_user(None))
    published: Published = {}
    _collect_api(api, truth, published, councils="council-a,council-b", tag="api")
    _collect_api(api, truth, published, councils="council-b", tag="api-without-a")
    _collect_csv(central_client, truth, published)
    _collect_page(central_client, truth, published, FIGURE_KEYS)
    _collect_reports(central_client, truth, published)
    assert len(published) > 2000  # 34 ranges, four outputs, two councils

    # The hidden month alone is shown rounded: "<5" (rounded to 0) or 5, never its number.
    seen_alone = 0
    for (source, first, last, slug, key), value in published.items():
        if slug == "council-a" and first == last == truth.hidden and key in truth.cells:
            seen_alone += 1
            assert value in (MARKER, 5), (source, key, value)
    assert seen_alone > 20

    recovered: list[str] = []

    def check(what: str, key: str, value: float | None) -> None:
        if value is not None and round(value) == truth.cells[key]:
            recovered.append(f"{what}: {key} = {round(value)}")

    by_range: dict[tuple[str, str, str], dict[tuple[date, date], float]] = {}
    for (source, first, last, slug, key), value in published.items():
        number = _number(value)
        if number is not None:
            by_range.setdefault((source, slug, key), {})[(first, last)] = number
    # All outputs together: the analyst mixes the API's ranges with the CSV's and the page's.
    pooled: dict[tuple[str, str], dict[tuple[date, date], float]] = {}
    for (_source, slug, key), values in by_range.items():
        pooled.setdefault((slug, key), {}).update(values)

    before_hidden = truth.months[-2]
    # 1. One range minus another: [first, hidden] - [first, month before].
    for (slug, key), values in pooled.items():
        if slug != "council-a" or key not in truth.cells or key == "active_councillors":
            continue
        for first in truth.months[:-1]:
            whole, part = values.get((first, truth.hidden)), values.get((first, before_hidden))
            if whole is not None and part is not None:
                check(
                    f"{_ym(first)}..{_ym(truth.hidden)} minus ..{_ym(before_hidden)}",
                    key,
                    whole - part,
                )

    # 2. Averages times their months, subtracted (active councillors per month).
    active = pooled.get(("council-a", "active_councillors"), {})
    for (first, last), avg in active.items():
        if last != truth.hidden or first == last:
            continue
        shorter = active.get((first, before_hidden))
        if shorter is not None:
            total = avg * _n_months(truth, first, last)
            rest = shorter * _n_months(truth, first, before_hidden)
            check(
                f"active {_ym(first)}.. x months minus shorter",
                "active_councillors",
                round(total) - round(rest),
            )

    # 3. A total minus its other categories (and wards), in every range, in every output.
    for (source, slug, key), values in by_range.items():
        if slug != "council-a" or key != "cases_opened":
            continue
        for span, total in values.items():
            housing = by_range.get((source, slug, "category:housing"), {}).get(span)
            roads = by_range.get((source, slug, "category:roads"), {}).get(span)
            if span[1] == truth.hidden and roads is not None:
                # Subtracting the year before as well isolates the hidden month's housing.
                prior = (span[0], before_hidden)
                t0 = values.get(prior)
                r0 = by_range.get((source, slug, "category:roads"), {}).get(prior)
                if span[0] != span[1] and t0 is not None and r0 is not None:
                    check(
                        f"{source} total minus roads, differenced",
                        "category:housing",
                        (total - roads) - (t0 - r0),
                    )
                if span[0] == span[1]:
                    check(
                        f"{source} hidden month total minus roads",
                        "category:housing",
                        total - roads,
                    )
            if span == (truth.hidden, truth.hidden) and housing is not None:
                check(
                    f"{source} hidden month total minus housing", "category:roads", total - housing
                )

    # 4. All councils minus the others: the whole (A and B asked together) minus B asked alone.
    for key in ("cases_opened", "category:housing", "cases_closed", "survey_responses"):
        both_a = by_range.get(("api", "council-a", key), {})
        both_b = by_range.get(("api", "council-b", key), {})
        alone_b = by_range.get(("api-without-a", "council-b", key), {})
        for span in both_b:
            if span in alone_b and span in both_a and span[1] == truth.hidden:
                whole = both_a[span] + both_b[span]
                prior = (span[0], before_hidden)
                if span[0] != span[1] and prior in both_a and prior in both_b and prior in alone_b:
                    rest = both_a[prior] + both_b[prior]
                    check(
                        f"whole minus B, differenced {span}",
                        key,
                        (whole - alone_b[span]) - (rest - alone_b[prior]),
                    )

    assert recovered == [], recovered[:10]

    # Why no arithmetic can succeed: every count any output publishes is a multiple of 5 (or
    # "<5", a rounded 0), so sums and differences of them are multiples of 5 too.
    count_keys = set(COUNTS) | {k for k in truth.cells if ":" in k}
    for (source, first, last, slug, key), value in published.items():
        if key in count_keys and isinstance(value, int):
            assert value % 5 == 0, (source, first, last, slug, key, value)


def test_the_rounding_is_fixed_per_cell_and_unbiased(settings) -> None:
    from feedback.disclosure import rounded

    draws = [rounded(2, cell=f"1:2026-{m:02d}:cases_opened") for m in range(1, 13)]
    assert set(draws) <= {0, 5}
    assert draws == [rounded(2, cell=f"1:2026-{m:02d}:cases_opened") for m in range(1, 13)]
    assert (
        rounded(0, cell="x") == 0
        and rounded(15, cell="x") == 15
        and rounded(None, cell="x") is None
    )
    # Over many cells, 2 goes up about two times in five: totals are not biased downwards.
    ups = sum(rounded(2, cell=f"c{i}") == 5 for i in range(2000))
    assert 700 < ups < 900
    # Without the server's secret, the direction cannot be predicted.
    settings.SECRET_KEY = "another-secret-entirely-" * 3
    other = [rounded(2, cell=f"c{i}") for i in range(200)]
    settings.SECRET_KEY = "back"
    assert other != [rounded(2, cell=f"c{i}") for i in range(200)]
