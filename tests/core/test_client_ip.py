"""The visitor's address behind trusted proxies (core.client_ip)."""

from __future__ import annotations

from core.client_ip import client_ip


def test_client_address_behind_trusted_proxies(settings, rf) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.CLIENT_IP_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the ingress saw this; "1.2.3.4" is claimed
    settings.CLIENT_IP_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.5"
