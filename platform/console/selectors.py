from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Council


def council_directory() -> QuerySet[Council]:
    """Every council with its licence and primary domain, in two queries."""
    return Council.objects.select_related("licence").prefetch_related("domains").order_by("name")
