"""The embedded Stripe of `make run`: localstripe on a free loopback port, when no
STRIPE_API_KEY is set.

`start(webhook_url=...)` starts `localdev.localstripe_app`, waits until it answers,
registers the platform's webhook endpoint with a fresh signing secret, and returns the
settings that point the platform at it (STRIPE_API_KEY, STRIPE_API_BASE,
STRIPE_WEBHOOK_SECRET). The platform's code is the same as with Stripe: only those three
values differ. Nothing is kept between runs (localstripe holds its store in memory).
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

WEBHOOK_ID = "caseload"


@dataclass
class EmbeddedStripe:
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, fields: dict[str, str]) -> None:
    data = urllib.parse.urlencode(fields).encode()
    # Only ever our own http://127.0.0.1:<port>.
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        response.read()


def start(*, webhook_url: str, log: Path, timeout: float = 20) -> EmbeddedStripe:
    """localstripe on a free loopback port, its output appended to `log`."""
    port = _free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "localdev.localstripe_app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"localstripe did not start; see {log}") from None
            time.sleep(0.05)
    secret = "whsec_local_" + secrets.token_hex(16)
    stripe = EmbeddedStripe(
        process=process,
        env={
            "STRIPE_API_KEY": "sk_test_localdev_" + secrets.token_hex(8),
            "STRIPE_API_BASE": base,
            "STRIPE_WEBHOOK_SECRET": secret,
        },
    )
    try:
        _post(f"{base}/_config/webhooks/{WEBHOOK_ID}", {"url": webhook_url, "secret": secret})
    except Exception:
        stripe.stop()
        raise
    return stripe
