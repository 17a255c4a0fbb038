"""POST /billing/stripe/webhook/: verified, stored, processed once, in order, or refused."""

from __future__ import annotations

import json
import time

import pytest

from billing.models import Licence, LicenceState, LicenceTransition, WebhookEvent
from tests.billing.conftest import make_event, set_state, stripe_signature

CUSTOMER = "cus_TestCouncilA01"
SEAT_PLAN = "caseload-seat-annual"


@pytest.fixture
def paying_a(council_a, webhook_secret) -> Licence:
    return set_state(
        council_a,
        LicenceState.ACTIVE,
        stripe_customer_id=CUSTOMER,
        stripe_subscription_id="sub_A",
        payment_method="invoice",
    )


def invoice(customer: str = CUSTOMER, quantity: int = 12, status: str = "paid") -> dict:
    return {
        "id": "in_" + str(time.time_ns()),
        "object": "invoice",
        "customer": customer,
        "status": status,
        "collection_method": "send_invoice",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_A"},
        },
        "lines": {
            "object": "list",
            "data": [
                {"object": "line_item", "quantity": quantity, "plan": {"id": SEAT_PLAN}},
                {"object": "line_item", "quantity": 1, "plan": None, "description": "Training day"},
            ],
        },
    }


def state_of(licence: Licence) -> str:
    licence.refresh_from_db()
    return licence.state


def test_valid_event_is_stored_applied_and_recorded(paying_a, post_webhook) -> None:
    Licence.objects.filter(pk=paying_a.pk).update(state=LicenceState.PAST_DUE)
    event = make_event("invoice.paid", invoice())
    response = post_webhook(event)
    assert response.status_code == 200, response.content
    assert response.json() == {"received": event["id"], "outcome": "applied", "duplicate": False}
    assert state_of(paying_a) == LicenceState.ACTIVE
    stored = WebhookEvent.objects.get(event_id=event["id"])
    assert stored.type == "invoice.paid" and stored.payload == event
    assert stored.processed_at is not None and stored.licence_id == paying_a.pk
    transition = paying_a.transitions.last()
    assert (transition.from_state, transition.to_state) == ("past_due", "active")
    assert transition.actor == "stripe" and transition.stripe_event_id == event["id"]
    assert paying_a.last_paid_at is not None and paying_a.seats == 12


@pytest.mark.parametrize(
    ("event_type", "start", "end"),
    [
        ("invoice.paid", "past_due", "active"),
        ("invoice.payment_succeeded", "lapsed", "active"),
        ("invoice.payment_failed", "active", "past_due"),
        ("invoice.overdue", "active", "past_due"),
        ("customer.subscription.deleted", "active", "cancelled"),
        ("customer.subscription.deleted", "past_due", "cancelled"),
    ],
)
def test_each_event_moves_the_licence(paying_a, post_webhook, event_type, start, end) -> None:
    Licence.objects.filter(pk=paying_a.pk).update(state=start)
    obj = (
        {"id": "sub_A", "object": "subscription", "customer": CUSTOMER, "status": "canceled"}
        if event_type.startswith("customer.subscription")
        else invoice()
    )
    assert post_webhook(make_event(event_type, obj)).status_code == 200
    assert state_of(paying_a) == end


def _nothing_changed(licence: Licence, transitions_before: int) -> None:
    assert state_of(licence) == LicenceState.ACTIVE
    assert LicenceTransition.objects.filter(licence=licence).count() == transitions_before
    assert not WebhookEvent.objects.exists()


def test_wrong_signature_is_400_and_changes_nothing(paying_a, post_webhook) -> None:
    before = paying_a.transitions.count()
    event = make_event("invoice.payment_failed", invoice())
    response = post_webhook(event, secret="whsec_someone_else")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    _nothing_changed(paying_a, before)


def test_unsigned_event_is_400_and_changes_nothing(paying_a, post_webhook) -> None:
    before = paying_a.transitions.count()
    response = post_webhook(make_event("invoice.payment_failed", invoice()), unsigned=True)
    assert response.status_code == 400
    _nothing_changed(paying_a, before)


