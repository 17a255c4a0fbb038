"""Signing in (password, then the second factor when the user has one), out, and choosing
a password through an invitation or a reset link."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import CodeForm, EmailForm, ResetPasswordForm, SignInForm
from accounts.lockout import lockout_response
from accounts.selectors import has_second_factor
from accounts.services import password_reset_request, two_factor_verify
from accounts.signin import pending_clear, pending_get, pending_start, session_begin
from accounts.tokens import password_reset_link
from core.client_ip import client_ip


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class LoginView(auth_views.LoginView):
    """Email and password (django-axes counts failures and refuses a locked account or
    address). A user with a second factor is not signed in yet: the code comes next."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if has_second_factor(user):
            pending_start(self.request, user)
            next_url = _next_url(self.request)
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            return redirect(reverse("accounts:login-code") + query)
        session_begin(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the user's authenticator app, or a recovery code.
    Wrong codes count as failed sign-ins of the account (and the address), like wrong
    passwords, and django-otp slows each further try."""
    pending = pending_get(request)
    if pending is None:
        messages.info(request, "Sign in with your email address and password first.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": pending.user.email}
        if not AxesProxyHandler.is_allowed(request, credentials):
            pending_clear(request)
            return lockout_response(request)
        device = two_factor_verify(user=pending.user, code=form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                pending_clear(request)
                return lockout_response(request)
            form.add_error(
                "code",
                "That code is wrong, or was already used. Enter the code your app shows "
                "now, or one of your recovery codes.",
            )
        else:
            pending_clear(request)
            session_begin(request, pending.user, device=device)
            return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an invitation (e.g. a new council's first admin): choose a password.

    Django's token is tied to the current password hash and last sign-in, so the link stops
    working once used, and after PASSWORD_RESET_TIMEOUT. Nobody is signed in by it: the
    first sign-in asks for the password (and sets up a second factor where required).
    """

    template_name = "accounts/set_password.html"
    form_class = ResetPasswordForm
    reset_url_token = "choose"  # noqa: S105 - a URL segment, not a secret
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response


class PasswordResetConfirmView(SetPasswordView):
    """The link in a "forgot your password" email: short-lived and single use
    (accounts.tokens). Setting the password signs nobody in, so the second factor is still
    asked for at the next sign-in (ASVS 6.4.3)."""

    token_generator = password_reset_link
    extra_context = {"purpose": "reset"}


@csrf_protect
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(email=form.cleaned_data["email"], client_address=client_ip(request))
        return redirect("accounts:password-reset-sent")
    return render(
        request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200
    )


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    minutes = settings.ACCOUNTS_PASSWORD_RESET_MINUTES
    return render(request, "accounts/password_reset_sent.html", {"minutes": minutes})
