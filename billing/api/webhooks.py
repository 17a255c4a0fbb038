"""POST /billing/stripe/webhook/ on the platform host. Stripe signs; we verify, store, apply."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.services import (
    webhook_event_mark_failed,
    webhook_event_process,
    webhook_event_record,
)
from core.errors import ApplicationError

logger = logging.getLogger(__name__)


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is the authentication.
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        logger.error("stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
        # 503 so Stripe keeps retrying until the platform is configured.
        return _error("webhook_not_configured", "Webhooks are not configured.", 503)
    try:
        # Verifies the signature and that it was made within the tolerance (replays).
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature"),
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except stripe.SignatureVerificationError as exc:
        logger.warning("stripe webhook with a bad signature refused: %s", exc)
        return _error("invalid_signature", "The Stripe signature is missing or invalid.", 400)
    except ValueError:
        return _error("invalid_payload", "The body is not a Stripe event.", 400)
    try:
        # The raw body, not the library's object: it is what Stripe signed and what we keep.
        payload = json.loads(request.body)
        row, created = webhook_event_record(event=payload)
    except (ValueError, ApplicationError) as exc:
        return _error("invalid_payload", str(exc), 400)
    if not created and row.processed_at is not None:
        return JsonResponse({"received": event.id, "outcome": row.outcome, "duplicate": True})
    try:
        row = webhook_event_process(webhook_event=row)
    except Exception as exc:
        logger.exception("stripe webhook %s failed", row.event_id)
        webhook_event_mark_failed(webhook_event=row, error=f"{exc.__class__.__name__}: {exc}")
        # A 5xx makes Stripe deliver it again later; the stored row is processed then.
        return _error("processing_failed", "The event was stored but not applied.", 500)
    return JsonResponse(
        {"received": row.event_id, "outcome": row.outcome, "duplicate": not created}
    )
