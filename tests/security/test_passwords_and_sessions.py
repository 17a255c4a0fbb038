"""Passwords (validators, reset by email), sessions (idle and absolute limits, sign out
everywhere, deactivation, password change) and API tokens (expiry, the per-user cap)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from knox.models import AuthToken

from accounts.signin import SEEN, STARTED
from accounts.tokens import password_reset_link
from caseload.services import member_add, member_deactivate, member_reactivate
from core.errors import ValidationFailed
from tests.conftest import enrol_second_factor, in_council, sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.security.support import app_code, browser, fresh_address, login, outbox

NEW_PASSWORD = "correct horse battery staple 7"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("admin@secc", "at least 12 characters"),  # the admin password
        ("password1234", "too common"),
        ("rosie.admin.fife", "too similar"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_for_a_council_admin(council_a, password, why) -> None:
    with in_council(council_a), pytest.raises(ValidationFailed, match=why):
        member_add(
            actor=None,
            email="rosie.admin@fife.gov.uk",
            name="Rosie Admin",
            role="admin",
            password=password,
        )
    with pytest.raises(CommandError, match=why):
        call_command(
            "create_member",
            "council-a",
            email="rosie.admin@fife.gov.uk",
            name="Rosie Admin",
            password=password,
            role="admin",
        )


def _reset_link(council, email: str) -> str:
    mail = outbox(council, email)[-1]
    assert "reset your password" in mail.subject
    return re.search(r"http://\S+", mail.body_text).group(0)


def test_password_reset_by_email_on_the_councils_host_once(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    web = browser(council_a)
    sent = web.post("/password-reset/", {"email": user.email.upper()})
    assert sent["Location"] == "/password-reset/sent/"
    link = _reset_link(council_a, user.email)
    assert link.startswith(f"http://{council_a.slug}.localhost")
    path = link.split("localhost", 1)[1].lstrip(":0123456789")
    form = web.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = web.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert "_auth_user_id" not in web.session  # a reset signs nobody in
    assert login(browser(council_a), user, NEW_PASSWORD).status_code == 302
    again = browser(council_a).get(path, follow=True)
    assert "expired or was already used" in again.content.decode()


def test_a_reset_link_expires(council_a, make_user, monkeypatch) -> None:
    user = make_user(council_a, role="councillor")
    with in_council(council_a):
        token = password_reset_link.make_token(user)
        assert password_reset_link.check_token(user, token)
        later = password_reset_link._now() + timedelta(minutes=61)
        monkeypatch.setattr(password_reset_link, "_now", lambda: later)
        assert not password_reset_link.check_token(user, token)


def test_a_reset_never_bypasses_the_second_factor(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    device = enrol_second_factor(council_a, user)
    browser(council_a).post("/password-reset/", {"email": user.email})
    path = _reset_link(council_a, user.email).split("localhost", 1)[1].lstrip(":0123456789")
    web = browser(council_a)
    form = web.get(path, follow=True)
    web.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    after = browser(council_a)
    assert login(after, user, NEW_PASSWORD)["Location"] == "/login/code/"
    assert after.get("/cases/")["Location"].startswith("/login/")
    assert after.post("/login/code/", {"code": app_code(device)}).status_code == 302


def test_reset_requests_reveal_nothing_and_are_limited(council_a, make_user) -> None:
    user = make_user(council_a, role="councillor")
    address = fresh_address()
    unknown = browser(council_a, address).post("/password-reset/", {"email": "no@one.gov.uk"})
    assert unknown["Location"] == "/password-reset/sent/"
    for _ in range(5):
        browser(council_a, address).post("/password-reset/", {"email": user.email})
    assert len(outbox(council_a, user.email)) == 3  # ACCOUNTS_PASSWORD_RESET_PER_EMAIL_HOUR


def test_sessions_end_after_inactivity_and_absolutely(council_a, make_user, settings) -> None:
    user = make_user(council_a, role="councillor")
    idle, absolute = browser(council_a), browser(council_a)
    for web in (idle, absolute):
        login(web, user, DEFAULT_PASSWORD)
        assert web.get("/cases/").status_code == 200
    now = int(time.time())
    with schema_context(council_a.schema_name):
        session = idle.session
        session[SEEN] = now - settings.ACCOUNTS_SESSION_IDLE_SECONDS - 1
        session.save()
        session = absolute.session
        session[STARTED] = now - settings.ACCOUNTS_SESSION_ABSOLUTE_SECONDS - 1
        session.save()
    assert settings.ACCOUNTS_SESSION_IDLE_SECONDS == 8 * 3600
    for web in (idle, absolute):
        assert web.get("/cases/")["Location"].startswith("/login/")


def test_sign_out_everywhere_ends_every_session_and_token(council_a, make_user, api_for):
    user = make_user(council_a, role="councillor")
    laptop, phone = browser(council_a), browser(council_a)
    sign_in(laptop, council_a, user)
    sign_in(phone, council_a, user)
    api = api_for(council_a, user)
    assert phone.post("/account/sign-out-everywhere/").status_code == 302
    assert laptop.get("/cases/")["Location"].startswith("/login/")
    assert phone.get("/cases/")["Location"].startswith("/login/")
    assert api.get("/api/v1/cases/").status_code == 401


def test_a_deactivated_users_old_cookie_stays_dead_after_reactivation(council_a, make_user) -> None:
    """Deactivating deleted the tokens but not the web sessions: reactivated, the old
    cookie worked again."""
    user = make_user(council_a, role="councillor")
    admin = make_user(council_a, role="admin")
    web = browser(council_a)
    login(web, user, DEFAULT_PASSWORD)
    cookie = web.cookies["sessionid"].value
    with in_council(council_a):
        member_deactivate(actor=admin, user=user)
        member_reactivate(actor=admin, user=user)
    replay = Client(HTTP_HOST=f"{council_a.slug}.localhost")
    replay.cookies["sessionid"] = cookie
    assert replay.get("/cases/")["Location"].startswith("/login/")


def test_a_password_change_ends_the_other_sessions_and_tokens(council_a, make_user, api_for):
    user = make_user(council_a, role="councillor")
    here, elsewhere = browser(council_a), browser(council_a)
    login(here, user, DEFAULT_PASSWORD)
    login(elsewhere, user, DEFAULT_PASSWORD)
    api = api_for(council_a, user)
    changed = here.post(
        "/account/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert here.get("/cases/").status_code == 200  # the session it was changed in stays
    assert elsewhere.get("/cases/")["Location"].startswith("/login/")
    assert api.get("/api/v1/cases/").status_code == 401


def test_api_tokens_expire_and_the_cap_holds(council_a, make_user, api_for, settings) -> None:
    user = make_user(council_a, role="councillor")
    api = api_for(council_a, user)
    with schema_context(council_a.schema_name):
        token = AuthToken.objects.get(user=user)
        assert token.expiry - timezone.now() > timedelta(days=29)
        AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/cases/").status_code == 401
    made = [api_for(council_a, user) for _ in range(settings.REST_KNOX["TOKEN_LIMIT_PER_USER"])]
    assert len(made) == 20
    over = Client(HTTP_HOST=f"{council_a.slug}.localhost").post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert over.status_code == 409
    assert "20 API tokens" in over.json()["error"]["message"]
