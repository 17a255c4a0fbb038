"""Benchmarks commit their data (they measure real work) into the session's test database,
which pytest-django drops at the end of the run."""

from __future__ import annotations

import statistics

import pytest
from django.db import connection

from core.pgclient import database_url


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.4g} {unit}", flush=True)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the test database, for subprocesses (e.g. a real migrate run)."""
    return database_url(connection.settings_dict)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always create the test database: benchmarks commit instead of using the `db` mark,
    which pytest-django's own fixture looks for when deciding whether a database is needed."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
