"""Paid licences: conversion, seat changes, cancellation, the billing portal, data deletion.

Every Stripe write carries an idempotency key from `billing.stripe_client.idempotency_key`,
and runs inside the database transaction that records its result under a row lock on the
licence: if anything fails, nothing is saved here, and the retry reuses the same keys so
Stripe answers with the objects it already made instead of duplicates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.models import Licence, LicenceState, PaymentMethod
from billing.selectors import council_admin_emails, council_councillor_count
from billing.services.licences import licence_transition
from billing.stripe_client import (
    call,
    ensure_seat_plan,
    idempotency_key,
    one_off_key,
    stripe_client,
)
from core.errors import StateError, ValidationFailed
from core.links import council_host, council_url
from tenants.models import Council
from tenants.selectors import council_host_cache_clear

logger = logging.getLogger(__name__)

MAX_SEATS = 1000
CONVERTIBLE_STATES = frozenset(
    {LicenceState.TRIAL, LicenceState.TRIAL_EXTENDED, LicenceState.LAPSED}
)


@dataclass(frozen=True)
class ConversionResult:
    licence: Licence
    checkout_url: str  # empty for invoice conversions


def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_related("council").select_for_update().get(pk=licence.pk)


def _validate_seats(*, council: Council, seats: int) -> None:
    if seats < 1 or seats > MAX_SEATS:
        raise ValidationFailed(
            f"Seats must be between 1 and {MAX_SEATS}.", extra={"seats": ["out of range"]}
        )
    used = council_councillor_count(council=council)
    if seats < used:
        raise ValidationFailed(
            f"{council.name} has {used} active councillors, so it needs at least {used} "
            "seats. Deactivate councillors first to buy fewer.",
            extra={"seats": [f"at least {used}"]},
        )


def _ensure_customer(licence: Licence) -> str:
    if licence.stripe_customer_id:
        return licence.stripe_customer_id
    council = licence.council
    admins = council_admin_emails(council=council)
    email = council.contact_email or (admins[0] if admins else "")
    params: dict = {
        "name": council.name,
        "description": f"{council.name} ({council_host(council.slug)})",
        "metadata": {"council_slug": council.slug, "licence_id": str(licence.pk)},
    }
    if email:
        params["email"] = email
    customer = call(
        "create the council's customer record",
        stripe_client().v1.customers.create,
        params=params,
        options={"idempotency_key": idempotency_key(licence, "customer")},
    )
    licence.stripe_customer_id = customer.id
    return str(customer.id)


def council_billing_url(council: Council, path: str = "/billing/") -> str:
    return council_url(slug=council.slug, path=path)


@transaction.atomic
def licence_convert(
    *,
    licence: Licence,
    seats: int,
    payment_method: str,
    actor: str,
    days_until_due: int | None = None,
) -> ConversionResult:
    """Turn a trial (or a lapsed trial) into a paid licence priced per seat.

    By invoice (how councils usually pay): a Stripe subscription with
    `collection_method=send_invoice`; the licence is active at once and the council has
    `days_until_due` days to pay each invoice. By card: a Stripe Checkout session; the
    licence becomes active when Stripe reports the first invoice paid.
    """
    locked = _lock(licence)
    if locked.state not in CONVERTIBLE_STATES:
        raise StateError(
            f"Only a council on a trial or a lapsed trial can be converted; this licence is "
            f"'{locked.state}'."
        )
    if locked.stripe_subscription_id:
        raise StateError("This council already has a paid subscription.")
    if payment_method not in PaymentMethod.values:
        raise ValidationFailed(
            f"Payment method must be one of: {', '.join(PaymentMethod.values)}.",
            extra={"payment_method": ["invalid"]},
        )
    days = settings.BILLING_INVOICE_DAYS_UNTIL_DUE if days_until_due is None else days_until_due
    if payment_method == PaymentMethod.INVOICE and not 1 <= days <= 120:
        raise ValidationFailed(
            "Days to pay an invoice must be between 1 and 120.",
            extra={"days_until_due": ["out of range"]},
        )
    _validate_seats(council=locked.council, seats=seats)

    plan_id = ensure_seat_plan()
    customer_id = _ensure_customer(locked)
    client = stripe_client()
    metadata = {"council_slug": locked.council.slug, "licence_id": str(locked.pk)}
    checkout_url = ""
    if payment_method == PaymentMethod.INVOICE:
        subscription = call(
            "create the subscription",
            client.v1.subscriptions.create,
            params={
                "customer": customer_id,
                "items": [{"plan": plan_id, "quantity": seats}],
                "collection_method": "send_invoice",
                "days_until_due": days,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key(locked, "subscription")},
        )
        locked.stripe_subscription_id = subscription.id
        locked.seats = seats
    else:
        session = call(
            "start card checkout",
            client.v1.checkout.sessions.create,
            params={
                "mode": "subscription",
                "customer": customer_id,
                "line_items": [{"price": plan_id, "quantity": seats}],
                "client_reference_id": str(locked.pk),
                "success_url": council_billing_url(locked.council, "/billing/?checkout=done"),
                "cancel_url": council_billing_url(locked.council, "/billing/?checkout=cancelled"),
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            },
            options={"idempotency_key": idempotency_key(locked, "checkout")},
        )
        checkout_url = str(session.url)
        locked.checkout_url = checkout_url
    locked.payment_method = payment_method
    locked.stripe_revision += 1
    locked.save(
        update_fields=[
            "stripe_customer_id",
            "stripe_subscription_id",
            "seats",
            "payment_method",
            "checkout_url",
            "stripe_revision",
            "updated_at",
        ]
    )
    if payment_method == PaymentMethod.INVOICE:
        licence_transition(
            licence=locked,
            to_state=LicenceState.ACTIVE,
            actor=actor,
            reason=f"Converted to paid: {seats} seats, invoiced with {days} days to pay.",
        )
    licence.refresh_from_db()
    return ConversionResult(licence=licence, checkout_url=checkout_url)


@transaction.atomic
def licence_change_seats(*, licence: Licence, seats: int, actor: str) -> Licence:
    """A council admin (or the central body) changes the number of paid seats.

    Stripe prorates the difference onto the next invoice.
    """
    locked = _lock(licence)
    if locked.state not in (LicenceState.ACTIVE, LicenceState.PAST_DUE):
        raise StateError(
            "Seats can be changed on a paid licence only. During a trial the central body "
            "sets the seat cap; ask them, or convert to a paid licence."
        )
    if not locked.stripe_subscription_id:
        raise StateError("This licence has no subscription to change yet.")
    _validate_seats(council=locked.council, seats=seats)
    if seats == locked.seats:
        return locked
    client = stripe_client()
    subscription = call(
        "read the subscription", client.v1.subscriptions.retrieve, locked.stripe_subscription_id
    )
    item_id = subscription["items"].data[0].id
    call(
        "change the number of seats",
        client.v1.subscriptions.update,
        locked.stripe_subscription_id,
        params={"items": [{"id": item_id, "quantity": seats}]},
        options={"idempotency_key": idempotency_key(locked, f"seats-{seats}")},
    )
    logger.info("licence %s: seats %s -> %s by %s", locked.pk, locked.seats, seats, actor)
    locked.seats = seats
    locked.stripe_revision += 1
    locked.save(update_fields=["seats", "stripe_revision", "updated_at"])
    licence.refresh_from_db()
    return licence


@transaction.atomic
def licence_cancel(
    *, licence: Licence, actor: str, reason: str, retention_days: int | None = None
) -> Licence:
    """Cancel: read-only plus export until the retention period ends. Stops the subscription."""
    locked = _lock(licence)
    licence_transition(
        licence=locked,
        to_state=LicenceState.CANCELLED,
        actor=actor,
        reason=reason,
        retention_days=retention_days,
    )
    if locked.stripe_subscription_id:
        client = stripe_client()
        subscription = call(
            "read the subscription",
            client.v1.subscriptions.retrieve,
            locked.stripe_subscription_id,
        )
        if subscription.status != "canceled":
            call(
                "cancel the subscription",
                client.v1.subscriptions.cancel,
                locked.stripe_subscription_id,
                options={"idempotency_key": idempotency_key(locked, "cancel")},
            )
        locked.stripe_revision += 1
        locked.save(update_fields=["stripe_revision", "updated_at"])
    licence.refresh_from_db()
    return licence


def licence_billing_portal_url(*, licence: Licence, return_url: str) -> str:
    """A one-time link to Stripe's billing portal: invoices, payment details, seat changes."""
    if not licence.stripe_customer_id:
        raise StateError(
            "This council has no billing account yet; it is created when the trial is "
            "converted to a paid licence."
        )
    session = call(
        "open the billing portal",
        stripe_client().v1.billing_portal.sessions.create,
        params={"customer": licence.stripe_customer_id, "return_url": return_url},
        options={"idempotency_key": one_off_key(f"licence:{licence.pk}:portal")},
    )
    return str(session.url)


