from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from accounts.selectors import is_council_admin


class IsCouncilAdmin(BasePermission):
    """A council's administrator, on that council's own host."""

    message = "Only the council's administrators can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return getattr(request, "council", None) is not None and is_council_admin(request.user)
