"""Reads for licences. Central-body reads are for central staff only (the views check that);
council reads are always for the council whose host the request came in on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.selectors import user_count_councillors
from billing.models import Licence, LicenceTransition, WebhookEvent
from billing.stripe_client import call, stripe_client
from tenants.models import Council


def licence_get_for_council(*, council: Council) -> Licence | None:
    return Licence.objects.filter(council_id=council.pk).first()


def licence_get_by_slug(*, slug: str) -> Licence | None:
    return Licence.objects.select_related("council").filter(council__slug=slug).first()


def licence_list() -> QuerySet[Licence]:
    """Every council's licence for the central body, in one query."""
    return Licence.objects.select_related("council").order_by("council__name")


def licence_get_with_history(*, slug: str) -> Licence | None:
    return (
        Licence.objects.select_related("council")
        .prefetch_related(
            Prefetch("transitions", queryset=LicenceTransition.objects.order_by("-created_at")),
            Prefetch(
                "webhook_events",
                queryset=WebhookEvent.objects.order_by("-created_at")[:20],
                to_attr="recent_webhook_events",
            ),
        )
        .filter(council__slug=slug)
        .first()
    )


def council_admin_emails(*, council: Council) -> list[str]:
    """The council's active admins. The user table lives in the council's own schema."""
    with schema_context(council.schema_name):
        return list(
            User.objects.filter(role=User.Role.ADMIN, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )


def council_councillor_count(*, council: Council) -> int:
    with schema_context(council.schema_name):
        return user_count_councillors()


@dataclass(frozen=True)
class InvoiceSummary:
    id: str
    number: str
    status: str
    currency: str
    amount_due: int
    amount_paid: int
    created: datetime | None
    due_date: datetime | None
    hosted_invoice_url: str
    invoice_pdf: str


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def licence_invoices(*, licence: Licence, limit: int = 24) -> list[InvoiceSummary]:
    """The council's invoices, newest first, read from Stripe (which is their record)."""
    if not licence.stripe_customer_id:
        return []
    page = call(
        "list the council's invoices",
        stripe_client().v1.invoices.list,
        params={"customer": licence.stripe_customer_id, "limit": limit},
    )
    invoices = []
    for raw in page.data:
        data = raw.to_dict()
        invoices.append(
            InvoiceSummary(
                id=data["id"],
                number=data.get("number") or "",
                status=data.get("status") or "",
                currency=data.get("currency") or "",
                amount_due=int(data.get("amount_due") or 0),
                amount_paid=int(data.get("amount_paid") or 0),
                created=_timestamp(data.get("created")),
                due_date=_timestamp(data.get("due_date")),
                hosted_invoice_url=data.get("hosted_invoice_url") or "",
                invoice_pdf=data.get("invoice_pdf") or "",
            )
        )
    return invoices
