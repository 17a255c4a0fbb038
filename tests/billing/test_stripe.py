"""Conversion, seats, invoices, portal and cancellation against localstripe (no network)."""

from __future__ import annotations

import pytest

from billing.models import Licence, LicenceState
from billing.services import (
    licence_cancel,
    licence_change_seats,
    licence_convert,
)
from billing.stripe_client import BillingNotConfigured
from core.errors import StateError, ValidationFailed
from tests.billing.conftest import set_state
from tests.conftest import in_council, sign_in
from tests.factories import UserFactory


def _licence(council) -> Licence:
    return Licence.objects.select_related("council").get(council=council)


def test_conversion_by_invoice_creates_customer_and_per_seat_subscription(
    council_a, stripe_server, stripe_api, settings
) -> None:
    result = licence_convert(
        licence=_licence(council_a), seats=12, payment_method="invoice", actor="central x"
    )
    licence = result.licence
    assert licence.state == LicenceState.ACTIVE
    assert licence.seats == 12 and licence.payment_method == "invoice"
    assert result.checkout_url == ""

    customer = stripe_api.v1.customers.retrieve(licence.stripe_customer_id)
    assert customer.name == "Council A"
    assert customer.metadata["council_slug"] == "council-a"
    subscription = stripe_api.v1.subscriptions.retrieve(licence.stripe_subscription_id)
    assert subscription.customer == customer.id
    assert subscription.collection_method == "send_invoice"
    assert subscription.days_until_due == settings.BILLING_INVOICE_DAYS_UNTIL_DUE
    item = subscription["items"].data[0]
    assert item.quantity == 12
    assert item.plan.id == settings.BILLING_SEAT_PLAN_ID
    assert item.plan.amount == settings.BILLING_SEAT_PRICE_PENCE  # per seat
    assert item.plan.interval == "year"
    invoices = stripe_api.v1.invoices.list(params={"customer": customer.id}).data
    assert [(i.status, i.amount_due) for i in invoices] == [
        ("open", 12 * settings.BILLING_SEAT_PRICE_PENCE)
    ]

    transition = licence.transitions.last()
    assert (transition.from_state, transition.to_state, transition.actor) == (
        "trial",
        "active",
        "central x",
    )
    assert "12 seats" in transition.reason


def test_every_stripe_write_carries_the_platforms_idempotency_key(council_a, stripe_server) -> None:
    licence_convert(licence=_licence(council_a), seats=3, payment_method="invoice", actor="c")
    licence_change_seats(licence=_licence(council_a), seats=4, actor="admin")
    licence_cancel(licence=_licence(council_a), actor="c", reason="Leaving")
    writes = stripe_server.writes()
    assert {(w["method"], w["path"].split("/")[2]) for w in writes} >= {
        ("POST", "plans"),
        ("POST", "customers"),
        ("POST", "subscriptions"),
        ("DELETE", "subscriptions"),
    }
    assert all(w["key"] and w["key"].startswith("caseload:") for w in writes), writes
    keys = [w["key"] for w in writes]
    assert len(keys) == len(set(keys))  # each write its own key


def test_failed_conversion_is_retried_without_duplicates(
    council_a, stripe_server, stripe_api, monkeypatch
) -> None:
    """Stripe objects are made, then our transaction fails: nothing is saved here, and the
    retry gets the same customer and subscription back instead of second ones."""
    from billing.services import subscriptions

    real = subscriptions.licence_transition

    def fail(**kwargs):
        raise RuntimeError("lost the database connection")

    monkeypatch.setattr(subscriptions, "licence_transition", fail)
    with pytest.raises(RuntimeError):
        licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    licence = _licence(council_a)
    assert licence.state == LicenceState.TRIAL and licence.stripe_customer_id == ""

    monkeypatch.setattr(subscriptions, "licence_transition", real)
    licence = licence_convert(licence=licence, seats=5, payment_method="invoice", actor="c").licence
    assert licence.state == LicenceState.ACTIVE
    assert len(stripe_api.v1.customers.list().data) == 1
    assert len(stripe_api.v1.subscriptions.list().data) == 1
    assert licence.stripe_subscription_id == stripe_api.v1.subscriptions.list().data[0].id


