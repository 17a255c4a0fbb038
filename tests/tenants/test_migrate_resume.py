"""Migrations across councils that can be killed at any moment and resumed.

A real `migrate_schemas` runs in a subprocess with a test app installed
(tests/migration_probe) whose migration adds a nullable column and an index to every
council's cases table, slowed down between the two statements so the run can be killed
while councils are mid-migration. The councils are committed (the subprocess must see them)
and this module takes the probe away again afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.db import connection, connections
from django.test import Client
from django_tenants.utils import schema_context
from knox.models import AuthToken

from console.services import council_provision
from tenants.cloning import spare_pool_refill
from tenants.models import Council
from tests.caseload.conftest import make_case
from tests.conftest import host_for
from tests.factories import UserFactory
from tests.migration_probe.world import (
    INDEX,
    migrate_command,
    migrate_env,
    migrate_with_probe,
    probe_remove,
    probe_state,
)

COUNCILS = 9
T = TypeVar("T")


def _own(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn` on a connection of its own, in autocommit, and close it.

    The test itself runs inside pytest-django's transaction (the django_db mark is what
    creates the test database), and any table it read there would stay locked against the
    migration until the test ended."""

    def call() -> T:
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.fixture(scope="module")
def resume_councils(django_db_setup, django_db_blocker) -> Iterator[list[tuple[Council, str]]]:
    """Nine committed councils, each with a councillor, a case and an API token."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "only the test database"
        made = []
        for n in range(COUNCILS):
            council = council_provision(slug=f"resume-{n}", name=f"Resume {n}").council
            with schema_context(council.schema_name):
                user = UserFactory(role="councillor", email=f"cllr@resume-{n}.gov.uk")
                make_case(user, title=f"Resume case {n}")
                token = AuthToken.objects.create(user)[1]
            made.append((council, token))
        try:
            yield made
        finally:
            probe_remove()
            for council, _token in made:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{council.schema_name}" CASCADE')
                council.delete()
            spare_pool_refill()


@pytest.fixture
def fresh(resume_councils) -> list[tuple[Council, str]]:
    """No council has the probe migration."""
    _own(probe_remove)
    return resume_councils


def _serves(council: Council, token: str) -> bool:
    return _own(_get_cases, council, token)


def _state(schema: str):
    return _own(probe_state, schema)


def _sql(statement: str) -> None:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement)

    _own(run)


def _get_cases(council: Council, token: str) -> bool:
    client = Client(HTTP_HOST=host_for(council), HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/cases/")
    return response.status_code == 200 and any(
        row["title"].startswith("Resume case") for row in response.json()["results"]
    )


def _resume_council_done(line: str) -> bool:
    # Other councils of the test database (other modules' fixtures) are migrated too; only
    # this module's count.
    return re.match(r"migrate_schemas: resume_\d+ ok \(", line) is not None


@pytest.mark.django_db
def test_killed_run_leaves_no_council_half_migrated_and_a_rerun_finishes(fresh) -> None:
    councils = fresh
    # Each council's migration sleeps 1 s between adding the column and its index, so at
    # any moment both workers are inside a council's transaction.
    process = subprocess.Popen(
        migrate_command("--processes", "2", "--verbosity", "2"),
        env=migrate_env(MIGRATION_PROBE_SLEEP="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            lines.append(line.rstrip())
            if sum(map(_resume_council_done, lines)) >= 2:
                # Both workers are now in their next councils' transactions; let them get
                # past the column (the first statement) before the kill.
                time.sleep(0.5)
                break
        else:
            pytest.fail("migrate_schemas ended before it could be killed:\n" + "\n".join(lines))
        # As a pod's end does: the command and its workers, at once.
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    states = {council.schema_name: _state(council.schema_name) for council, _ in councils}
    half = {
        schema: state for schema, state in states.items() if not (state.migrated or state.untouched)
    }
    assert half == {}, f"half-migrated councils: {half}"
    migrated = [schema for schema, state in states.items() if state.migrated]
    untouched = [(c, t) for c, t in councils if states[c.schema_name].untouched]
    assert len(migrated) >= 2, lines
    assert untouched, "the kill came after the last council"

    # A council not migrated yet serves with the code that is running.
    council, token = untouched[0]
    assert _serves(council, token)

    rerun = _own(migrate_with_probe, "--processes", "2")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert ", 0 failed" in rerun.stdout
    for council, token in councils:
        assert _state(council.schema_name).migrated, council.schema_name
        assert _serves(council, token)

    # Nothing left: a third run is a no-op.
    again = _own(migrate_with_probe)
    assert again.returncode == 0
    assert "0 migrated, 0 failed" in again.stdout


@pytest.mark.django_db
def test_a_failing_council_is_rolled_back_reported_and_does_not_stop_the_others(fresh) -> None:
    councils = fresh
    broken, _token = councils[4]
    # An object in the way of the migration's second statement: the column goes in, then
    # CREATE INDEX fails, and the council's whole transaction rolls back.
    _sql(f'CREATE INDEX {INDEX} ON "{broken.schema_name}".caseload_case (title)')

    result = _own(migrate_with_probe, "--processes", "2")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"migrate_schemas failed: {broken.schema_name}:" in output
    assert f'relation "{INDEX}" already exists' in output
    assert "1 failed" in output
    state = _state(broken.schema_name)
    assert not state.column and not state.recorded, state
    for council, _token in councils:
        if council.pk != broken.pk:
            assert _state(council.schema_name).migrated, council.schema_name
    # The failed council still serves, on its old schema.
    assert _serves(broken, councils[4][1])

    # Fixed (the stray index removed), a rerun migrates only that council.
    _sql(f'DROP INDEX "{broken.schema_name}".{INDEX}')
    rerun = _own(migrate_with_probe)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert ", 0 failed" in rerun.stdout
    assert _state(broken.schema_name).migrated
