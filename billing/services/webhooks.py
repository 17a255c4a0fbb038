"""Stripe webhooks: each verified event is stored, then processed exactly once.

Stripe delivers at least once and in no particular order, so:
* the event id is unique in WebhookEvent: a redelivery finds the stored row and stops;
* processing locks the row and the licence, so two concurrent deliveries cannot both apply;
* an event older (by Stripe's `created`) than the last one that moved the licence is kept
  but not applied, so a late `invoice.payment_failed` cannot undo a newer `invoice.paid`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import ALLOWED_TRANSITIONS, Licence, LicenceState, WebhookEvent
from billing.services.licences import licence_transition
from core.errors import ValidationFailed

logger = logging.getLogger(__name__)

Outcome = WebhookEvent.Outcome

# Event type -> the licence state it moves to.
STATE_EVENTS: dict[str, str] = {
    "invoice.paid": LicenceState.ACTIVE,
    # Older API versions send only this one for a paid invoice.
    "invoice.payment_succeeded": LicenceState.ACTIVE,
    "invoice.payment_failed": LicenceState.PAST_DUE,
    # send_invoice subscriptions are not charged, so an unpaid invoice shows up as overdue.
    "invoice.overdue": LicenceState.PAST_DUE,
    "customer.subscription.deleted": LicenceState.CANCELLED,
}
DETAIL_EVENTS = frozenset({"checkout.session.completed", "customer.subscription.updated"})


def _id_of(value: Any) -> str:
    """Stripe sends either an id or, when expanded, the object itself."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def webhook_event_record(*, event: dict[str, Any]) -> tuple[WebhookEvent, bool]:
    """Store a verified event. Returns (row, created); a redelivery returns the stored row."""
    event_id = str(event.get("id") or "")
    if not event_id or not event.get("type") or not isinstance(event.get("data"), dict):
        raise ValidationFailed("Not a Stripe event: it needs an id, a type and data.")
    created = datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC)
    try:
        with transaction.atomic():
            return WebhookEvent.objects.get_or_create(
                event_id=event_id,
                defaults={
                    "type": str(event["type"]),
                    "livemode": bool(event.get("livemode")),
                    "event_created": created,
                    "payload": event,
                },
            )
    except IntegrityError:  # a concurrent delivery inserted it first
        return WebhookEvent.objects.get(event_id=event_id), False


def _price_id(line: dict[str, Any]) -> str:
    """The plan/price a subscription item or invoice line is for, in any API version."""
    pricing = (line.get("pricing") or {}).get("price_details") or {}
    for candidate in (line.get("plan"), line.get("price"), pricing.get("price")):
        if _id_of(candidate):
            return _id_of(candidate)
    return ""


def _is_proration(line: dict[str, Any]) -> bool:
    details = (line.get("parent") or {}).get("subscription_item_details") or {}
    return bool(line.get("proration") or details.get("proration"))


def _seats_from(obj: dict[str, Any]) -> int | None:
    """The seat count in a subscription or invoice: the quantity of the seat plan's line.

    Other lines (one-off charges, prorations of a seat change) say nothing about the number
    of seats now bought, so they are ignored.
    """
    plan_id = settings.BILLING_SEAT_PLAN_ID
    if obj.get("object") == "subscription":
        lines = (obj.get("items") or {}).get("data") or []
    else:
        lines = [
            line for line in (obj.get("lines") or {}).get("data") or [] if not _is_proration(line)
        ]
    for line in lines:
        if _price_id(line) == plan_id and line.get("quantity"):
            return int(line["quantity"])
    return None


def _subscription_of(obj: dict[str, Any]) -> str:
    if obj.get("object") == "subscription":
        return _id_of(obj.get("id"))
    if obj.get("subscription"):
        return _id_of(obj.get("subscription"))
    parent = obj.get("parent") or {}
    return _id_of((parent.get("subscription_details") or {}).get("subscription"))


