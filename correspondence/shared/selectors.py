"""Reads of the shared templates. They are readable from any schema (public is on every
council's search path); central staff edit them (services)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.errors import NotFound
from correspondence.shared.models import SharedTemplate


def shared_template_list() -> QuerySet[SharedTemplate]:
    return SharedTemplate.objects.order_by("name", "key")


def shared_template_get(*, key: str) -> SharedTemplate:
    template = SharedTemplate.objects.filter(key=key).first()
    if template is None:
        raise NotFound(f"No shared template '{key}'.")
    return template
