"""django-anymail's inbound webhook URLs (one per ESP), mounted on the platform host.

Only the inbound routes, and only while ANYMAIL_WEBHOOK_SECRET is set: anymail itself
accepts unauthenticated posts (with a warning) when no secret is configured, which would
let anyone file mail into a council's cases. Delivery-tracking webhooks are not ours.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt


def _secret_configured() -> bool:
    nested = getattr(settings, "ANYMAIL", {}) or {}
    return bool(getattr(settings, "ANYMAIL_WEBHOOK_SECRET", "") or nested.get("WEBHOOK_SECRET"))


def _only_with_secret(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _secret_configured():
            return HttpResponseNotFound("Inbound webhooks are not configured.")
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    URLPattern(p.pattern, _only_with_secret(p.callback), name=p.name)
    for p in anymail_urls.urlpatterns
    if isinstance(p, URLPattern) and "inbound" in (p.name or "")
]
