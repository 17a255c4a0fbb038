from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from core.tenancy import in_public_schema


def _is_central(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_central", False)
        and in_public_schema()
    )


def central_staff_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Only central body staff, on the platform host, reach the console."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _is_central(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class IsCentralStaff(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return _is_central(request)
