"""Session limits and the second factor, checked on every request of a signed-in session
(after Django's AuthenticationMiddleware). API calls with a token carry no session and are
checked by accounts.authentication instead."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.selectors import ALWAYS_TWO_FACTOR
from accounts.signin import EXEMPT, FACTOR, MUST_ENROL, SEEN, STARTED, VERIFIED

# How stale the "last seen" stamp may get before it is written again: one session write a
# minute at most, not one per request.
SEEN_RESOLUTION_SECONDS = 60
# What a session that must set up a second factor may still reach.
ENROLMENT_PATHS = ("/account/two-factor/", "/logout/", "/static/")


class SignInStateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = int(time.time())
        started = int(session.get(STARTED) or now)
        seen = int(session.get(SEEN) or now)
        if now - started > settings.ACCOUNTS_SESSION_ABSOLUTE_SECONDS:
            return self._end(
                request,
                "You were signed out: sessions last at most "
                f"{settings.ACCOUNTS_SESSION_ABSOLUTE_SECONDS // 3600} hours.",
            )
        if now - seen > settings.ACCOUNTS_SESSION_IDLE_SECONDS:
            return self._end(request, "You were signed out after a time without activity.")
        if STARTED not in session:
            session[STARTED] = now
        if SEEN not in session or now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN] = now

        state = session.get(FACTOR)
        user = request.user
        if state == EXEMPT and getattr(user, "role", None) in ALWAYS_TWO_FACTOR:
            state = MUST_ENROL  # made an admin since signing in
            session[FACTOR] = state
        if state in (VERIFIED, EXEMPT):
            return None
        if state == MUST_ENROL:
            if request.path.startswith(ENROLMENT_PATHS):
                return None
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "two_factor_enrolment_required",
                            "message": "Set up two-factor sign-in on your account page first.",
                        }
                    },
                    status=403,
                )
            return redirect(reverse("accounts:two-factor"))
        # UNVERIFIED, or no state (a session from before this check existed): sign in again.
        return self._end(request, "Sign in again with your second factor.")

    @staticmethod
    def _end(request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "session_ended", "message": message}}, status=401
            )
        messages.info(request, message)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
