"""Holds under load: the stack `make run` starts (gunicorn with the container's config, the
Celery worker and beat; the session's database, embedded or real) serves 32 concurrent
keep-alive API clients on 4 councils, at least 5,000 requests mixing case lists, searches,
single reads, case creation and new actions.

Every case and action carries its council's marker word, so a response that carries
another council's marker is a leak. Asserted: no response >= 500 (nor any other than the
expected 200/201), no leak, every write present afterwards in its own council and nowhere
else. Traffic goes to 127.0.0.1 only; the councils are committed for the server processes
to see, and removed afterwards whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from core.pgclient import database_url
from tests.load_world import (
    LoadCouncil,
    assert_every_write_in_its_own_council,
    drive_load,
    load_councils_committed,
)

CLIENTS = 32
REQUESTS = 5_200


@pytest.fixture(scope="module")
def load_councils(councils, django_db_blocker) -> Iterator[list[LoadCouncil]]:
    """Module scope, so they are committed before the test's own transaction begins and
    the server processes see them."""
    with django_db_blocker.unblock(), load_councils_committed(clients=CLIENTS) as made:
        yield made


@pytest.mark.worker
@pytest.mark.django_db
def test_32_clients_5000_requests_no_error_no_leak_no_lost_write(
    load_councils: list[LoadCouncil], tmp_path: Path
) -> None:
    result = drive_load(
        load_councils,
        clients=CLIENTS,
        requests=REQUESTS,
        database_url=database_url(connection.settings_dict),
        workdir=tmp_path / "stack",
    )
    run = result.run
    print(f"\nLOAD {result.summary(CLIENTS)}")
    assert run.errors == [], run.errors[:5]
    assert run.count(lambda s: s >= 500) == 0, (result.unexpected[:10], result.log_tail)
    assert run.responses >= 5_000, run.responses
    assert set(run.by_kind) == {"list", "search", "read", "create", "action"}
    assert result.leaks == [], result.leaks[:10]
    assert result.unexpected == [], result.unexpected[:10]
    assert_every_write_in_its_own_council(load_councils)
