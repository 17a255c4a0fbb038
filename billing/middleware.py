"""Read-only mode for a council whose licence has lapsed or been cancelled.

One rule for every HTTP write on a council's host: unsafe methods are refused with a clear
message, except signing in and out, getting or revoking an API token, export, the billing
portal (so an admin can pay) and the data exit (two admins take the casework away).
Services call `licence_assert_writable` too, which is what stops Celery tasks and any path
this middleware does not see.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from billing.models import Licence, LicenceState
from billing.selectors import licence_get_for_council
from billing.services.licences import READ_ONLY_MESSAGES, LicenceReadOnly

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes that stay open in read-only mode. Prefixes of the request path.
ALLOWED_WRITE_PATHS = (
    "/login/",  # and /login/code/, the second factor
    "/logout/",
    "/set-password/",  # an invited user must be able to get in to read and export
    "/password-reset/",
    "/account/",  # one's own password, second factor and sessions
    "/admin-area/sign-in/",  # unlocking a user, resetting a second factor
    "/api/v1/auth/",
    "/api/v1/export/",
    # The council's data exit: getting its casework back is most needed when it has lapsed.
    "/data-exit/",
    "/api/v1/data-exits/",
    "/api/v1/billing/portal/",
    "/billing/portal/",
)

_UNSET = object()


def licence_for_request(request: HttpRequest) -> Licence | None:
    """The licence of the council on this host, read at most once per request."""
    cached = getattr(request, "_licence", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    council = getattr(request, "council", None)
    licence = licence_get_for_council(council=council) if council is not None else None
    request._licence = licence  # type: ignore[attr-defined]
    return licence


class LicenceReadOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in SAFE_METHODS
            or getattr(request, "council", None) is None
            or request.path_info.startswith(ALLOWED_WRITE_PATHS)
        ):
            return self.get_response(request)
        licence = licence_for_request(request)
        if licence is None or not licence.is_read_only:
            return self.get_response(request)
        message = READ_ONLY_MESSAGES[LicenceState(licence.state)]
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": LicenceReadOnly.code,
                        "message": message,
                        "fields": {"licence_state": licence.state},
                    }
                },
                status=403,
            )
        body = render_to_string(
            "billing/read_only.html",
            {"message": message, "licence": licence, "back": request.META.get("HTTP_REFERER")},
            request=request,
        )
        return HttpResponse(body, status=403)
