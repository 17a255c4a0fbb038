from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.health import health_response


class HealthCheckMiddleware:
    """Answers /healthz before host validation and tenant lookup.

    Load balancers and Kubernetes probe by pod IP, which is neither a council nor the
    platform host; the check reveals nothing about any council.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in ("/healthz", "/healthz/"):
            return health_response()
        return self.get_response(request)
