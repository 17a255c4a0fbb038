"""Two-factor sign-in (django-otp): TOTP apps and one-time recovery codes, on the web and
for API tokens; mandatory for admins and central staff, and for everyone when a council
says so; reset by another admin, recorded."""

from __future__ import annotations

import re

import pytest
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.services import two_factor_reset
from accounts.signals import account_security_event
from audit.models import AuditEntry
from core.errors import PermissionDenied
from tests.conftest import enrol_second_factor, in_council, recovery_code, sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.security.support import app_code, browser, login, outbox


def _token(client, council, user, **body):
    return client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": DEFAULT_PASSWORD, **body},
        content_type="application/json",
        HTTP_HOST=f"{council.slug}.localhost",
    )


@pytest.fixture
def events():
    seen: list[dict] = []

    @receiver(account_security_event, weak=False)
    def note(sender, **kwargs):
        seen.append(kwargs)

    yield seen
    account_security_event.disconnect(note)


def test_the_password_alone_signs_nobody_with_an_app_in(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    device = enrol_second_factor(council_a, user)
    web = browser(council_a)
    step = login(web, user, DEFAULT_PASSWORD)
    assert step.status_code == 302 and step["Location"] == "/login/code/"
    assert "_auth_user_id" not in web.session
    assert web.get("/cases/")["Location"].startswith("/login/")  # still signed out
    wrong = web.post("/login/code/", {"code": "000000"})
    assert wrong.status_code == 400 and "That code is wrong" in wrong.content.decode()
    with schema_context(council_a.schema_name):  # django-otp's delay after a wrong code
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    done = web.post("/login/code/", {"code": app_code(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert web.get("/cases/").status_code == 200


def test_a_recovery_code_works_once(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    code = recovery_code(council_a, user)
    first = browser(council_a)
    login(first, user, DEFAULT_PASSWORD)
    assert first.post("/login/code/", {"code": code.upper()}).status_code == 302
    second = browser(council_a)
    login(second, user, DEFAULT_PASSWORD)
    assert second.post("/login/code/", {"code": code}).status_code == 400


def test_wrong_codes_count_towards_the_lockout(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    device = enrol_second_factor(council_a, user)
    web = browser(council_a)
    login(web, user, DEFAULT_PASSWORD)
    codes = []
    for i in range(10):
        with schema_context(council_a.schema_name):
            TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        codes.append(web.post("/login/code/", {"code": f"{i:06d}"}).status_code)
    assert codes[:9] == [400] * 9 and codes[9] == 429
    again = browser(council_a)
    assert login(again, user, DEFAULT_PASSWORD).status_code == 429


def test_django_otp_slows_guessing_of_codes(council_a, make_user) -> None:
    """After a wrong code the device refuses even the right one for a moment."""
    user = make_user(council_a, role="councillor")
    device = enrol_second_factor(council_a, user)
    web = browser(council_a)
    login(web, user, DEFAULT_PASSWORD)
    assert web.post("/login/code/", {"code": "123456"}).status_code == 400
    assert web.post("/login/code/", {"code": app_code(device)}).status_code == 400


def test_an_admin_without_a_second_factor_must_set_one_up_first(council_a, make_user) -> None:
    admin = make_user(council_a, role="admin")
    web = browser(council_a)
    assert login(web, admin, DEFAULT_PASSWORD).status_code == 302
    assert web.get("/admin-area/users/")["Location"] == "/account/two-factor/"
    assert web.get("/api/v1/users/").status_code == 403
    setup = web.get("/account/two-factor/")
    page = setup.content.decode()
    # The QR code is drawn here as inline SVG: the secret goes to no image service.
    assert "<svg" in page and "<img" not in page.split('id="main-content"')[1]
    device_id = re.search(r'name="device" value="(\d+)"', page).group(1)
    with schema_context(council_a.schema_name):
        device = TOTPDevice.objects.get(pk=device_id)
    done = web.post("/account/two-factor/", {"device": device_id, "code": app_code(device)})
    assert done.status_code == 200 and "recovery codes" in done.content.decode()
    assert (
        len(re.findall(r'<code class="app-code">[a-z2-7]{8}</code>', done.content.decode())) == 10
    )
    assert web.get("/admin-area/users/").status_code == 200


def test_api_tokens_need_the_code_for_an_account_with_two_factor(
    council_a, make_user, client
) -> None:
    user = make_user(council_a, role="councillor")
    device = enrol_second_factor(council_a, user)
    missing = _token(client, council_a, user)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "otp_required"
    assert "otp" in missing.json()["error"]["message"]
    wrong = _token(client, council_a, user, otp="111111")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "otp_invalid"
    with schema_context(council_a.schema_name):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert _token(client, council_a, user, otp=app_code(device)).status_code == 200
    assert _token(client, council_a, user, otp=recovery_code(council_a, user)).status_code == 200


def test_an_admin_without_a_second_factor_gets_no_api_token(council_a, make_user, client):
    admin = make_user(council_a, role="admin")
    refused = _token(client, council_a, admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "two_factor_enrolment_required"


def test_central_staff_always_need_a_second_factor(db, make_user) -> None:
    central = make_user(None)
    web = browser(None)
    login(web, central, DEFAULT_PASSWORD)
    assert web.get("/councils/")["Location"] == "/account/two-factor/"


def test_a_council_can_require_it_of_everyone(council_a, make_user, events) -> None:
    admin = make_user(council_a, role="admin")
    councillor = make_user(council_a, role="councillor")
    theirs = browser(council_a)
    assert login(theirs, councillor, DEFAULT_PASSWORD).status_code == 302
    assert theirs.get("/cases/").status_code == 200
    page = browser(council_a)
    sign_in(page, council_a, admin)
    assert page.post("/admin-area/sign-in/", {"require_two_factor": "everyone"}).status_code == 302
    assert [e["action"] for e in events][-1] == "two_factor_policy_changed"
    # Their session ended; signing in again leads to setting up an app.
    assert theirs.get("/cases/")["Location"].startswith("/login/")
    login(theirs, councillor, DEFAULT_PASSWORD)
    assert theirs.get("/cases/")["Location"] == "/account/two-factor/"


def test_an_admin_resets_a_lost_second_factor_recorded_and_emailed(
    council_a, make_user, api_for, events
) -> None:
    admin = make_user(council_a, role="admin")
    user = make_user(council_a, role="councillor")
    enrol_second_factor(council_a, user)
    token_client = api_for(council_a)
    token_client.credentials()
    theirs = browser(council_a)
    sign_in(theirs, council_a, user)
    assert theirs.get("/cases/").status_code == 200
    page = browser(council_a)
    sign_in(page, council_a, admin)
    response = page.post(
        f"/admin-area/sign-in/users/{user.pk}/", {"action": "reset", "reason": "Lost phone"}
    )
    assert response.status_code == 302
    reset = [e for e in events if e["action"] == "two_factor_reset"]
    assert len(reset) == 1 and reset[0]["detail"] == "Lost phone"
    assert reset[0]["actor"].pk == admin.pk and reset[0]["user"].pk == user.pk
    with schema_context(council_a.schema_name):  # the council's audit log has it
        entry = AuditEntry.objects.get(action="second_factor_reset")
        assert (entry.actor_id, entry.subject_user_id) == (admin.pk, user.pk)
        assert entry.detail["reason"] == "Lost phone"
    assert theirs.get("/cases/")["Location"].startswith("/login/")  # signed out
    assert any("reset by" in e.subject for e in outbox(council_a, user.email))
    with schema_context(council_a.schema_name):
        assert not TOTPDevice.objects.filter(user=user).exists()


def test_nobody_resets_their_own_or_another_councils_second_factor(
    council_a, council_b, make_user
) -> None:
    admin = make_user(council_a, role="admin")
    staff = make_user(council_a, role="staff")
    enrol_second_factor(council_a, staff)
    with in_council(council_a), pytest.raises(PermissionDenied):
        two_factor_reset(actor=admin, user=admin)
    with in_council(council_a), pytest.raises(PermissionDenied):
        two_factor_reset(actor=staff, user=admin)
    # Another council's admin: the id names someone of theirs, or no one; never A's user.
    other = make_user(council_b, role="admin")
    page = browser(council_b)
    sign_in(page, council_b, other)
    page.post(f"/admin-area/sign-in/users/{staff.pk}/", {"action": "reset"})
    with schema_context(council_a.schema_name):
        assert TOTPDevice.objects.filter(user=staff).exists()
