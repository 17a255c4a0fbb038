"""The state of a web sign-in, kept in the session (request-bound, so not a service).

- `PENDING`: the password was right and a second factor is awaited (no one is signed in
  yet): the user's id, backend, when, and their session hash (a password changed meanwhile
  voids it).
- `STARTED` / `SEEN`: when the session was signed in and last used (idle and absolute
  limits, accounts.middleware).
- `FACTOR`: "verified" (signed in with a second factor), "exempt" (none needed),
  "must_enrol" (one is required and the user has none: only setting it up is allowed), or
  "unverified" (the user has one but this session never gave it, e.g. signed in before
  they set it up: the middleware signs such a session out).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from accounts.models import User
from accounts.selectors import has_second_factor, two_factor_required

PENDING = "accounts.pending"
STARTED = "accounts.started"
SEEN = "accounts.seen"
FACTOR = "accounts.factor"

VERIFIED, EXEMPT, MUST_ENROL, UNVERIFIED = "verified", "exempt", "must_enrol", "unverified"


def factor_state(user: User, *, device: Device | None) -> str:
    if device is not None:
        return VERIFIED
    if has_second_factor(user):
        return UNVERIFIED
    return MUST_ENROL if two_factor_required(user) else EXEMPT


def session_begin(request: HttpRequest, user: User, *, device: Device | None = None) -> None:
    """Sign `user` in to this session (after the password, and the second factor if they
    have one)."""
    if device is not None:
        user.otp_device = device  # type: ignore[attr-defined]  # noted on user_logged_in
    auth_login(request, user, backend=getattr(user, "backend", None))


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Every sign-in (ours, or a test's force_login) starts the clocks and notes the second
    factor given, if any (session_begin puts it on the user object)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    device = getattr(user, "otp_device", None)
    request.session[STARTED] = now
    request.session[SEEN] = now
    if device is not None:
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session[FACTOR] = factor_state(user, device=device)


@dataclass(frozen=True)
class Pending:
    user: User
    backend: str


def pending_start(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()  # nothing from before the password step carries over
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
        "hash": user.get_session_auth_hash(),
    }


def pending_get(request: HttpRequest) -> Pending | None:
    """The user awaiting their second factor, if the wait has not expired and nothing about
    them changed since (deactivated, password changed, signed out everywhere)."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - int(data.get("at", 0)) > int(settings.ACCOUNTS_SECOND_FACTOR_WAIT_SECONDS):
        pending_clear(request)
        return None
    user_id = data.get("user")
    user = (
        User.objects.filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None or user.get_session_auth_hash() != data.get("hash"):
        pending_clear(request)
        return None
    user.backend = str(data.get("backend"))
    return Pending(user=user, backend=str(data.get("backend")))


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)