def _finish(row: WebhookEvent, outcome: str, detail: str, licence: Licence | None) -> None:
    row.outcome = outcome
    row.detail = detail
    row.licence = licence
    row.processed_at = timezone.now()
    row.save(update_fields=["outcome", "detail", "licence", "processed_at", "updated_at"])


@transaction.atomic
def webhook_event_process(*, webhook_event: WebhookEvent) -> WebhookEvent:
    """Apply a stored event to its council's licence, once."""
    row = WebhookEvent.objects.select_for_update().get(pk=webhook_event.pk)
    if row.processed_at is not None and row.outcome != Outcome.FAILED:
        return row
    event_type = row.type
    obj: dict[str, Any] = (row.payload.get("data") or {}).get("object") or {}

    if event_type not in STATE_EVENTS and event_type not in DETAIL_EVENTS:
        _finish(row, Outcome.IGNORED, f"{event_type} is not used by the platform.", None)
        return row

    customer_id = _id_of(obj.get("customer"))
    licence = (
        Licence.objects.select_for_update().filter(stripe_customer_id=customer_id).first()
        if customer_id
        else None
    )
    if licence is None:
        logger.warning(
            "stripe event %s (%s) for unknown customer %r: ignored",
            row.event_id,
            event_type,
            customer_id,
        )
        _finish(row, Outcome.UNKNOWN_CUSTOMER, f"No council has customer '{customer_id}'.", None)
        return row

    if licence.last_stripe_event_at and row.event_created < licence.last_stripe_event_at:
        _finish(
            row,
            Outcome.STALE,
            f"Created {row.event_created:%Y-%m-%d %H:%M:%S}, before the last event applied "
            f"({licence.last_stripe_event_at:%Y-%m-%d %H:%M:%S}); not applied.",
            licence,
        )
        return row

    target = STATE_EVENTS.get(event_type)
    if (
        target is not None
        and target != licence.state
        and target not in ALLOWED_TRANSITIONS[licence.state]
    ):
        logger.warning(
            "stripe event %s (%s) would move licence %s from %s to %s: refused",
            row.event_id,
            event_type,
            licence.pk,
            licence.state,
            target,
        )
        _finish(
            row,
            Outcome.REFUSED,
            f"A licence cannot go from '{licence.state}' to '{target}'.",
            licence,
        )
        return row

    fields = _record_details(licence, row, obj)
    if target is None:
        _finish(row, Outcome.UPDATED, f"Recorded {', '.join(fields)}.", licence)
    elif licence.state == target:
        _finish(row, Outcome.NO_CHANGE, f"Licence already {target}.", licence)
    else:
        licence_transition(
            licence=licence,
            to_state=target,
            actor="stripe",
            reason=f"Stripe reported {event_type} ({row.event_id}).",
            stripe_event_id=row.event_id,
        )
        _finish(row, Outcome.APPLIED, f"Licence moved to {target}.", licence)
    return row


def _record_details(licence: Licence, row: WebhookEvent, obj: dict[str, Any]) -> list[str]:
    """Keep what Stripe knows in step: event time, subscription, seats, last payment."""
    fields: list[str] = ["last_stripe_event_at"]
    licence.last_stripe_event_at = row.event_created
    subscription_id = _subscription_of(obj)
    if subscription_id and not licence.stripe_subscription_id:
        # Card conversions learn their subscription from Checkout.
        licence.stripe_subscription_id = subscription_id
        fields.append("stripe_subscription_id")
    if row.type != "customer.subscription.deleted":
        seats = _seats_from(obj)
        if seats and seats != licence.seats:
            licence.seats = seats
            fields.append("seats")
    if row.type in ("invoice.paid", "invoice.payment_succeeded"):
        licence.last_paid_at = row.event_created
        fields.append("last_paid_at")
    licence.save(update_fields=[*fields, "updated_at"])
    return fields


def webhook_event_mark_failed(*, webhook_event: WebhookEvent, error: str) -> None:
    WebhookEvent.objects.filter(pk=webhook_event.pk).update(
        outcome=Outcome.FAILED, detail=error[:2000], updated_at=timezone.now()
    )
