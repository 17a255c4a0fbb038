"""Shared fixtures.

The test database is migrated once per session (public schema + the council template, by
our migrate_schemas). Two councils, A and B, are provisioned once per session by cloning
that template (tens of milliseconds each). Every test then runs inside a transaction that is
rolled back, so rows a test creates in either council vanish afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import User
from tenants.models import Council
from tests.factories import DEFAULT_PASSWORD, UserFactory


def host_for(council: Council | None) -> str:
    if council is None:
        return settings.PLATFORM_DOMAIN
    return f"{council.slug}.{settings.PLATFORM_DOMAIN}"


@pytest.fixture(scope="session")
def councils(django_db_setup, django_db_blocker) -> dict[str, Council]:
    from console.services import council_provision

    with django_db_blocker.unblock():
        made = {}
        for key, slug, name in (
            ("a", "council-a", "Council A"),
            ("b", "council-b", "Council B"),
        ):
            existing = Council.objects.filter(slug=slug).first()
            made[key] = existing or council_provision(slug=slug, name=name, actor="tests").council
        return made


@pytest.fixture
def council_a(councils, db) -> Council:
    return councils["a"]


@pytest.fixture
def council_b(councils, db) -> Council:
    return councils["b"]


@pytest.fixture(autouse=True)
def _reset_schema() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@contextmanager
def today_is(day: date, at: time = time(10, 0)) -> Iterator[None]:
    """Python's clock stands at `day`, `at` London time, and ticks on from there (the
    database's clock is untouched). For tests whose meaning depends on the day: a weekend,
    a holiday, a working day."""
    moment = datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(moment, tick=True):
        yield


@contextmanager
def in_council(council: Council) -> Iterator[None]:
    with schema_context(council.schema_name):
        yield


@pytest.fixture
def make_user():
    """make_user(council, role=..., **fields) -> User created in that council's schema."""

    def _make(council: Council | None, **fields) -> User:
        if council is None:
            with schema_context("public"):
                return UserFactory(role=User.Role.CENTRAL, **fields)
        with in_council(council):
            return UserFactory(**fields)

    return _make


@pytest.fixture
def api_for():
    """api_for(council, user=None) -> APIClient on that council's host, token-authenticated."""

    def _client(council: Council | None, user: User | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=host_for(council))
        if user is not None:
            response = client.post(
                "/api/v1/auth/token/",
                {"email": user.email, "password": DEFAULT_PASSWORD},
                format="json",
            )
            assert response.status_code == 200, response.content
            client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return _client


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run last: they commit demo councils of their own while they run (a live
    server cannot see a rolled-back transaction), which other tests must never meet. The
    django_db mark makes pytest-django create the test database for them."""
    browser = [item for item in items if "/tests/browser/" in str(item.path)]
    if not browser:
        return
    for item in browser:
        item.add_marker(pytest.mark.django_db)
    items[:] = [item for item in items if item not in browser] + browser
