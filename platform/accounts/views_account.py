"""The user's own page: second factor, recovery codes, password, and signing out
everywhere. On every host (councils and the central body's site)."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import PasswordChangeForm, TotpConfirmForm
from accounts.models import User
from accounts.selectors import (
    api_tokens_live,
    has_second_factor,
    recovery_codes_left,
    totp_device_get,
    two_factor_required,
)
from accounts.services import (
    password_change,
    recovery_codes_replace,
    sign_out_everywhere,
    totp_confirm,
    totp_start,
    two_factor_remove_own,
)
from accounts.signin import FACTOR, MUST_ENROL, VERIFIED
from core.errors import ApplicationError


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "has_second_factor": has_second_factor(user),
            "required": two_factor_required(user),
            "device": totp_device_get(user),
            "codes_left": recovery_codes_left(user),
            "tokens_live": api_tokens_live(user),
        },
    )


def _qr_svg(device: TOTPDevice) -> str:
    # Rendered here, as inline SVG: the secret never leaves the server for a QR service.
    qr = segno.make(device.config_url, error="m")
    return mark_safe(  # noqa: S308 - segno's own SVG of our own URL, no user text
        qr.svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", svgclass="app-qr", title=None)
    )


def _secret_text(device: TOTPDevice) -> str:
    # The same key as the QR code, for typing into an app by hand, in groups of four.
    key = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@sensitive_post_parameters("code")
@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan, then type a code it shows."""
    user = _user(request)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_confirm(
                user=user, device_id=form.cleaned_data["device"], code=form.cleaned_data["code"]
            )
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            device = totp_device_get(user)
            # This session gave the code, so it stays; every other one has ended.
            update_session_auth_hash(request, user)
            request.session[FACTOR] = VERIFIED
            if device is not None:
                request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": True})
    device = totp_start(user=user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "device": device,
            "qr": _qr_svg(device),
            "secret": _secret_text(device),
            "must_enrol": request.session.get(FACTOR) == MUST_ENROL,
            "replacing": has_second_factor(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_replace(user=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": False})


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    try:
        two_factor_remove_own(user=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Two-factor sign-in is off for your account.")
    return redirect("accounts:account")


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@login_required
@never_cache
def password(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as exc:
            if "current_password" in exc.extra:
                form.add_error("current_password", exc.message)
            else:
                for message in exc.extra.get("password") or [exc.message]:
                    form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request, "Your password is changed. Your other sessions and API tokens ended."
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    sign_out_everywhere(user=_user(request))
    logout(request)
    messages.success(request, "You are signed out everywhere, and all your API tokens are revoked.")
    return redirect("accounts:login")
