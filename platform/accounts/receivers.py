"""Signal receivers. Each only hands over to a service."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.services import login_event_record


def record_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    login_event_record(user=user)
