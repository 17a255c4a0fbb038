"""DRF throttles keyed on the one trusted client address (core.client_ip).

DRF's own `get_ident` reads X-Forwarded-For whole unless NUM_PROXIES is set, so a client that
rotates that header gets a fresh allowance each time. Every throttle here asks
`client_ip`, which trusts exactly CLIENT_IP_PROXY_COUNT proxies, like the rest of the app.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import ScopedRateThrottle

from core.client_ip import client_ip


class ClientIpScopedRateThrottle(ScopedRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request)
