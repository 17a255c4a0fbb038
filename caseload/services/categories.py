"""Writes for the council's case categories (admins)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from accounts.models import User
from caseload.models import (
    Category,
)
from caseload.services.permissions import (
    assert_council_writable,
    require_admin,
)
from core.errors import Conflict, ValidationFailed


@transaction.atomic
def categories_seed(*, names: Sequence[str]) -> int:
    """Give the council (the schema the connection is in) these categories, skipping any it
    already has (in any case). A platform step with no actor: provisioning starts every new
    council with the standard list, which its admins then edit. Returns how many were added."""
    assert_council_writable()
    have = {n.lower() for n in Category.objects.values_list("name", flat=True)}
    rows: list[Category] = []
    for raw in names:
        name = " ".join(raw.split())[:100]
        if name and name.lower() not in have:
            have.add(name.lower())
            rows.append(Category(name=name))
    Category.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def category_create(*, actor: User, name: str, description: str = "") -> Category:
    """Add a category to the council's managed list (admins only; names unique, any case)."""
    assert_council_writable()
    require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed("A category name is 1-100 characters.", extra={"name": ["1-100."]})
    if Category.objects.filter(name__iexact=name).exists():
        raise Conflict(f"There is already a category called '{name}'.")
    return Category.objects.create(name=name, description=(description or "").strip()[:300])


@transaction.atomic
def category_update(
    *,
    actor: User,
    category: Category,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Category:
    """Rename, describe, retire (is_active=False) or restore a category. Categories in use
    are never deleted, so old cases keep theirs."""
    assert_council_writable()
    require_admin(actor)
    fields = []
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise ValidationFailed(
                "A category name is 1-100 characters.", extra={"name": ["1-100."]}
            )
        if Category.objects.filter(name__iexact=name).exclude(pk=category.pk).exists():
            raise Conflict(f"There is already a category called '{name}'.")
        category.name = name
        fields.append("name")
    if description is not None:
        category.description = description.strip()[:300]
        fields.append("description")
    if is_active is not None:
        category.is_active = is_active
        fields.append("is_active")
    if fields:
        category.save(update_fields=[*fields, "updated_at"])
    return category