def test_conversion_by_card_uses_checkout_and_waits_for_payment(
    council_a, stripe_server, post_webhook
) -> None:
    from tests.billing.conftest import make_event

    result = licence_convert(licence=_licence(council_a), seats=7, payment_method="card", actor="c")
    licence = result.licence
    assert result.checkout_url.startswith("https://checkout.stripe.com/")
    assert licence.state == LicenceState.TRIAL  # not paid yet
    assert licence.payment_method == "card" and licence.checkout_url == result.checkout_url
    checkout = next(w for w in stripe_server.writes() if w["path"] == "/v1/checkout/sessions")
    assert checkout["key"].startswith("caseload:")

    # Stripe reports the checkout done and the first invoice paid.
    completed = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "customer": licence.stripe_customer_id,
        "subscription": "sub_FromCheckout",
        "mode": "subscription",
    }
    assert (
        post_webhook(make_event("checkout.session.completed", completed)).json()["outcome"]
        == "updated"
    )
    paid = {
        "id": "in_1",
        "object": "invoice",
        "customer": licence.stripe_customer_id,
        "subscription": "sub_FromCheckout",
        "lines": {"data": [{"quantity": 7, "plan": {"id": "caseload-seat-annual"}}]},
    }
    assert post_webhook(make_event("invoice.paid", paid)).json()["outcome"] == "applied"
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert licence.stripe_subscription_id == "sub_FromCheckout" and licence.seats == 7


def test_conversion_refusals(council_a, stripe_server) -> None:
    with in_council(council_a):
        for _ in range(3):
            UserFactory(role="councillor")
    with pytest.raises(ValidationFailed, match="at least 3"):
        licence_convert(licence=_licence(council_a), seats=2, payment_method="invoice", actor="c")
    with pytest.raises(ValidationFailed):
        licence_convert(licence=_licence(council_a), seats=5, payment_method="cheque", actor="c")
    licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    with pytest.raises(StateError):
        licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    assert stripe_server.writes()  # the one conversion


def test_no_api_key_is_a_clear_503(council_a, settings) -> None:
    settings.STRIPE_API_KEY = ""
    with pytest.raises(BillingNotConfigured) as caught:
        licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    assert caught.value.status_code == 503
    assert _licence(council_a).state == LicenceState.TRIAL


def test_stripe_refusal_becomes_a_502_and_saves_nothing(council_a, stripe_server, settings) -> None:
    settings.STRIPE_API_KEY = "not-a-key"  # localstripe answers 401, as Stripe would
    from billing.stripe_client import BillingProviderError

    with pytest.raises(BillingProviderError) as caught:
        licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    assert caught.value.status_code == 502 and "Nothing was changed" in caught.value.message
    licence = _licence(council_a)
    assert (licence.state, licence.stripe_customer_id) == (LicenceState.TRIAL, "")


