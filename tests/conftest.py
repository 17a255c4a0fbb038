"""Shared fixtures.

The test database is migrated once per session (public schema + the council template, by
our migrate_schemas). Two councils, A and B, are provisioned once per session by cloning
that template (tens of milliseconds each). Every test then runs inside a transaction that is
rolled back, so rows a test creates in either council vanish afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import User
from accounts.selectors import ALWAYS_TWO_FACTOR
from accounts.signin import FACTOR, VERIFIED
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
            # Without the standard categories: the tests' cast makes the ones it needs.
            made[key] = (
                existing
                or council_provision(
                    slug=slug, name=name, actor="tests", standard_categories=False
                ).council
            )
        return made


@pytest.fixture
def council_a(councils, db) -> Council:
    return councils["a"]


@pytest.fixture
def council_b(councils, db) -> Council:
    return councils["b"]


@pytest.fixture(autouse=True)
def _dkim_dns(settings) -> None:
    """DKIM checks look the test key up in a stub DNS (tests/dkim_support.py), never the
    network; the check itself is dkimpy's, for real."""
    settings.INBOUND_DKIM_DNSFUNC = "tests.dkim_support.txt_record"


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


def _schema(council: Council | None) -> str:
    return "public" if council is None else council.schema_name


def enrol_second_factor(council: Council | None, user: User) -> TOTPDevice:
    """Give `user` (in `council`, or central staff for None) an authenticator app, as the
    set-up page would; idempotent."""
    with schema_context(_schema(council)):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def recovery_code(council: Council | None, user: User) -> str:
    """A fresh one-time recovery code for `user`, enrolling them first if need be. Tests
    sign in with these: an app's code can be used once per 30 s, a test may sign in more."""
    enrol_second_factor(council, user)
    with schema_context(_schema(council)):
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        return StaticToken.objects.create(device=device, token=StaticToken.random_token()).token


def needs_second_factor(user: User) -> bool:
    return user.role in ALWAYS_TWO_FACTOR


def sign_in(client: Client, council: Council | None, user: User, password: str = DEFAULT_PASSWORD):
    """Sign `client` in as `user` through the real pages: the password, then (for an admin
    or central staff, enrolled here if they are not yet) a second factor. Returns the last
    response (a redirect into the site when it worked)."""
    if needs_second_factor(user):
        enrol_second_factor(council, user)
    response = client.post("/login/", {"username": user.email, "password": password})
    if response.status_code == 302 and response["Location"].startswith("/login/code/"):
        response = client.post(response["Location"], {"code": recovery_code(council, user)})
    return response


def force_sign_in(client: Client, council: Council | None, user: User) -> None:
    """client.force_login, plus the second factor's mark for those who need one (as if they
    had given it): admins and central staff would otherwise be asked for it."""
    with schema_context(_schema(council)):
        if needs_second_factor(user):
            enrol_second_factor(council, user)
            user.otp_device = TOTPDevice.objects.filter(user=user).first()  # type: ignore[attr-defined]
        client.force_login(user)
        session = client.session
        if session.get(FACTOR) != VERIFIED and needs_second_factor(user):
            session[FACTOR] = VERIFIED
            session.save()


@pytest.fixture
def api_for():
    """api_for(council, user=None) -> APIClient on that council's host, token-authenticated
    (admins and central staff with a second factor, enrolled and given here)."""

    def _client(council: Council | None, user: User | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=host_for(council))
        if user is not None:
            credentials = {"email": user.email, "password": DEFAULT_PASSWORD}
            if needs_second_factor(user):
                credentials["otp"] = recovery_code(council, user)
            response = client.post("/api/v1/auth/token/", credentials, format="json")
            assert response.status_code == 200, response.content
            client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return _client


# Tests whose outcome cannot depend on which PostgreSQL and Redis serve them: a browser
# against pages, a wheel's contents, the API's schema. CI runs the suite twice (embedded
# servers, then the machine's); the second run, which sets CASELOAD_CI_SECOND_RUN=1, skips
# these so CI stays well under 20 minutes. `make test` alone always runs them.
ONCE_IN_CI = (
    "/tests/browser/",
    "/tests/caseload/test_pages_axe.py",
    "/tests/deploy/test_packaging.py",
    "/tests/security/test_schemathesis.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run last: they commit demo councils of their own while they run (a live
    server cannot see a rolled-back transaction), which other tests must never meet. The
    django_db mark makes pytest-django create the test database for them."""
    if os.environ.get("CASELOAD_CI_SECOND_RUN") == "1":
        once = pytest.mark.skip(reason="server-independent: ran in CI's first run")
        for item in items:
            if any(part in str(item.path) for part in ONCE_IN_CI):
                item.add_marker(once)
    browser = [item for item in items if "/tests/browser/" in str(item.path)]
    if not browser:
        return
    for item in browser:
        item.add_marker(pytest.mark.django_db)
    items[:] = [item for item in items if item not in browser] + browser
