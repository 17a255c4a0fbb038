"""The one place the stripe library is configured and called from.

Settings are read on every call (not at import), so tests and local runs can point
STRIPE_API_BASE at a localstripe server started after Django.
"""

from __future__ import annotations

import functools
import logging
import uuid
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from stripe._base_address import BaseAddresses

from core.errors import ApplicationError

if TYPE_CHECKING:
    from billing.models import Licence

logger = logging.getLogger(__name__)


class BillingProviderError(ApplicationError):
    """Stripe could not be reached or refused the request. Nothing was saved on our side."""

    status_code = 502
    code = "billing_provider_error"


class BillingNotConfigured(ApplicationError):
    status_code = 503
    code = "billing_not_configured"


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    base: BaseAddresses | None = {"api": api_base} if api_base else None
    # The library retries network failures itself, reusing our idempotency key.
    return stripe.StripeClient(api_key, base_addresses=base, max_network_retries=2)


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_API_KEY:
        raise BillingNotConfigured(
            "Payments are not set up on this platform (STRIPE_API_KEY is empty). "
            "Ask the platform operator to configure Stripe."
        )
    return _client(settings.STRIPE_API_KEY, settings.STRIPE_API_BASE)


def idempotency_key(licence: Licence, operation: str) -> str:
    """A key that is the same when the same write is retried, and new for the next write.

    `stripe_revision` only moves when a write's database transaction commits, so a write
    that failed half-way is retried under the same key and Stripe replays its first answer.
    """
    return f"caseload:licence:{licence.pk}:r{licence.stripe_revision}:{operation}"


def one_off_key(operation: str) -> str:
    """For short-lived objects (portal sessions) where any retry may make a fresh one."""
    return f"caseload:{operation}:{uuid.uuid4().hex}"


def call(description: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one Stripe call, turning the library's errors into a message for the user."""
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        logger.warning("stripe %s failed: %s", description, exc)
        message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
        raise BillingProviderError(
            f"Stripe could not {description}: {message}. Nothing was changed; try again."
        ) from exc


def _reraise(exc: Exception) -> None:
    raise exc


def ensure_seat_plan() -> str:
    """The per-seat yearly plan every subscription uses; created once, found afterwards.

    A Plan rather than a Price: localstripe (used in tests) has no Prices, and Stripe accepts
    a plan's id wherever a price id goes.
    """
    client = stripe_client()
    plan_id = settings.BILLING_SEAT_PLAN_ID
    try:
        client.v1.plans.retrieve(plan_id)
        return plan_id
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            call("read the seat plan", _reraise, exc)
    except stripe.StripeError as exc:
        call("read the seat plan", _reraise, exc)
    call(
        "create the seat plan",
        client.v1.plans.create,
        params={
            "id": plan_id,
            "amount": settings.BILLING_SEAT_PRICE_PENCE,
            "currency": settings.BILLING_CURRENCY,
            "interval": "year",
            "nickname": "Councillor seat, per year",
            "product": {"name": f"{settings.PLATFORM_NAME}: councillor seat"},
        },
        options={"idempotency_key": f"caseload:plan:{plan_id}:create"},
    )
    return plan_id
