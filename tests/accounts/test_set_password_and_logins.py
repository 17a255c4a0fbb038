"""Invitation links (set a password on the council's host) and sign-in records."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import LoginEvent, User
from accounts.services import user_create
from tests.conftest import in_council
from tests.factories import DEFAULT_PASSWORD


def _invite_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/set-password/{uid}/{default_token_generator.make_token(user)}/"


def test_invited_admin_sets_password_then_signs_in(council_a) -> None:
    with in_council(council_a):
        admin = user_create(email="new-admin@a.gov.uk", role="admin")
        assert not admin.has_usable_password()
        path = _invite_path(admin)
    client = Client(HTTP_HOST="council-a.localhost")
    response = client.get(path)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response["Location"]
    page = client.get(form_url)
    assert b"Choose your password" in page.content
    weak = client.post(form_url, {"new_password1": "abc", "new_password2": "abc"})
    assert b"There is a problem" in weak.content
    done = client.post(
        form_url, {"new_password1": "Kettle-harbour-93", "new_password2": "Kettle-harbour-93"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/login/"
    login = Client(HTTP_HOST="council-a.localhost").post(
        "/login/", {"username": "new-admin@a.gov.uk", "password": "Kettle-harbour-93"}
    )
    assert login.status_code == 302
    # The link worked once: the password changed, so the token no longer matches.
    again = Client(HTTP_HOST="council-a.localhost").get(path, follow=True)
    assert b"expired or was already used" in again.content


def test_invite_link_is_useless_on_another_council(council_a, council_b) -> None:
    with in_council(council_a):
        admin = user_create(email="only-a@a.gov.uk", role="admin")
        path = _invite_path(admin)
    response = Client(HTTP_HOST="council-b.localhost").get(path, follow=True)
    assert b"expired or was already used" in response.content


def test_web_and_token_sign_ins_are_recorded(council_a, make_user, api_for) -> None:
    user = make_user(council_a, email="cllr@a.gov.uk")
    client = Client(HTTP_HOST="council-a.localhost")
    assert (
        client.post("/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    api_for(council_a, user)
    with in_council(council_a):
        assert LoginEvent.objects.filter(user=user).count() == 2
