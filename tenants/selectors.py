from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Council, Domain


def council_get_by_hostname(*, hostname: str) -> Council | None:
    """The ready council serving `hostname`, or None. One query."""
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname, tenant__status=Council.Status.READY)
        .first()
    )
    return domain.tenant if domain else None


def council_list_ready() -> QuerySet[Council]:
    return Council.objects.filter(status=Council.Status.READY).order_by("schema_name")


def council_get(*, slug: str) -> Council | None:
    return Council.objects.filter(slug=slug).first()
