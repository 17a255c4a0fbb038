"""The schema tells the truth: each host publishes its own API, lists are documented as the
objects they return, and every operation documents its errors in the one error shape.
(tests/security/test_schemathesis.py checks the answers against it.)"""

from __future__ import annotations

import json

import pytest

from tests.conftest import host_for

OPERATIONS = ("get", "post", "put", "patch", "delete")


def _schema(client, council) -> dict:
    response = client.get(
        "/api/schema/", HTTP_HOST=host_for(council), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return json.loads(response.content)


def test_each_host_publishes_its_own_api(client, council_a) -> None:
    council, platform = _schema(client, council_a), _schema(client, None)
    assert any(p.startswith("/api/v1/cases/") for p in council["paths"])
    assert not any(p.startswith("/api/v1/platform/") for p in council["paths"])
    assert any(p.startswith("/api/v1/platform/") for p in platform["paths"])
    assert not any(p.startswith("/api/v1/cases/") for p in platform["paths"])
    assert platform["info"]["title"] != council["info"]["title"]


@pytest.mark.parametrize("where", ["council", "platform"])
def test_every_operation_documents_its_errors_in_one_shape(client, council_a, where) -> None:
    doc = _schema(client, council_a if where == "council" else None)
    missing = []
    for path, item in doc["paths"].items():
        for method in OPERATIONS:
            responses = item.get(method, {}).get("responses")
            if responses is None:
                continue
            for code in ("400", *(["404"] if "{" in path else [])):
                body = responses.get(code, {}).get("content", {}).get("application/json", {})
                if body.get("schema", {}).get("$ref") != "#/components/schemas/Error":
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing


def test_lists_are_documented_as_the_objects_they_are(client, council_a) -> None:
    """A list answers `{"results": [...]}` (a page: with next and previous); documented as
    a bare array it was a lie. Two answers are bare arrays, and documented so."""
    doc = _schema(client, council_a)
    arrays = []
    for path, item in doc["paths"].items():
        ok = item.get("get", {}).get("responses", {}).get("200", {})
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array":
            arrays.append(path)
    assert arrays == ["/api/v1/reminders/rules/"], arrays
    page = doc["components"]["schemas"]["CaseSearchItemPage"]
    assert set(page["properties"]) == {"next", "previous", "results"}
