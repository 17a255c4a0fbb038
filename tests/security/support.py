"""Helpers for the attack tests: a browser on a host, an app's current code, the outbox."""

from __future__ import annotations

import itertools

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.models import User
from mailer.models import OutboundEmail
from tenants.models import Council
from tests.conftest import host_for

_addresses = itertools.count(1)


def fresh_address() -> str:
    """A client address no other test used (rate-limit counters live in Redis)."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


def browser(council: Council | None, address: str | None = None) -> Client:
    return Client(HTTP_HOST=host_for(council), REMOTE_ADDR=address or fresh_address())


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or one step later: django-otp accepts one
    step of drift, and refuses a code it has already accepted)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step if steps_ahead else totp.time
    return f"{totp.token():0{device.digits}d}"


def outbox(council: Council | None, to: str) -> list[OutboundEmail]:
    with schema_context("public" if council is None else council.schema_name):
        return [e for e in OutboundEmail.objects.order_by("id") if to in e.to]


def login(client: Client, user: User, password: str):
    return client.post("/login/", {"username": user.email, "password": password})
