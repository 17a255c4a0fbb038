"""Signal receivers. Each only hands over to a service."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.services import sign_in_failed_record, sign_in_record, sign_out_record


def record_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    sign_in_record(user=user, via="web")


def record_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django's authenticate() sends this with the password masked; the second-factor step
    # (accounts.views, accounts.api.views) with the account's email only.
    typed = str(credentials.get("username") or credentials.get("email") or "")
    step = "second_factor" if sender in ("accounts.views", "accounts.api.views") else "password"
    sign_in_failed_record(
        email_typed=typed,
        step=step,
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )


def record_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        sign_out_record(user=user, via="web")
