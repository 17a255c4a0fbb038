"""Console fixtures: a signed-in central body client, the public outbox, unique client IPs."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from mailer.models import OutboundEmail
from tests.conftest import sign_in

_ips = itertools.count(1)


@pytest.fixture
def central(make_user):
    return make_user(None, email="analyst@central.example.gov.uk", name="Central Analyst")


@pytest.fixture
def central_client(central) -> Client:
    client = Client(HTTP_HOST="localhost")
    response = sign_in(client, None, central)
    assert response.status_code == 302, response.content
    return client


@pytest.fixture(autouse=True)
def _forget_trial_rate_limits():
    """Rate-limit counters live in Redis, outside the test transaction: drop them after each
    test (only these keys, in this run's cache prefix)."""
    yield
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    for key in client.scan_iter(match=f"*{prefix}:*console:trial-rate:*"):
        client.delete(key)


@pytest.fixture
def client_ip() -> str:
    """A fresh client address per test, so rate-limit counters never leak between tests."""
    n = next(_ips)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def public_outbox(**filters) -> list[OutboundEmail]:
    with schema_context("public"):
        return list(OutboundEmail.objects.filter(**filters).order_by("id"))
