from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from core.health import health_response


class HealthCheckMiddleware:
    """Answers /healthz and /livez before host validation and tenant lookup.

    Load balancers and Kubernetes probe by pod IP, which is neither a council nor the
    platform host; the checks reveal nothing about any council. /healthz checks the
    database and the broker (readiness: send this pod traffic?); /livez only that this
    process answers (liveness: restart it?), so a database outage takes pods out of the
    Service without restarting every one of them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in ("/healthz", "/healthz/"):
            return health_response()
        if request.path in ("/livez", "/livez/"):
            return JsonResponse({"status": "ok"})
        if request.path == "/_bench/floor" and settings.HTTP_FLOOR_ENDPOINT:
            return floor_response()
        return self.get_response(request)


def floor_response() -> JsonResponse:
    """The HTTP benchmark's floor (`make bench`, tests/bench): the least a request through
    this server can cost, i.e. gunicorn, Django's handler and one indexed primary-key
    lookup on a persistent connection, with no tenancy, authentication or serializer.
    Off unless HTTP_FLOOR_ENDPOINT is set (only the benchmark sets it); it reads a row id
    and answers `{"ok": true}`, so even on it shows nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM public.tenants_council WHERE id = %s", [1])
        cursor.fetchone()
    return JsonResponse({"ok": True})


class NoStoreMiddleware:
    """Every page and API answer may carry casework or personal data, so no browser, proxy or
    back/forward cache keeps a copy (`Cache-Control: no-store`). Only the static files,
    which carry none and are fingerprinted, stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = str(settings.STATIC_URL or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response
