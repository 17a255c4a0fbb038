"""Reads of the council's case categories."""

from __future__ import annotations

from django.db.models import QuerySet

from caseload.models import (
    Category,
)
from core.errors import NotFound


def category_list(*, include_inactive: bool = False) -> QuerySet[Category]:
    qs = Category.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name")


def category_get(*, category_id: int | str) -> Category:
    try:
        return Category.objects.get(pk=int(category_id))
    except (TypeError, ValueError, Category.DoesNotExist):
        raise NotFound(f"No category with id {category_id!s}.") from None
