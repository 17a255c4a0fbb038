"""Loaded with `-p localdev.pytest_plugin` before pytest-django reads settings.

Starting the embedded servers at import time is deliberate: pytest-django configures
Django in its own early hook, and the settings need DATABASE_URL and REDIS_URL by then.
"""

import os

from localdev.services import ensure_services_env, stop_services

ensure_services_env()
# One run's cache keys never meet another's (CI and developers may share a Redis), and the
# login throttle is exercised by its own test rather than tripping every API test.
os.environ.setdefault("CACHE_KEY_PREFIX", f"test-{os.getpid()}")
os.environ.setdefault("LOGIN_THROTTLE_RATE", "10000/min")
# Tests change councils in transactions they roll back, where the host cache's signals
# cannot follow; tests/tenants/test_hosts.py turns it on where it is the subject.
os.environ.setdefault("TENANT_HOST_CACHE_SECONDS", "0")


def pytest_unconfigure(config: object) -> None:
    # Release the embedded servers while pytest's output streams are still open (the
    # packages' own exit hooks would log to closed ones).
    stop_services()
