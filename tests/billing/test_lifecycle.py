"""Two councils' whole lives, end to end, with Stripe served by localstripe.

One: trial -> 14-day notice -> conversion -> invoice paid -> payment failed (past due)
-> paid again -> cancelled -> read-only -> export still works.
Two: lets its trial lapse -> read-only, and every one of its cases is still there.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing import tasks
from billing.models import Licence, LicenceState, WebhookEvent
from billing.services import LicenceReadOnly
from caseload.services import member_add
from tests.billing.conftest import admin_of, make_event
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.usefixtures("stripe_server")


@pytest.fixture(autouse=True)
def tasks_run_inline(monkeypatch):
    """Run the email tasks' bodies where the test would queue them (no broker needed)."""
    for task in (tasks.licence_notify_transition, tasks.trial_notice_send):
        monkeypatch.setattr(task, "delay", lambda _t=task, **kw: _t.apply(kwargs=kw).get())


def _licence(council) -> Licence:
    return Licence.objects.select_related("council").get(council=council)


def _open_cases(api, councillor, count: int, start: int = 0) -> list[str]:
    from caseload.services.constituents import constituent_create

    with schema_context(api.council.schema_name):
        constituent = constituent_create(
            actor=councillor, name=f"Resident {start}", postcode="KY1 1XX"
        )
    references = []
    for i in range(start, start + count):
        response = api.post(
            "/api/v1/cases/",
            {"constituent": constituent.pk, "title": f"Blocked drain number {i}"},
            format="json",
        )
        assert response.status_code == 201, response.content
        references.append(response.json()["reference"])
    return references


def _case_references(api) -> set[str]:
    refs: set[str] = set()
    url = "/api/v1/cases/?limit=100"
    while url:
        page = api.get(url).json()
        refs |= {row["reference"] for row in page["results"]}
        url = page["next"]
    return refs


def _api(api_for, council, user):
    client = api_for(council, user)
    client.council = council
    return client


def _export(api) -> dict:
    response = api.get("/api/v1/export/")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def _exported_case_count(document: dict) -> int:
    # The admin's export counts the cases and never carries them (issue 14).
    assert "caseload.case" not in document["models"]
    return document["statistics"]["caseload.case"]


