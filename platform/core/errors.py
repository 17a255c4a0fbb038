"""The one application error base. Services raise these; the API and views turn them into 4xx."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the product was broken by the caller's input or state.

    `status_code` is what an HTTP caller gets; the message is shown to the user as is, so it
    says what was wrong and, where it can, what to do instead.
    """

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    status_code = 400
    code = "invalid"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class StateError(ApplicationError):
    """The object's current state does not allow this (e.g. an illegal transition)."""

    status_code = 422
    code = "invalid_state"