def test_admin_changes_seats_via_api_and_stripe_follows(
    council_a, council_b, stripe_server, stripe_api, api_for, make_user
) -> None:
    licence_convert(licence=_licence(council_a), seats=5, payment_method="invoice", actor="c")
    admin = make_user(council_a, role="admin")
    client = api_for(council_a, admin)
    response = client.post("/api/v1/billing/seats/", {"seats": 9}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["seats"] == 9
    subscription = stripe_api.v1.subscriptions.retrieve(_licence(council_a).stripe_subscription_id)
    assert subscription["items"].data[0].quantity == 9

    # A councillor cannot; another council's admin cannot touch A's.
    councillor = api_for(council_a, make_user(council_a, role="councillor"))
    assert councillor.post("/api/v1/billing/seats/", {"seats": 3}, format="json").status_code == 403
    outsider = api_for(council_b, make_user(council_b, role="admin"))
    response = outsider.post("/api/v1/billing/seats/", {"seats": 3}, format="json")
    assert response.status_code == 422  # B is on a trial; A is untouched
    assert _licence(council_a).seats == 9
    bad = client.post("/api/v1/billing/seats/", {"seats": 0}, format="json")
    assert bad.status_code == 400 and "seats" in bad.json()["error"]["fields"]


def test_invoice_list_for_admins_with_constant_queries(
    council_a, stripe_server, stripe_api, api_for, make_user
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user(council_a, role="admin")
    client = api_for(council_a, admin)
    assert client.get("/api/v1/billing/invoices/").json() == {"results": []}  # trial: none
    licence = licence_convert(
        licence=_licence(council_a), seats=4, payment_method="invoice", actor="c"
    ).licence

    def fetch() -> tuple[list[dict], int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/billing/invoices/")
        assert response.status_code == 200
        return response.json()["results"], len(captured.captured_queries)

    [invoice], queries_for_one = fetch()
    assert invoice["status"] == "open" and invoice["amount_due"] == 4 * 12000
    assert invoice["due_date"] is not None
    for amount in (1000, 2000):  # two more invoices (e.g. prorated seat changes)
        stripe_api.v1.invoice_items.create(
            params={"customer": licence.stripe_customer_id, "amount": amount, "currency": "gbp"}
        )
        stripe_api.v1.invoices.create(params={"customer": licence.stripe_customer_id})
    invoices, queries_for_three = fetch()
    assert len(invoices) == 3
    # The database is asked the same few things (host, token, licence) however many
    # invoices there are: Stripe holds them.
    assert queries_for_three == queries_for_one


def test_billing_portal_link(council_a, stripe_server, api_for, make_user) -> None:
    admin = make_user(council_a, role="admin")
    client = api_for(council_a, admin)
    response = client.post("/api/v1/billing/portal/")
    assert response.status_code == 422  # no billing account during the trial
    licence_convert(licence=_licence(council_a), seats=4, payment_method="invoice", actor="c")
    response = client.post("/api/v1/billing/portal/")
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://billing.stripe.com/")
    portal = [w for w in stripe_server.writes() if w["path"] == "/v1/billing_portal/sessions"]
    # The first request (during the trial) was refused before reaching Stripe.
    assert len(portal) == 1 and portal[0]["key"].startswith("caseload:")


def test_portal_stays_open_when_lapsed_so_the_admin_can_pay(
    council_a, stripe_server, api_for, make_user
) -> None:
    client = api_for(council_a, make_user(council_a, role="admin"))
    licence_convert(licence=_licence(council_a), seats=4, payment_method="invoice", actor="c")
    set_state(council_a, LicenceState.LAPSED)
    assert client.post("/api/v1/billing/portal/").status_code == 200
    assert client.post("/api/v1/billing/seats/", {"seats": 5}, format="json").status_code == 403


def test_cancel_stops_the_subscription_in_stripe(council_a, stripe_server, stripe_api) -> None:
    licence = licence_convert(
        licence=_licence(council_a), seats=4, payment_method="invoice", actor="c"
    ).licence
    licence_cancel(licence=licence, actor="central", reason="Council left", retention_days=60)
    assert licence.state == LicenceState.CANCELLED
    assert (licence.retention_until - licence.cancelled_at).days == 60
    assert stripe_api.v1.subscriptions.retrieve(licence.stripe_subscription_id).status == "canceled"


def test_council_billing_page_for_admins_only(council_a, stripe_server, make_user) -> None:
    from django.test import Client

    from tests.factories import DEFAULT_PASSWORD

    licence_convert(licence=_licence(council_a), seats=4, payment_method="invoice", actor="c")
    admin = make_user(council_a, role="admin")
    client = Client(HTTP_HOST="council-a.localhost")
    sign_in(client, council_a, admin)
    page = client.get("/billing/")
    assert page.status_code == 200
    assert b'data-licence-state="active"' in page.content and b"/api/v1/export/" in page.content
    response = client.post("/billing/seats/", {"seats": 6})
    assert response.status_code == 302
    assert _licence(council_a).seats == 6

    councillor = make_user(council_a, role="councillor")
    other = Client(HTTP_HOST="council-a.localhost")
    other.post("/login/", {"username": councillor.email, "password": DEFAULT_PASSWORD})
    assert other.get("/billing/").status_code == 403
