"""Central body licence controls: the console pages and /api/v1/platform/... endpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Licence, LicenceState
from tests.billing.conftest import set_state
from tests.conftest import sign_in


@pytest.fixture
def central(db, make_user, api_for):
    return api_for(None, make_user(None, email="analyst@central.gov.uk"))


@pytest.fixture
def console(db, make_user) -> Client:
    user = make_user(None, email="desk@central.gov.uk")
    client = Client(HTTP_HOST="localhost")
    assert sign_in(client, None, user).status_code == 302
    return client


def test_licence_list_shows_state_trial_end_and_seats(central, council_a, council_b) -> None:
    set_state(council_b, LicenceState.ACTIVE, seats=25)
    response = central.get("/api/v1/platform/licences/")
    assert response.status_code == 200
    rows = {r["council_slug"]: r for r in response.json()["results"]}
    assert rows["council-a"]["state"] == "trial" and rows["council-a"]["trial_ends_at"]
    assert rows["council-b"]["state"] == "active" and rows["council-b"]["seats"] == 25


def test_licence_list_queries_do_not_grow_with_councils(central, council_a, fresh_council) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert central.get("/api/v1/platform/licences/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(3):
        fresh_council(f"extra-{i}")
    assert count() == few


def test_only_central_staff_reach_the_platform_licence_api(
    council_a, api_for, make_user, central
) -> None:
    admin = make_user(council_a, role="admin")
    council_token = api_for(council_a, admin)._credentials["HTTP_AUTHORIZATION"]
    on_platform = api_for(None)
    on_platform.credentials(HTTP_AUTHORIZATION=council_token)
    url = "/api/v1/platform/councils/council-a/licence/extend-trial/"
    body = {"days": 30, "reason": "x"}
    assert on_platform.post(url, body, format="json").status_code == 401
    assert api_for(None).post(url, body, format="json").status_code == 401
    # Not served on council hosts at all.
    assert api_for(council_a, admin).post(url, body, format="json").status_code == 404
    assert Licence.objects.get(council=council_a).state == LicenceState.TRIAL
    assert central.post(url, body, format="json").status_code == 200


def test_extend_convert_cancel_through_the_api(central, council_a, stripe_server) -> None:
    base = "/api/v1/platform/councils/council-a/licence/"
    extended = central.post(
        base + "extend-trial/", {"days": 21, "reason": "Summer recess"}, format="json"
    )
    assert extended.status_code == 200
    assert extended.json()["state"] == "trial_extended"
    assert "Summer recess" in extended.json()["transitions"][0]["reason"]

    converted = central.post(
        base + "convert/", {"seats": 15, "payment_method": "invoice"}, format="json"
    )
    assert converted.status_code == 200, converted.content
    assert converted.json()["state"] == "active" and converted.json()["seats"] == 15
    assert converted.json()["stripe_customer_id"].startswith("cus_")

    again = central.post(base + "convert/", {"seats": 15}, format="json")
    assert again.status_code == 422  # already paid

    illegal = central.post(base + "extend-trial/", {"days": 5, "reason": "x"}, format="json")
    assert illegal.status_code == 422

    cancelled = central.post(
        base + "cancel/", {"reason": "Moving to CRM", "retention_days": 30}, format="json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["retention_until"]
    detail = central.get(base).json()
    assert [t["to_state"] for t in detail["transitions"]] == [
        "cancelled",
        "active",
        "trial_extended",
        "trial",
    ]
    assert all(t["actor"] for t in detail["transitions"])


def test_bad_input_and_unknown_council(central, council_a) -> None:
    response = central.post(
        "/api/v1/platform/councils/council-a/licence/extend-trial/", {"days": 0}, format="json"
    )
    assert response.status_code == 400
    assert {"days", "reason"} <= set(response.json()["error"]["fields"])
    missing = central.get("/api/v1/platform/councils/nowhere/licence/")
    assert missing.status_code == 404


def test_delete_data_only_after_retention_and_with_confirmation(central, fresh_council) -> None:
    council = fresh_council("short-lived")
    base = "/api/v1/platform/councils/short-lived/licence/"
    assert (
        central.post(
            base + "cancel/", {"reason": "Pilot over", "retention_days": 0}, format="json"
        ).status_code
        == 200
    )
    Licence.objects.filter(council=council).update(
        retention_until=timezone.now() + timedelta(days=1)
    )
    early = central.post(base + "delete-data/", {"confirm_slug": "short-lived"}, format="json")
    assert early.status_code == 422
    Licence.objects.filter(council=council).update(
        retention_until=timezone.now() - timedelta(seconds=1)
    )
    wrong = central.post(base + "delete-data/", {"confirm_slug": "short"}, format="json")
    assert wrong.status_code == 400
    done = central.post(base + "delete-data/", {"confirm_slug": "short-lived"}, format="json")
    assert done.status_code == 200 and done.json()["data_deleted_at"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [council.schema_name])
        assert cursor.fetchone() is None
    # The address is offline; the licence history is kept.
    assert Client(HTTP_HOST="short-lived.localhost").get("/login/").status_code == 404
    assert len(central.get(base).json()["transitions"]) == 2


def test_console_pages_list_and_act(console, council_a, council_b) -> None:
    page = console.get("/licences/")
    assert page.status_code == 200
    assert (
        b'data-council="council-a"' in page.content and b'data-council="council-b"' in page.content
    )

    detail = console.get("/licences/council-a/")
    assert detail.status_code == 200 and b'data-licence-state="trial"' in detail.content

    response = console.post("/licences/council-a/extend/", {"days": 14, "reason": "Elections"})
    assert response.status_code == 302
    assert Licence.objects.get(council=council_a).state == LicenceState.TRIAL_EXTENDED
    followed = console.get("/licences/council-a/")
    assert b"Elections" in followed.content and b"Trial extended." in followed.content

    # A form with errors comes back on the licence page, each error naming its field.
    refused = console.post("/licences/council-a/extend/", {"days": 0, "reason": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "Extra days must be 1 or more" in page
    assert "Enter why the trial is extended" in page
    assert "This field is required" not in page

    # Cancelling asks first, and only the confirmation cancels.
    asked = console.post("/licences/council-b/cancel/", {"reason": "Left", "retention_days": 90})
    assert asked.status_code == 200
    assert b"Yes, cancel the licence" in asked.content
    assert Licence.objects.get(council=council_b).state != LicenceState.CANCELLED
    response = console.post(
        "/licences/council-b/cancel/", {"reason": "Left", "retention_days": 90, "confirm": "yes"}
    )
    assert response.status_code == 302
    assert Licence.objects.get(council=council_b).state == LicenceState.CANCELLED


def test_console_convert_by_card_shows_the_checkout_link(console, council_a, stripe_server) -> None:
    response = console.post(
        "/licences/council-a/convert/",
        {"seats": 8, "payment_method": "card", "days_until_due": 30},
    )
    assert response.status_code == 302
    licence = Licence.objects.get(council=council_a)
    assert licence.checkout_url.startswith("https://checkout.stripe.com/")
    assert licence.checkout_url.encode() in console.get("/licences/council-a/").content


def test_console_is_for_central_staff_only(council_a, make_user) -> None:
    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.get("/licences/").status_code == 302
    assert anonymous.post("/licences/council-a/cancel/", {"reason": "x"}).status_code == 302
    admin = make_user(council_a, role="admin")
    on_council = Client(HTTP_HOST="council-a.localhost")
    sign_in(on_council, council_a, admin)
    assert on_council.get("/licences/").status_code == 404
    assert Licence.objects.get(council=council_a).state == LicenceState.TRIAL
