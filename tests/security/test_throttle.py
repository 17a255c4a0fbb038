"""DRF's throttle keys on the one trusted client address: a forged X-Forwarded-For is no
fresh allowance."""

from __future__ import annotations

import itertools

import pytest

from core.api.throttling import ClientIpScopedRateThrottle
from tests.conftest import host_for

_addresses = itertools.count(1)


@pytest.fixture
def login_rate(monkeypatch):
    # Below the lockout's 10 failures, so the throttle is what answers first.
    monkeypatch.setattr(ClientIpScopedRateThrottle, "THROTTLE_RATES", {"login": "5/min"})


def test_rotating_forged_forwarded_for_is_still_throttled(
    client, council_a, settings, login_rate
) -> None:
    settings.CLIENT_IP_PROXY_COUNT = 1  # production: one ingress appends the real address
    real = f"203.0.113.{next(_addresses)}"
    codes = []
    for i in range(12):
        response = client.post(
            "/api/v1/auth/token/",
            {"email": f"nobody{i}@example.gov.uk", "password": "wrong"},
            content_type="application/json",
            HTTP_HOST=host_for(council_a),
            HTTP_X_FORWARDED_FOR=f"10.9.{i}.{i}, {real}",
        )
        codes.append(response.status_code)
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "throttled"
    assert codes[:5] == [400] * 5
    assert codes[5:] == [429] * 7
