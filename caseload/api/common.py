"""What caseload's API views share: the acting user and caseload's own id lookups (the
generic pieces are in core.api.inputs)."""

from __future__ import annotations

from typing import cast

from rest_framework.request import Request

from accounts.models import User
from caseload.models import Category, Officer, Ward
from core.api.inputs import get_or_400


def actor(request: Request) -> User:
    """The signed-in council user (IsAuthenticated has already refused anyone else)."""
    return cast(User, request.user)


def category_or_400(pk: int | None) -> Category | None:
    return get_or_400(Category, pk, "category")


def ward_or_400(pk: int | None) -> Ward | None:
    return get_or_400(Ward, pk, "ward")


def officer_or_400(pk: int | None) -> Officer | None:
    return get_or_400(Officer, pk, "officer")


def councillor_or_400(pk: int | None, field: str = "owner") -> User | None:
    return get_or_400(User, pk, field, role=User.Role.COUNCILLOR, is_active=True)
