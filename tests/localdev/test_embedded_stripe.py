"""The embedded Stripe of `make run`: localstripe on loopback, its webhook registered with a
fresh secret, so the platform's own code converts a trial and receives signed events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import stripe

from billing.models import Licence, LicenceState
from billing.services import licence_convert
from localdev import embedded_stripe


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/billing/stripe/webhook/"
    finally:
        server.shutdown()
        server.server_close()


def test_converts_a_trial_and_sends_signed_webhooks(
    receiver: str, tmp_path: Path, settings, council_a
) -> None:
    _Receiver.received.clear()
    embedded = embedded_stripe.start(webhook_url=receiver, log=tmp_path / "localstripe.log")
    try:
        assert embedded.env["STRIPE_API_BASE"].startswith("http://127.0.0.1:")
        settings.STRIPE_API_KEY = embedded.env["STRIPE_API_KEY"]
        settings.STRIPE_API_BASE = embedded.env["STRIPE_API_BASE"]
        settings.STRIPE_WEBHOOK_SECRET = embedded.env["STRIPE_WEBHOOK_SECRET"]
        licence = Licence.objects.get(council=council_a)
        licence_convert(licence=licence, seats=5, payment_method="invoice", actor="central")
        licence.refresh_from_db()
        assert licence.state == LicenceState.ACTIVE
        assert licence.stripe_customer_id.startswith("cus_")
        # localstripe delivers its events about a second later, signed with our secret.
        for _ in range(50):
            if _Receiver.received:
                break
            threading.Event().wait(0.1)
        body, signature = _Receiver.received[0]
        event = stripe.Webhook.construct_event(
            body, signature, embedded.env["STRIPE_WEBHOOK_SECRET"]
        )
        assert event["type"].split(".")[0] in {"customer", "plan", "product", "invoice"}
    finally:
        embedded.stop()
    assert embedded.process.poll() is not None
