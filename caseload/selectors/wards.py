"""Reads of the council's wards and its postcode-to-ward table."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from caseload.models import (
    PostcodeUpload,
    PostcodeWard,
    Ward,
)
from caseload.normalise import normalise_postcode
from core.errors import NotFound


def ward_list(*, current_only: bool = False) -> QuerySet[Ward]:
    qs = Ward.objects.all()
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("name")


def ward_get(*, ward_id: int | str) -> Ward:
    try:
        return Ward.objects.get(pk=int(ward_id))
    except (TypeError, ValueError, Ward.DoesNotExist):
        raise NotFound(f"No ward with id {ward_id!s}.") from None


def ward_for_postcode(postcode: str) -> Ward | None:
    """The ward the council's postcode table gives for `postcode`, if any."""
    key = normalise_postcode(postcode)
    if not key:
        return None
    row = PostcodeWard.objects.select_related("ward").filter(postcode=key).first()
    return row.ward if row else None


def ward_for_user(user: User) -> Ward | None:
    """The Ward a councillor sits for (accounts.User.ward holds its name)."""
    if not user.ward:
        return None
    return Ward.objects.filter(name__iexact=user.ward).first()


def postcode_upload_list() -> QuerySet[PostcodeUpload]:
    return PostcodeUpload.objects.select_related("uploaded_by").order_by("-created_at", "-id")
