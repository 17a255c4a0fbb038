"""Login per council: cookies and tokens never cross from one council to another."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import in_council
from tests.factories import DEFAULT_PASSWORD


def _login(council_host: str, email: str) -> Client:
    client = Client(HTTP_HOST=council_host)
    response = client.post("/login/", {"username": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_web_login_on_own_council(council_a, make_user) -> None:
    # A fixed name: a random one may hold an apostrophe, which the page HTML-escapes.
    user = make_user(council_a, email="cllr@a.gov.uk", name="Morag Dunbar")
    client = _login("council-a.localhost", user.email)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Morag Dunbar" in response.content


def test_user_cannot_log_in_to_another_council(council_a, council_b, make_user) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    client = Client(HTTP_HOST="council-b.localhost")
    response = client.post("/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert b"There is a problem" in response.content


def test_session_cookie_from_a_is_useless_on_b(council_a, council_b, make_user) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    client_a = _login("council-a.localhost", user.email)
    cookie = client_a.cookies["sessionid"]
    assert not cookie["domain"], "session cookie must be host-only"

    thief = Client(HTTP_HOST="council-b.localhost")
    thief.cookies["sessionid"] = cookie.value
    response = thief.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    api = thief.get("/api/v1/me/")
    assert api.status_code in (401, 403)


def test_token_from_a_is_refused_on_b(api_for, council_a, council_b, make_user) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    client_a = api_for(council_a, user)
    assert client_a.get("/api/v1/me/").json()["email"] == "cllr@a.gov.uk"

    token_header = client_a._credentials["HTTP_AUTHORIZATION"]
    on_b = api_for(council_b)
    on_b.credentials(HTTP_AUTHORIZATION=token_header)
    response = on_b.get("/api/v1/me/")
    assert response.status_code == 401

    on_platform = api_for(None)
    on_platform.credentials(HTTP_AUTHORIZATION=token_header)
    assert on_platform.get("/api/v1/me/").status_code == 401


def test_central_staff_token_is_refused_on_a_council(api_for, council_a, make_user) -> None:
    staff = make_user(None, email="analyst@central.gov.uk")
    central = api_for(None, staff)
    assert central.get("/api/v1/me/").json()["role"] == "central"
    on_a = api_for(council_a)
    on_a.credentials(HTTP_AUTHORIZATION=central._credentials["HTTP_AUTHORIZATION"])
    assert on_a.get("/api/v1/me/").status_code == 401


def test_token_wrong_password_is_400_with_message(api_for, council_a, make_user) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    response = api_for(council_a).post(
        "/api/v1/auth/token/", {"email": user.email, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_token_bad_input_is_400_naming_fields(api_for, council_a) -> None:
    response = api_for(council_a).post("/api/v1/auth/token/", {"email": "x"}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "email" in fields and "password" in fields


def test_logout_revokes_token(api_for, council_a, make_user) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    client = api_for(council_a, user)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_anonymous_api_is_401(api_for, council_a) -> None:
    assert api_for(council_a).get("/api/v1/me/").status_code == 401


def test_openapi_schema_served(api_for, council_a) -> None:
    response = api_for(council_a).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/auth/token/" in response.content


def test_login_attempts_are_rate_limited(api_for, council_a, monkeypatch) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = api_for(council_a)
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"email": "guess@a.gov.uk", "password": "guess"},
            format="json",
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


def test_expired_token_is_refused_and_deleted(api_for, council_a, make_user) -> None:
    """Expiry is checked on the presented token (ours skips knox's per-request sweep of the
    user's other tokens)."""
    user = make_user(council_a, email="cllr@a.gov.uk")
    client = api_for(council_a, user)
    assert client.get("/api/v1/me/").status_code == 200
    with in_council(council_a):
        AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(minutes=1))
    assert client.get("/api/v1/me/").status_code == 401
    with in_council(council_a):
        assert not AuthToken.objects.filter(user=user).exists()
