"""The visitor's address, for rate limits (console trial requests, officer reply links)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind N trusted proxies (`CLIENT_IP_PROXY_COUNT`: 1 behind the
    ingress) it is the Nth address from the right of X-Forwarded-For; the ones further left
    are whatever the client chose to send. Without it, behind a proxy every visitor would
    share the proxy's address and one rate-limit allowance."""
    proxies = int(settings.CLIENT_IP_PROXY_COUNT)
    remote = str(request.META.get("REMOTE_ADDR", "") or "unknown")
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else remote
