"""Console fixtures: a signed-in central body client, the public outbox, unique client IPs."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from mailer.models import OutboundEmail
from tests.factories import DEFAULT_PASSWORD

_ips = itertools.count(1)


@pytest.fixture
def central(make_user):
    return make_user(None, email="analyst@central.example.gov.uk", name="Central Analyst")


@pytest.fixture
def central_client(central) -> Client:
    client = Client(HTTP_HOST="localhost")
    response = client.post("/login/", {"username": central.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def client_ip() -> str:
    """A fresh client address per test, so rate-limit counters never leak between tests."""
    n = next(_ips)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def public_outbox(**filters) -> list[OutboundEmail]:
    with schema_context("public"):
        return list(OutboundEmail.objects.filter(**filters).order_by("id"))
