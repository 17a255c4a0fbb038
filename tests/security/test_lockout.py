"""Lockout and throttling (django-axes): per account and per client address, after at most
10 failures, on the web and the API, with the address from core.client_ip only."""

from __future__ import annotations

import pytest
from django.dispatch import receiver
from django_tenants.utils import schema_context

from accounts.services import lockout_clear
from accounts.signals import account_security_event
from audit.models import AuditEntry
from core.errors import PermissionDenied
from tests.conftest import in_council, sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.security.support import browser, fresh_address, login

LIMIT = 10


def _api_token(client, user, password, **extra):
    return client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": password},
        content_type="application/json",
        **extra,
    )


def test_web_40_wrong_passwords_then_the_right_one_is_refused(council_a, make_user) -> None:
    """The issue's attack: 40 wrong passwords in a row, then the right one, signed in."""
    user = make_user(council_a, role="councillor")
    web = browser(council_a)
    codes = [login(web, user, f"wrong-{i}").status_code for i in range(40)]
    # The first LIMIT - 1 are plain failures; the LIMIT-th locks; every later one is refused
    # before the password is even checked.
    assert codes[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(codes[LIMIT - 1 :]) == {429}
    right = login(web, user, DEFAULT_PASSWORD)
    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.content.decode()
    assert right["Retry-After"] == "1800"
    assert "_auth_user_id" not in web.session


def test_the_lockout_is_per_account_whatever_the_address(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    for _ in range(LIMIT):
        login(browser(council_a), user, "wrong")  # a new address every time
    assert login(browser(council_a), user, DEFAULT_PASSWORD).status_code == 429


def test_the_lockout_is_per_address_whatever_the_account(council_a, make_user) -> None:
    address = fresh_address()
    people = [make_user(council_a, role="staff") for _ in range(LIMIT)]
    for person in people:  # one try per account: a password spray
        login(browser(council_a, address), person, "Winter2026!")
    someone_else = make_user(council_a, role="staff")
    assert login(browser(council_a, address), someone_else, DEFAULT_PASSWORD).status_code == 429
    assert login(browser(council_a), someone_else, DEFAULT_PASSWORD).status_code == 302


def test_api_sign_in_locks_after_10_failures(council_a, make_user, client) -> None:
    user = make_user(council_a, role="councillor")
    host = {"HTTP_HOST": f"{council_a.slug}.localhost", "REMOTE_ADDR": fresh_address()}
    codes = [_api_token(client, user, "wrong", **host).status_code for _ in range(12)]
    assert codes[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert set(codes[LIMIT - 1 :]) == {429}
    locked = _api_token(client, user, DEFAULT_PASSWORD, **host)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_changes_nothing(council_a, make_user, client, settings, proxies):
    """36 tries with a rotating X-Forwarded-For were never throttled: now the account locks
    at 10 and so does the real address, whether the app sits behind a proxy or not."""
    settings.CLIENT_IP_PROXY_COUNT = proxies
    user = make_user(council_a, role="councillor")
    real = fresh_address()
    codes = []
    for i in range(36):
        forged = f"10.{i}.{i}.{i}"
        # Behind one proxy, the proxy appends the real address; with none, it is REMOTE_ADDR.
        chain = f"{forged}, {real}" if proxies else forged
        response = _api_token(
            client,
            user,
            "wrong",
            HTTP_HOST=f"{council_a.slug}.localhost",
            REMOTE_ADDR="10.0.0.1" if proxies else real,
            HTTP_X_FORWARDED_FOR=chain,
        )
        codes.append(response.status_code)
    assert codes.count(400) == LIMIT - 1
    assert codes.count(429) == 36 - (LIMIT - 1)


def test_failures_on_one_council_do_not_lock_the_same_address_on_another(
    council_a, council_b, make_user
) -> None:
    """Failures are recorded in the schema of the host signed in to."""
    address = fresh_address()
    a_user = make_user(council_a, role="councillor", email="same@example.gov.uk")
    b_user = make_user(council_b, role="councillor", email="same@example.gov.uk")
    for _ in range(LIMIT):
        login(browser(council_a, address), a_user, "wrong")
    assert login(browser(council_a, address), a_user, DEFAULT_PASSWORD).status_code == 429
    assert login(browser(council_b, address), b_user, DEFAULT_PASSWORD).status_code == 302


def test_a_council_admin_unlocks_an_account_and_it_is_recorded(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    admin = make_user(council_a, role="admin")
    for _ in range(LIMIT):
        login(browser(council_a), user, "wrong")
    events = []

    @receiver(account_security_event, weak=False)
    def note(sender, **kwargs):
        events.append(kwargs)

    try:
        page = browser(council_a)
        sign_in(page, council_a, admin)
        status = page.get(f"/admin-area/sign-in/users/{user.pk}/").content.decode()
        assert "Locked" in status
        assert (
            page.post(f"/admin-area/sign-in/users/{user.pk}/", {"action": "unlock"}).status_code
            == 302
        )
    finally:
        account_security_event.disconnect(note)
    assert [e["action"] for e in events] == ["lockout_cleared"]
    assert events[0]["actor"].pk == admin.pk and events[0]["user"].pk == user.pk
    with in_council(council_a):
        entry = AuditEntry.objects.get(action="lockout_cleared")
        assert (entry.actor_id, entry.subject_user_id) == (admin.pk, user.pk)
    assert login(browser(council_a), user, DEFAULT_PASSWORD).status_code == 302


def test_only_another_admin_can_unlock(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    colleague = make_user(council_a, role="councillor")
    admin = make_user(council_a, role="admin")
    for _ in range(LIMIT):
        login(browser(council_a), admin, "wrong")
    with in_council(council_a), pytest.raises(PermissionDenied):
        lockout_clear(actor=colleague, user=user)
    with in_council(council_a), pytest.raises(PermissionDenied):
        lockout_clear(actor=admin, user=admin)


def test_central_staff_unlock_a_colleague_on_the_central_site(db, make_user) -> None:
    locked = make_user(None, email="locked@central.gov.uk")
    colleague = make_user(None, email="colleague@central.gov.uk")
    for _ in range(LIMIT):
        login(browser(None), locked, "wrong")
    page = browser(None)
    sign_in(page, None, colleague)
    assert "Locked" in page.get("/staff/").content.decode()
    assert page.post(f"/staff/{locked.pk}/", {"action": "unlock"}).status_code == 302
    assert sign_in(browser(None), None, locked).status_code == 302
    with schema_context("public"):  # central staff's audit log
        assert AuditEntry.objects.filter(action="lockout_cleared", subject_user_id=locked.pk)