def test_tampered_body_is_400(paying_a, post_webhook, webhook_secret) -> None:
    before = paying_a.transitions.count()
    event = make_event("invoice.payment_failed", invoice())
    signed_for = json.dumps({**event, "type": "invoice.paid"})
    signature = stripe_signature(signed_for, webhook_secret, int(time.time()))
    assert post_webhook(event, signature=signature).status_code == 400
    _nothing_changed(paying_a, before)


def test_replay_older_than_tolerance_is_400(paying_a, post_webhook, settings) -> None:
    assert settings.STRIPE_WEBHOOK_TOLERANCE == 300
    before = paying_a.transitions.count()
    event = make_event("invoice.payment_failed", invoice())
    # Correctly signed, but signed six minutes ago: a captured request being replayed.
    response = post_webhook(event, timestamp=int(time.time()) - 360)
    assert response.status_code == 400
    _nothing_changed(paying_a, before)
    # Within the tolerance it is accepted.
    assert post_webhook(event, timestamp=int(time.time()) - 200).status_code == 200


def test_no_secret_configured_refuses_everything(paying_a, post_webhook, settings) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = make_event("invoice.payment_failed", invoice())
    response = post_webhook(event, secret="")
    assert response.status_code == 503
    assert state_of(paying_a) == LicenceState.ACTIVE


def test_not_json_is_400(paying_a, settings, webhook_secret) -> None:
    from django.test import Client

    body = "not json"
    response = Client(HTTP_HOST=settings.PLATFORM_DOMAIN).post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, webhook_secret, int(time.time())),
    )
    assert response.status_code == 400


def test_duplicate_delivery_is_processed_once(paying_a, post_webhook) -> None:
    event = make_event("invoice.payment_failed", invoice())
    first = post_webhook(event)
    second = post_webhook(event)
    assert first.json()["outcome"] == "applied"
    assert second.status_code == 200
    assert second.json() == {"received": event["id"], "outcome": "applied", "duplicate": True}
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert paying_a.transitions.filter(to_state="past_due").count() == 1
    # And a duplicate does not re-apply after the licence moved on.
    post_webhook(make_event("invoice.paid", invoice()))
    assert state_of(paying_a) == LicenceState.ACTIVE
    post_webhook(event)
    assert state_of(paying_a) == LicenceState.ACTIVE


def test_out_of_order_older_event_does_not_move_the_licence_back(paying_a, post_webhook) -> None:
    now = int(time.time())
    failed = make_event("invoice.payment_failed", invoice(status="open"), created=now - 60)
    paid = make_event("invoice.paid", invoice(), created=now - 10)
    Licence.objects.filter(pk=paying_a.pk).update(state=LicenceState.PAST_DUE)
    # The newer "paid" arrives first, then the older "failed".
    assert post_webhook(paid).json()["outcome"] == "applied"
    response = post_webhook(failed)
    assert response.status_code == 200
    assert response.json()["outcome"] == "stale"
    assert state_of(paying_a) == LicenceState.ACTIVE
    assert WebhookEvent.objects.get(event_id=failed["id"]).outcome == "stale"
    # A genuinely newer failure still applies.
    newer = make_event("invoice.payment_failed", invoice(status="open"), created=now)
    assert post_webhook(newer).json()["outcome"] == "applied"
    assert state_of(paying_a) == LicenceState.PAST_DUE


