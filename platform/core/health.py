"""/healthz: can this process serve? Each dependency is checked with its own deadline, so
the answer comes within about CHECK_TIMEOUT seconds whatever state a dependency is in:
refusing connections, hung (accepting but never answering), or slow.

* Database: a fresh connection (connect_timeout) running `SELECT 1` (statement_timeout).
  Fresh rather than the request's own persistent one: it proves a new connection can be
  made (a server at max_connections is not ready), and a hung server can never leave the
  request thread's connection stuck in the middle of a query.
* Broker: redis-py's PING with connect and read timeouts, on the broker's URL.

Both run at once in a small thread pool and the request waits for them up to the deadline.
A check still running from an earlier request (a hung server) is joined rather than
started again, so a stuck dependency holds at most one thread per check and process.
The body names each dependency's state; nothing about the software (versions) is shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

CHECK_TIMEOUT = 2.0

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")
_lock = threading.Lock()
_inflight: dict[Callable[[], str], Future[str]] = {}


def _check_database() -> str:
    import psycopg

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params["connect_timeout"] = max(1, int(CHECK_TIMEOUT))
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = {int(CHECK_TIMEOUT * 1000)}")
        conn.execute("SELECT 1").fetchone()
    return "ok"


def _check_broker() -> str:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT,
        socket_timeout=CHECK_TIMEOUT,
        retry_on_timeout=False,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {"database": _check_database, "broker": _check_broker}


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in str(exc).lower():
        return f"timeout after {CHECK_TIMEOUT:g} s"
    return f"unavailable ({name})"


def _start(check: Callable[[], str]) -> Future[str]:
    with _lock:
        future = _inflight.get(check)
        if future is None or future.done():
            future = _pool.submit(check)
            _inflight[check] = future
        return future


def check_all(timeout: float = CHECK_TIMEOUT + 0.5) -> dict[str, str]:
    """{dependency: "ok" or what is wrong}, within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    futures = {name: _start(check) for name, check in CHECKS.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = f"timeout after {CHECK_TIMEOUT:g} s"
        except Exception as exc:
            results[name] = _describe(exc)
    return results


def health_response() -> JsonResponse:
    started = time.monotonic()
    results = check_all()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            **results,
            "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
        },
        status=200 if healthy else 503,
    )
