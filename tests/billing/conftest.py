"""Billing fixtures: a localstripe server on loopback, Stripe-signed webhooks, fresh councils."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Licence, LicenceState
from tenants.models import Council
from tests.factories import UserFactory

WEBHOOK_SECRET = "whsec_test_" + "c" * 32
SERVER = Path(__file__).with_name("localstripe_server.py")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # These tests create many users; the production hasher costs ~0.5 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """localstripe (plus the additions in localstripe_server.py) in a subprocess."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"localstripe did not start: {err}") from None
            time.sleep(0.05)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


class StripeTestServer:
    def __init__(self, base: str) -> None:
        self.base = base

    def _open(self, path: str, method: str = "GET") -> bytes:
        # The base is always our own http://127.0.0.1:<port>.
        data = b"" if method == "POST" else None
        request = urllib.request.Request(self.base + path, method=method, data=data)  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.read()

    def reset(self) -> None:
        self._open("/_config/harness/reset", method="POST")

    def requests(self) -> list[dict[str, Any]]:
        return json.loads(self._open("/_config/harness/requests"))

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["method"] in ("POST", "DELETE")]


@pytest.fixture
def stripe_server(localstripe: str, settings) -> StripeTestServer:
    """Points the platform at localstripe, with an empty store for this test."""
    settings.STRIPE_API_KEY = "sk_test_caseload_platform"
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    server = StripeTestServer(localstripe)
    server.reset()
    return server


@pytest.fixture
def stripe_api(stripe_server):
    """A stripe client for the test itself (to read what the platform made)."""
    from billing.stripe_client import stripe_client

    return stripe_client()


def stripe_signature(payload: str, secret: str, timestamp: int) -> str:
    """Stripe's scheme, written out independently of the library under test:
    v1 = hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the endpoint secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def make_event(
    event_type: str,
    obj: dict[str, Any],
    *,
    created: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """An event envelope as Stripe sends it (snapshot payload)."""
    return {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


@pytest.fixture
def post_webhook(settings) -> Callable[..., Any]:
    """post_webhook(event, secret=None, timestamp=None, signature=None) -> response."""

    def _post(
        event: dict[str, Any],
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        unsigned: bool = False,
    ) -> Any:
        body = json.dumps(event)
        headers = {}
        if not unsigned:
            headers["HTTP_STRIPE_SIGNATURE"] = signature or stripe_signature(
                body,
                secret or settings.STRIPE_WEBHOOK_SECRET or WEBHOOK_SECRET,
                timestamp if timestamp is not None else int(time.time()),
            )
        client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
        return client.post(
            "/billing/stripe/webhook/", data=body, content_type="application/json", **headers
        )

    return _post


@pytest.fixture
def webhook_secret(settings) -> str:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def fresh_council(db) -> Callable[..., Council]:
    """fresh_council(slug, **provision kwargs) -> a council provisioned inside this test's
    transaction (rolled back afterwards), with an admin `admin@<slug>.gov.uk`."""
    from console.services import council_provision

    def _make(slug: str, **kwargs: Any) -> Council:
        kwargs.setdefault("name", slug.replace("-", " ").title())
        kwargs.setdefault("admin_email", f"admin@{slug}.gov.uk")
        kwargs.setdefault("admin_password", "Test-password-123")
        return council_provision(slug=slug, actor="tests", **kwargs).council

    return _make


def admin_of(council: Council) -> User:
    with schema_context(council.schema_name):
        return User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()  # type: ignore[return-value]


def set_state(council: Council, state: str, **fields: Any) -> Licence:
    """Put a council's licence in a state directly (for tests of what each state allows)."""
    defaults: dict[str, Any] = {}
    if state == LicenceState.CANCELLED:
        from django.utils import timezone

        defaults["retention_until"] = timezone.now()
    Licence.objects.filter(council=council).update(state=state, **{**defaults, **fields})
    return Licence.objects.get(council=council)


@pytest.fixture
def councillor_factory() -> Callable[..., User]:
    def _make(council: Council, **fields: Any) -> User:
        with schema_context(council.schema_name):
            return UserFactory(**fields)

    return _make


@pytest.fixture
def sent_mail(mailoutbox) -> Callable[[], list]:
    """sent_mail() -> the emails sent so far, after delivering what billing's notices put in
    the public outbox (a worker's job in production)."""
    from django_tenants.utils import get_public_schema_name

    from mailer.services import outbox_deliver

    def _sent() -> list:
        with schema_context(get_public_schema_name()):
            outbox_deliver()
        return mailoutbox

    return _sent
