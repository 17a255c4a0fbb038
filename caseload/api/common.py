"""Small pieces every caseload API view uses: the acting user, id lookups, query lists."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers
from rest_framework.request import Request

from accounts.models import User
from caseload.models import Category, Officer, Ward
from core.errors import ValidationFailed


def actor(request: Request) -> User:
    """The signed-in council user (IsAuthenticated has already refused anyone else)."""
    return cast(User, request.user)


def id_list(value: str, field: str) -> list[int]:
    """'3,5, 8' -> [3, 5, 8]; a clear 400 for anything else."""
    out = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        if not part.isdigit():
            raise ValidationFailed(
                f"'{part}' is not an id; give ids separated by commas.",
                extra={field: ["Ids separated by commas."]},
            )
        out.append(int(part))
    return out


def get_or_400(model: type[Any], pk: int | None, field: str, **filters: Any) -> Any:
    """Resolve an id sent in a request body; a missing object is a 400 on that field."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **filters).first()
    if obj is None:
        raise ValidationFailed(
            f"No {model._meta.verbose_name} with id {pk}.", extra={field: ["Not found."]}
        )
    return obj


def category_or_400(pk: int | None) -> Category | None:
    return get_or_400(Category, pk, "category")


def ward_or_400(pk: int | None) -> Ward | None:
    return get_or_400(Ward, pk, "ward")


def officer_or_400(pk: int | None) -> Officer | None:
    return get_or_400(Officer, pk, "officer")


def councillor_or_400(pk: int | None, field: str = "owner") -> User | None:
    return get_or_400(User, pk, field, role=User.Role.COUNCILLOR, is_active=True)


class IdListField(serializers.ListField):
    child = serializers.IntegerField(min_value=1)
