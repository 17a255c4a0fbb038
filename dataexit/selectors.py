"""Reads of the data exit: for the council's admins only (nobody else learns one exists)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import is_council_admin
from core.errors import NotFound, PermissionDenied
from dataexit.models import DataExit


def _require_admin(user: User) -> None:
    if not is_council_admin(user):
        raise PermissionDenied("Only the council's administrators see its data exits.")


def data_exit_list_for_admin(*, user: User) -> QuerySet[DataExit]:
    _require_admin(user)
    return DataExit.objects.select_related("requested_by", "decided_by")


def data_exit_get_for_admin(*, user: User, data_exit_id: int | str) -> DataExit:
    try:
        return data_exit_list_for_admin(user=user).get(pk=int(data_exit_id))
    except (TypeError, ValueError, DataExit.DoesNotExist):
        raise NotFound(f"No data exit with id {data_exit_id!s}.") from None


def data_exit_current(*, user: User) -> DataExit | None:
    """The exit in progress or downloadable, if any (the page's top panel)."""
    return (
        data_exit_list_for_admin(user=user)
        .filter(status__in=DataExit.OPEN_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )
