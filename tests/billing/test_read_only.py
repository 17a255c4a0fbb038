"""Read-only mode: in every licence state, a write through the API, the web and a task.

Lapsed and cancelled councils can sign in, read, search and export; they cannot create or
change anything, and nothing is deleted. The other four states write normally.
"""

from __future__ import annotations

import uuid

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from billing.models import READ_ONLY_STATES, Licence, LicenceState
from billing.services import LicenceReadOnly, licence_assert_writable
from caseload.services import member_add
from config.celery_app import app
from core.tenancy import current_schema
from tests.billing.conftest import set_state
from tests.conftest import in_council, sign_in

ALL_STATES = list(LicenceState.values)


@shared_task(name="tests.billing.add_staff_member")
def add_staff_member(email: str) -> dict:
    """A task that writes a council's data through a service, as caseload tasks will."""
    try:
        user = member_add(actor=None, email=email, role="staff")
    except LicenceReadOnly as exc:
        return {"schema": current_schema(), "refused": exc.code, "message": exc.message}
    return {"schema": current_schema(), "created": user.pk}


@pytest.fixture
def probe_urls(settings) -> None:
    settings.ROOT_URLCONF = "tests.billing.urls_probe"


def _exists(council, email: str) -> bool:
    with in_council(council):
        return User.objects.filter(email=email).exists()


@pytest.mark.parametrize("state", ALL_STATES)
def test_api_write_in_each_state(
    state, council_a, council_b, api_for, make_user, probe_urls
) -> None:
    admin = make_user(council_a, role="admin")
    client = api_for(council_a, admin)
    set_state(council_a, state)
    response = client.post("/api/v1/probe/members/", {"email": "new@a.gov.uk"}, format="json")
    if state in READ_ONLY_STATES:
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "licence_read_only"
        assert "read-only" in error["message"] and "export" in error["message"]
        assert not _exists(council_a, "new@a.gov.uk")
    else:
        assert response.status_code == 201, response.content
        assert _exists(council_a, "new@a.gov.uk")
    # Council B is untouched by A's state and still writes.
    other = api_for(council_b, make_user(council_b, role="admin"))
    assert (
        other.post("/api/v1/probe/members/", {"email": "b@b.gov.uk"}, format="json").status_code
        == 201
    )


@pytest.mark.parametrize("state", ALL_STATES)
def test_web_write_in_each_state(state, council_a, make_user, probe_urls) -> None:
    admin = make_user(council_a, role="admin")
    client = Client(HTTP_HOST="council-a.localhost")
    set_state(council_a, state)
    # Signing in is a POST too, and it works in every state.
    assert sign_in(client, council_a, admin).status_code == 302
    response = client.post("/probe/members/", {"email": "web@a.gov.uk"})
    if state in READ_ONLY_STATES:
        assert response.status_code == 403
        assert b"This change was not saved" in response.content
        assert b"read-only" in response.content
        assert not _exists(council_a, "web@a.gov.uk")
        # Reading still works, with the read-only banner.
        page = client.get("/")
        assert page.status_code == 200
        assert b'data-licence-banner="read_only"' in page.content
    else:
        assert response.status_code == 302
        assert _exists(council_a, "web@a.gov.uk")
    assert client.post("/logout/").status_code == 302


@pytest.mark.parametrize("state", ALL_STATES)
def test_task_write_in_each_state(state, council_a) -> None:
    """The task body runs as the worker runs it (schema from the queue), eagerly here."""
    set_state(council_a, state)
    with schema_context(council_a.schema_name):
        result = add_staff_member.apply(kwargs={"email": "task@a.gov.uk"}).get()
    assert result["schema"] == council_a.schema_name
    if state in READ_ONLY_STATES:
        assert result["refused"] == "licence_read_only"
        assert not _exists(council_a, "task@a.gov.uk")
    else:
        assert "created" in result
        assert _exists(council_a, "task@a.gov.uk")


@pytest.mark.worker
def test_real_worker_task_is_refused_in_read_only_state(councils, django_db_blocker) -> None:
    """Through Redis and a worker: the same task, queued from A (lapsed) and B (active)."""
    a, b = councils["a"], councils["b"]
    queue = f"test-billing-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        before = {c.pk: Licence.objects.get(council=c).state for c in (a, b)}
        Licence.objects.filter(council=a).update(state=LicenceState.LAPSED)
        Licence.objects.filter(council=b).update(state=LicenceState.ACTIVE)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
                with schema_context(a.schema_name):
                    from_a = add_staff_member.apply_async(
                        kwargs={"email": "w@a.gov.uk"}, queue=queue
                    )
                with schema_context(b.schema_name):
                    from_b = add_staff_member.apply_async(
                        kwargs={"email": "w@b.gov.uk"}, queue=queue
                    )
                result_a = from_a.get(timeout=30)
                result_b = from_b.get(timeout=30)
            a_has = _exists(a, "w@a.gov.uk")
            b_has = _exists(b, "w@b.gov.uk")
        finally:
            for council in (a, b):
                Licence.objects.filter(council=council).update(state=before[council.pk])
                with schema_context(council.schema_name):
                    User.objects.filter(email__startswith="w@").delete()
    assert result_a["schema"] == a.schema_name and result_a["refused"] == "licence_read_only"
    assert result_b["schema"] == b.schema_name and "created" in result_b
    assert (a_has, b_has) == (False, True)


def test_service_guard_holds_without_the_middleware(
    council_a, api_for, make_user, probe_urls, settings
) -> None:
    """The middleware is a courtesy; the rule lives in the service."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "LicenceReadOnly" not in m]
    client = api_for(council_a, make_user(council_a, role="admin"))
    set_state(council_a, LicenceState.LAPSED)
    response = client.post("/api/v1/probe/members/", {"email": "x@a.gov.uk"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "licence_read_only"
    assert not _exists(council_a, "x@a.gov.uk")


def test_guard_is_silent_for_public_and_writable_councils(council_a) -> None:
    licence_assert_writable(schema_name="public")
    licence_assert_writable(schema_name=council_a.schema_name)
    set_state(council_a, LicenceState.CANCELLED)
    with pytest.raises(LicenceReadOnly, match="cancelled"):
        licence_assert_writable(schema_name=council_a.schema_name)


@pytest.mark.parametrize("state", sorted(READ_ONLY_STATES))
def test_read_only_council_can_still_sign_in_read_and_use_tokens(
    state, council_a, api_for, make_user
) -> None:
    user = make_user(council_a, role="councillor")
    set_state(council_a, state)
    client = api_for(council_a, user)  # POST /api/v1/auth/token/ works
    assert client.get("/api/v1/me/").json()["email"] == user.email
    assert client.post("/api/v1/auth/logout/").status_code == 204


def test_invited_user_can_still_set_a_password_when_read_only(council_a) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    with in_council(council_a):
        invited = user_create(email="invited@a.gov.uk", role="admin")  # no password yet
        uid = urlsafe_base64_encode(force_bytes(invited.pk))
        token = default_token_generator.make_token(invited)
    set_state(council_a, LicenceState.LAPSED)
    client = Client(HTTP_HOST="council-a.localhost")
    page = client.get(f"/set-password/{uid}/{token}/", follow=True)
    assert page.status_code == 200
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else f"/set-password/{uid}/{token}/",
        {"new_password1": "A-long-new-pass-2026", "new_password2": "A-long-new-pass-2026"},
    )
    assert response.status_code != 403
    with in_council(council_a):
        assert User.objects.get(pk=invited.pk).has_usable_password()


def test_read_only_does_not_touch_the_platform_site(council_a, make_user, api_for) -> None:
    set_state(council_a, LicenceState.LAPSED)
    central = api_for(None, make_user(None, email="central@body.gov.uk"))
    response = central.post(
        "/api/v1/platform/councils/council-a/licence/extend-trial/",
        {"days": 14, "reason": "More time to decide"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "trial_extended"
