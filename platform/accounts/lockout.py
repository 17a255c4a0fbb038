"""django-axes hooks (named in config.settings.security): how an attempt's account is
named, and what a locked-out sign-in gets back.

Axes records failures in the tables of the schema the request is in: a failed sign-in on
fife.<domain> counts against that council's account (by email) and against the client
address (core.client_ip) there; central staff's failures count in public.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from core.client_ip import client_ip

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this account or from this address. Wait {minutes} "
    "minutes and try again, or ask {who} to unlock your account."
)


def client_address(request: HttpRequest) -> str | None:
    """The address axes counts failures against: core.client_ip's, the one trusted-proxy
    rule of the whole app (a forged X-Forwarded-For changes nothing). None for a request
    with no address (a test's force_login), which axes stores as unknown."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def username_for_lockout(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt was for, as stored (emails are lower case), so `Fife@...`
    and `fife@...` count as one."""
    name = (credentials or {}).get("username")
    if name is None:
        data = getattr(request, "data", None) or request.POST
        name = data.get("username") or data.get("email")
    return str(name).strip().lower() if name else None


def lockout_message(request: HttpRequest) -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    who = "your council's administrator" if getattr(request, "council", None) else "a colleague"
    return LOCKED_MESSAGE.format(minutes=minutes, who=who)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with Retry-After: JSON on the API, the sign-in page (with the message) on the web."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    message = lockout_message(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    else:
        response = TemplateResponse(
            request, "accounts/login.html", {"locked_out": message, "form": None}, status=429
        ).render()
    response["Retry-After"] = retry_after
    return response
