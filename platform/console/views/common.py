"""Small helpers the console's views share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.errors import ApplicationError


def actor_of(request: HttpRequest) -> str:
    return str(getattr(request.user, "email", "") or "central body")


def form_errors_from(form: Any, exc: ApplicationError) -> None:
    """Put a service's per-field messages on the form (or a general one if none fit)."""
    fields = exc.extra if isinstance(exc.extra, dict) else {}
    placed = False
    for name, messages in fields.items():
        if name in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(name, str(message))
                placed = True
    if not placed:
        form.add_error(None, exc.message)
