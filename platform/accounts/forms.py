from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.selectors import deactivated_account_message, deactivated_user_for_credentials
from accounts.services import password_reset_complete


class SignInForm(AuthenticationForm):
    """Django's sign-in form, except that a deactivated user who gives the right password is
    told so, and whom to ask (`deactivated`); anyone else still hears only "wrong"."""

    deactivated: str = ""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as exc:
            email = self.cleaned_data.get("username") or ""
            password = self.cleaned_data.get("password") or ""
            locked = getattr(self.request, "axes_locked_out", False)
            if (
                exc.code == "invalid_login"
                and email
                and password
                and not locked
                and deactivated_user_for_credentials(email=email, password=password)
            ):
                self.deactivated = deactivated_account_message()
                raise ValidationError(self.deactivated, code="inactive") from exc
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class TotpConfirmForm(CodeForm):
    device = forms.IntegerField(widget=forms.HiddenInput)


class EmailForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
    )


class ResetPasswordForm(SetPasswordForm):
    """Django's set-password form (two entries, the validators), saved by accounts'
    service so every way of setting a password ends the user's sessions and tokens."""

    def save(self, commit: bool = True) -> Any:
        user: User = self.user
        password_reset_complete(user=user, password=self.cleaned_data["new_password1"])
        return user


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False, error_messages={"required": "Enter your current password"}
    )
    new_password1 = forms.CharField(
        strip=False, error_messages={"required": "Enter a new password"}
    )
    new_password2 = forms.CharField(
        strip=False, error_messages={"required": "Type the new password again"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", "The two new passwords are different")
        return data
