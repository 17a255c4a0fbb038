"""Schemathesis against both API schemas, in process (the WSGI app under the test's own
transaction): every operation of a council's host and of the platform host, with examples
generated from the schema (seeded and derandomised, so a run is repeatable, and bounded so
CI stays within minutes). Nothing may answer 5xx, and every answer must match the schema:
its status documented, its content type, headers and body as described.

The figures (operations, examples, 5xx, schema violations) print as
`SCHEMATHESIS <host> ...` lines (run with -s to see them).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from tests.caseload.pages_support import build_scene
from tests.conftest import enrol_second_factor, host_for

# Examples per operation and kind (valid, invalid): few enough for CI (the suite runs twice
# there; this file takes about a minute on a quiet machine). SCHEMATHESIS_MAX_EXAMPLES
# raises it for a deeper local run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4"))
SEED = 20261205
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def on_host(app: Any, host: str) -> Any:
    """The WSGI app as a request to `host` reaches it (the council is chosen by Host)."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_HOST"] = host
        environ["SERVER_NAME"] = host
        return app(environ, start_response)

    return wrapped


@dataclass
class Run:
    operations: int = 0
    examples: int = 0
    server_errors: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection at the end of each request; here, in the
    test's transaction, it must stay open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Operations that end the token they are called with: each example gets a new one.
TOKEN_ENDING = {"/api/v1/auth/logout/"}


def run_schemathesis(host: str, new_token: Callable[[], str]) -> Run:
    with connection_kept_open():
        return _run(host, new_token)


def _run(host: str, new_token: Callable[[], str]) -> Run:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", on_host(WSGIHandler(), host))
    run = Run()
    token = new_token()
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _examples(run, operation, mode, token, new_token)
    print(
        f"\nSCHEMATHESIS {host}: operations {run.operations}, examples {run.examples}, "
        f"5xx {run.server_errors}, schema violations {len(run.failures)}, "
        f"statuses {dict(sorted(run.statuses.items()))}"
    )
    return run


def _examples(
    run: Run, operation: Any, mode: GenerationMode, token: str, new_token: Callable[[], str]
) -> None:
    """MAX_EXAMPLES examples of `operation`: valid ones (positive) or ones that break the
    schema somewhere (negative: wrong types, missing fields, bad formats)."""

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.seed(SEED)
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def examples(case: Any) -> None:
        run.examples += 1
        used = new_token() if case.path in TOKEN_ENDING else token
        response = case.call(headers={"Authorization": f"Token {used}"})
        run.statuses[response.status_code] += 1
        if response.status_code >= 500:
            run.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collected: the run lists them all
            run.failures.append(f"{case.method} {case.formatted_path}: {exc}"[:600])

    try:
        examples()
    except hypothesis.errors.Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE, operation.label


def _token_maker(council: Any, user: Any) -> Callable[[], str]:
    """New API tokens for `user`, made by the service (the sign-in itself, with its second
    factor, is tested in test_two_factor.py). Not through Django's test client: it would
    reconnect the handler that closes the connection after each request."""

    def make() -> str:
        with schema_context("public" if council is None else council.schema_name):
            return api_token_create(user=user)[1]

    return make


@pytest.mark.parametrize("role", ["councillor", "admin"])
def test_a_councils_api_keeps_its_schema(cast, council_a, role) -> None:
    """As a councillor (casework) and as the council's admin (its set-up): each reaches the
    operations the other is refused."""
    build_scene(cast, council_a)  # objects to find, so not every id is a 404
    user = cast.owner if role == "councillor" else cast.admin
    if role == "admin":
        enrol_second_factor(council_a, user)  # an admin's token works only with one
    run = run_schemathesis(host_for(council_a), _token_maker(council_a, user))
    assert run.operations >= 80
    assert run.server_errors == 0
    assert not run.failures, "\n".join(run.failures[:30])


def test_the_central_api_keeps_its_schema(make_user, council_a) -> None:
    central = make_user(None)
    enrol_second_factor(None, central)  # central staff's tokens work only with one
    run = run_schemathesis(host_for(None), _token_maker(None, central))
    assert run.operations >= 15
    assert run.server_errors == 0
    assert not run.failures, "\n".join(run.failures[:30])
