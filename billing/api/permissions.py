from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class IsCouncilAdmin(BasePermission):
    """A council's administrator, on that council's own host."""

    message = "Only the council's administrators can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and getattr(user, "is_council_admin", False)
            and getattr(request, "council", None) is not None
        )
