from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
        return self.get_response(request)
