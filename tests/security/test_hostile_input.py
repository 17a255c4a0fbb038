"""Hostile input never causes a 500: NUL bytes and invalid UTF-8 in the path, query, form
or JSON, and JSON nested past the limit, get a 400 on every route of both kinds of host."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core.hostile_input import json_too_deep
from tests.conftest import host_for
from tests.factories import DEFAULT_PASSWORD
from tests.security.routes import COUNCIL, PLATFORM, Route, route_id, routes

COUNCIL_ROUTES = routes(COUNCIL)
PLATFORM_ROUTES = routes(PLATFORM)
DEEP_JSON = "[" * 5000 + "]" * 5000


def _host(kind: str, council_a) -> str:
    return host_for(council_a if kind == "council" else None)


def _cases(kind: str, every: list[Route]) -> list:
    return [pytest.param(kind, r, id=f"{kind}:{route_id(r)}") for r in every]


ALL = _cases("council", COUNCIL_ROUTES) + _cases("platform", PLATFORM_ROUTES)
WRITES = [p for p in ALL if {"POST", "PUT", "PATCH"} & set(p.values[1].methods())]


@pytest.mark.parametrize(("kind", "route"), ALL)
def test_nul_and_invalid_utf8_in_the_query_are_a_400(client, council_a, kind, route) -> None:
    host = _host(kind, council_a)
    for query in ("q=%00", "q=abc%00def", "q=%FF%FE", "%00=1"):
        response = client.get(f"{route.path()}?{query}", HTTP_HOST=host)
        assert response.status_code == 400, (query, response.status_code)


@pytest.mark.parametrize(("kind", "route"), ALL)
def test_nul_and_invalid_utf8_in_the_path_are_a_400(client, council_a, kind, route) -> None:
    host = _host(kind, council_a)
    path = route.path()
    for bad in (path + "%00", path + "%C0%AF/", path + "x%FF"):
        response = client.get(bad, HTTP_HOST=host)
        assert response.status_code == 400, (bad, response.status_code)


@pytest.mark.parametrize(("kind", "route"), WRITES)
def test_bodies_with_nul_invalid_utf8_or_deep_json_are_a_400(
    client, council_a, kind, route
) -> None:
    host = _host(kind, council_a)
    method = next(m for m in ("POST", "PUT", "PATCH") if m in route.methods())
    send = getattr(client, method.lower())
    bodies = [
        ("application/json", DEEP_JSON),
        ("application/json", '{"name": "a\\u0000b"}'),
        ("application/json", b'{"name": "\xff"}'),
        ("application/x-www-form-urlencoded", "name=a%00b"),
        ("application/x-www-form-urlencoded", "name=%FF"),
        ("application/x-www-form-urlencoded", b"name=\x00"),
    ]
    for content_type, body in bodies:
        response = send(route.path(), data=body, content_type=content_type, HTTP_HOST=host)
        assert response.status_code == 400, (content_type, body[:20], response.status_code)


def test_deep_json_on_the_unauthenticated_token_endpoint(client, council_a) -> None:
    """The issue's example: a RecursionError before sign-in."""
    response = client.post(
        "/api/v1/auth/token/",
        data=DEEP_JSON,
        content_type="application/json",
        HTTP_HOST=host_for(council_a),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert "nested" in response.json()["error"]["message"]


def test_the_issues_nul_examples_signed_in(council_a, make_user, client) -> None:
    """The pages that answered 500 to ?q=%00, signed in as who may see them."""
    councillor = make_user(council_a, role="councillor")
    web = Client(HTTP_HOST=host_for(council_a))
    assert web.post("/login/", {"username": councillor.email, "password": DEFAULT_PASSWORD})
    for path in ("/surgery/?q=%00", "/surgery/lookup/?q=%00", "/api/v1/cases/?q=%00"):
        assert web.get(path).status_code == 400, path


def test_honest_json_still_reaches_the_view(client, council_a) -> None:
    body = json.dumps({"email": "nobody@example.gov.uk", "password": "x" * 3, "deep": [[[[1]]]]})
    response = client.post(
        "/api/v1/auth/token/",
        data=body,
        content_type="application/json",
        HTTP_HOST=host_for(council_a),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("raw", "too_deep"),
    [
        (b"[[[]]]", False),
        (b"[[[[]]]]", True),
        (b'{"a": [1, {"b": 2}]}', False),
        (b'{"a": [1, {"b": []}]}', True),
        (b'["[[[[[[", "\\"[[[[", "\\\\", [[]]]', False),  # brackets inside strings
        (b'["\\\\", [[[]]]]', True),  # an escaped backslash does not open a string
        (b'"[[[[[[[[[[[[[[[[[["', False),
    ],
)
def test_json_depth_counts_only_brackets_outside_strings(raw: bytes, too_deep: bool) -> None:
    assert json_too_deep(raw, 3) is too_deep