def test_unknown_customer_is_logged_200_and_changes_nothing(
    paying_a, council_b, post_webhook, caplog
) -> None:
    before_a = Licence.objects.get(pk=paying_a.pk)
    before_b = Licence.objects.get(council=council_b)
    event = make_event(
        "customer.subscription.deleted",
        {"id": "sub_X", "object": "subscription", "customer": "cus_Nobody"},
    )
    with caplog.at_level("WARNING", logger="billing.services.webhooks"):
        response = post_webhook(event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown_customer"
    assert "cus_Nobody" in caplog.text
    for before in (before_a, before_b):
        after = Licence.objects.get(pk=before.pk)
        assert (after.state, after.updated_at) == (before.state, before.updated_at)
    stored = WebhookEvent.objects.get(event_id=event["id"])
    assert stored.licence is None and stored.outcome == "unknown_customer"


def test_event_types_we_do_not_use_are_stored_and_ignored(paying_a, post_webhook) -> None:
    response = post_webhook(make_event("customer.created", {"id": CUSTOMER, "object": "customer"}))
    assert response.json()["outcome"] == "ignored"
    assert state_of(paying_a) == LicenceState.ACTIVE


def test_event_not_allowed_from_current_state_is_refused_not_applied(
    paying_a, post_webhook
) -> None:
    Licence.objects.filter(pk=paying_a.pk).update(
        state=LicenceState.CANCELLED, retention_until="2030-01-01T00:00:00Z"
    )
    response = post_webhook(make_event("invoice.paid", invoice()))
    assert response.json()["outcome"] == "refused"
    assert state_of(paying_a) == LicenceState.CANCELLED
    assert paying_a.last_paid_at is None


def test_subscription_update_syncs_seats_from_the_billing_portal(paying_a, post_webhook) -> None:
    sub = {
        "id": "sub_A",
        "object": "subscription",
        "customer": CUSTOMER,
        "status": "active",
        "items": {
            "object": "list",
            "data": [{"id": "si_1", "quantity": 25, "price": {"id": SEAT_PLAN}}],
        },
    }
    response = post_webhook(make_event("customer.subscription.updated", sub))
    assert response.json()["outcome"] == "updated"
    paying_a.refresh_from_db()
    assert paying_a.seats == 25 and paying_a.state == LicenceState.ACTIVE


def test_webhook_lives_on_the_platform_host_only(council_a, webhook_secret) -> None:
    from django.test import Client

    body = json.dumps(make_event("invoice.paid", invoice()))
    response = Client(HTTP_HOST="council-a.localhost").post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, webhook_secret, int(time.time())),
    )
    assert response.status_code in (403, 404)
    assert not WebhookEvent.objects.exists()


def test_processing_failure_is_500_then_retried(paying_a, post_webhook, monkeypatch) -> None:
    from billing.services import webhooks

    event = make_event("invoice.payment_failed", invoice())
    real = webhooks.licence_transition

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(webhooks, "licence_transition", broken)
    assert post_webhook(event).status_code == 500
    stored = WebhookEvent.objects.get(event_id=event["id"])
    assert stored.outcome == "failed" and stored.processed_at is None
    assert state_of(paying_a) == LicenceState.ACTIVE
    monkeypatch.setattr(webhooks, "licence_transition", real)
    retry = post_webhook(event)
    assert retry.json()["outcome"] == "applied"
    assert state_of(paying_a) == LicenceState.PAST_DUE


def test_only_the_seat_plan_line_sets_seats(paying_a, post_webhook) -> None:
    """A one-off charge or the proration of a seat change must not overwrite the seat count."""
    Licence.objects.filter(pk=paying_a.pk).update(seats=12)
    one_off = invoice()
    one_off["lines"]["data"] = [{"object": "line_item", "quantity": 1, "price": {"id": "price_x"}}]
    post_webhook(make_event("invoice.paid", one_off))
    paying_a.refresh_from_db()
    assert paying_a.seats == 12
    prorated = invoice(quantity=30)
    # API versions from 2025 put the proration flag under parent.subscription_item_details.
    prorated["lines"]["data"] = [
        {
            "object": "line_item",
            "quantity": 30,
            "pricing": {"price_details": {"price": SEAT_PLAN}},
            "parent": {"subscription_item_details": {"proration": True}},
        },
        {"object": "line_item", "quantity": 15, "pricing": {"price_details": {"price": SEAT_PLAN}}},
    ]
    post_webhook(make_event("invoice.paid", prorated))
    paying_a.refresh_from_db()
    assert paying_a.seats == 15
