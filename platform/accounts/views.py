from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an invitation (e.g. a new council's first admin): choose a password.

    Django's reset token is tied to the current password hash and last login, so the link
    stops working once used, and after PASSWORD_RESET_TIMEOUT.
    """

    template_name = "accounts/set_password.html"
    reset_url_token = "choose"  # noqa: S105 - a URL segment, not a secret
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response