@transaction.atomic
def licence_delete_council_data(*, licence: Licence, actor: str, confirm_slug: str) -> Licence:
    """After the retention period, on the central body's confirmation, delete the council's data.

    Drops the council's schema (its users, cases, everything) and takes its address offline.
    The public records (council row, licence, its history) stay as the audit trail.
    """
    locked = _lock(licence)
    council = locked.council
    if locked.state != LicenceState.CANCELLED or locked.retention_until is None:
        raise StateError("Only a cancelled council's data can be deleted.")
    if locked.data_deleted_at is not None:
        raise StateError(f"{council.name}'s data was already deleted.")
    now = timezone.now()
    if now < locked.retention_until:
        raise StateError(
            f"{council.name}'s data must be kept until {locked.retention_until:%d %B %Y}."
        )
    if confirm_slug != council.slug:
        raise ValidationFailed(
            f"To confirm, type the council's slug ('{council.slug}').",
            extra={"confirm_slug": ["does not match"]},
        )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{council.schema_name}" CASCADE')
    Council.objects.filter(pk=council.pk).update(status=Council.Status.SUSPENDED, updated_at=now)
    # Its address goes offline at once in this process (others: within seconds).
    transaction.on_commit(council_host_cache_clear)
    locked.data_deleted_at = now
    locked.data_deleted_by = actor
    locked.save(update_fields=["data_deleted_at", "data_deleted_by", "updated_at"])
    logger.warning("council %s: data deleted by %s", council.slug, actor)
    licence.refresh_from_db()
    return licence