def test_council_one_full_life(
    fresh_council,
    stripe_api,
    api_for,
    make_user,
    post_webhook,
    sent_mail,
    django_capture_on_commit_callbacks,
    settings,
) -> None:
    council = fresh_council("lifecycle-one", name="Lifecycle One Council")
    admin = admin_of(council)
    councillor = make_user(council, role="councillor", email="cllr@one.gov.uk")
    admin_api = _api(api_for, council, admin)
    cllr_api = _api(api_for, council, councillor)
    central = api_for(None, make_user(None, email="desk@central.gov.uk"))
    base = "/api/v1/platform/councils/lifecycle-one/licence/"

    # Trial: 90 days, 10 seats; cases are worked as normal.
    licence = _licence(council)
    assert (licence.state, licence.seats) == (LicenceState.TRIAL, 10)
    cases = _open_cases(cllr_api, councillor, 3)

    # 76 days on: the trial ends in 14 days and the daily job emails the admin once.
    Licence.objects.filter(pk=licence.pk).update(
        trial_ends_at=timezone.now() + timedelta(days=13, hours=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.licence_daily()["trial_notices"] == 1
        assert tasks.licence_daily()["trial_notices"] == 0
    [notice] = sent_mail()
    assert notice.to == [admin.email] and "trial ends in 14 days" in notice.subject

    # Conversion by the central body: invoice, 12 seats.
    with django_capture_on_commit_callbacks(execute=True):
        response = central.post(
            base + "convert/", {"seats": 12, "payment_method": "invoice"}, format="json"
        )
    assert response.status_code == 200, response.content
    licence = _licence(council)
    assert (licence.state, licence.seats) == (LicenceState.ACTIVE, 12)
    assert sent_mail()[-1].to == [admin.email] and "active" in sent_mail()[-1].subject
    [first_invoice] = stripe_api.v1.invoices.list(
        params={"customer": licence.stripe_customer_id}
    ).data
    assert first_invoice.status == "open" and first_invoice.amount_due == 12 * 12000

    t0 = int(time.time())

    def deliver(event_type: str, obj, offset: int) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook(make_event(event_type, obj, created=t0 + offset))
        assert response.status_code == 200, response.content
        return response.json()["outcome"]

    # The council pays the first invoice.
    paid = first_invoice.to_dict() | {"status": "paid", "amount_paid": first_invoice.amount_due}
    assert deliver("invoice.paid", paid, 1) == "no_change"  # active since conversion
    assert _licence(council).last_paid_at is not None

    # A year on, the renewal invoice fails: past due, with everything still working.
    stripe_api.v1.invoice_items.create(
        params={"customer": licence.stripe_customer_id, "amount": 144000, "currency": "gbp"}
    )
    renewal = stripe_api.v1.invoices.create(params={"customer": licence.stripe_customer_id})
    assert deliver("invoice.payment_failed", renewal.to_dict(), 2) == "applied"
    licence = _licence(council)
    assert licence.state == LicenceState.PAST_DUE and licence.past_due_since is not None
    assert licence.seats == 12  # the renewal's one-off line is not a seat count
    assert "past due" in sent_mail()[-1].subject.lower()
    cases += _open_cases(cllr_api, councillor, 1, start=3)  # still writable
    web = Client(HTTP_HOST="lifecycle-one.localhost")
    sign_in(web, council, admin)
    assert b'data-licence-banner="past_due"' in web.get("/billing/").content

    # Paid again.
    assert deliver("invoice.paid", renewal.to_dict() | {"status": "paid"}, 3) == "applied"
    assert _licence(council).state == LicenceState.ACTIVE

    # The subscription is cancelled in Stripe: the licence follows.
    cancelled_sub = stripe_api.v1.subscriptions.cancel(
        licence.stripe_subscription_id, options={"idempotency_key": "test-cancel"}
    )
    assert deliver("customer.subscription.deleted", cancelled_sub.to_dict(), 4) == "applied"
    licence = _licence(council)
    assert licence.state == LicenceState.CANCELLED
    assert licence.retention_until >= timezone.now() + timedelta(
        days=settings.BILLING_RETENTION_DAYS - 1
    )

    # Read-only: API, web and service (as a task runs it) all refuse writes.
    refused = cllr_api.post("/api/v1/cases/", {"constituent": 1, "title": "New"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "licence_read_only"
    assert web.post("/billing/seats/", {"seats": 3}).status_code == 403
    with schema_context(council.schema_name), pytest.raises(LicenceReadOnly):
        member_add(actor=None, email="late@one.gov.uk", role="staff")
    # ... but sign-in, reading and export work, and nothing was lost.
    assert _case_references(_api(api_for, council, councillor)) == set(cases)
    document = _export(admin_api)
    assert document["licence_state"] == "cancelled"
    assert _exported_case_count(document) == len(cases)
    assert {"cllr@one.gov.uk", admin.email} <= {
        row[document["models"]["accounts.user"]["fields"].index("email")]
        for row in document["models"]["accounts.user"]["rows"]
    }

    # The whole story is on record: who, when, why.
    history = list(
        licence.transitions.order_by("created_at", "id").values_list(
            "from_state", "to_state", "actor"
        )
    )
    assert history == [
        ("", "trial", "tests"),
        ("trial", "active", "central desk@central.gov.uk"),
        ("active", "past_due", "stripe"),
        ("past_due", "active", "stripe"),
        ("active", "cancelled", "stripe"),
    ]
    assert all(t.notified_at for t in licence.transitions.exclude(from_state=""))
    assert WebhookEvent.objects.filter(licence=licence).count() == 4


def test_council_two_lets_its_trial_lapse_and_keeps_every_case(
    fresh_council, api_for, make_user, sent_mail, django_capture_on_commit_callbacks
) -> None:
    council = fresh_council("lifecycle-two", name="Lifecycle Two Council")
    admin = admin_of(council)
    councillors = [
        make_user(council, role="councillor", email=f"c{i}@two.gov.uk") for i in range(3)
    ]
    references: list[str] = []
    for i, councillor in enumerate(councillors):
        references += _open_cases(_api(api_for, council, councillor), councillor, 4, start=i * 4)
    with schema_context(council.schema_name):
        from caseload.models import Action, Case

        before = {
            "cases": Case.objects.count(),
            "actions": Action.objects.count(),
            "users": User.objects.count(),
        }
    assert before["cases"] == 12

    # The trial runs out without conversion.
    Licence.objects.filter(council=council).update(
        trial_ends_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.licence_daily()["trials_lapsed"] >= 1
    licence = _licence(council)
    assert licence.state == LicenceState.LAPSED
    assert sent_mail()[-1].to == [admin.email] and "lapsed" in sent_mail()[-1].subject.lower()

    # Read-only for everyone.
    api = _api(api_for, council, councillors[0])
    response = api.post(
        "/api/v1/cases/", {"constituent": 1, "title": "After the trial"}, format="json"
    )
    assert response.status_code == 403
    web = Client(HTTP_HOST="lifecycle-two.localhost")
    web.post("/login/", {"username": councillors[1].email, "password": DEFAULT_PASSWORD})
    assert b'data-licence-banner="read_only"' in web.get("/").content

    # Every one of its cases is still there: readable by their owners, and in the export.
    seen: set[str] = set()
    for councillor in councillors:
        seen |= _case_references(_api(api_for, council, councillor))
    assert seen == set(references)
    document = _export(_api(api_for, council, admin))
    assert _exported_case_count(document) == len(references)
    with schema_context(council.schema_name):
        after = {
            "cases": Case.objects.count(),
            "actions": Action.objects.count(),
            "users": User.objects.count(),
        }
    assert after == before
