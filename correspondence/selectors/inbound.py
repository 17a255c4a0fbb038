"""The triage queue and batch reads."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from caseload.models import Action, Attachment
from caseload.selectors import acting_for_ids
from core.errors import NotFound, PermissionDenied
from correspondence.models import Batch, BatchItem, InboundEmail


def _require_triage_staff(user: User) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active) or (
        user.role != User.Role.STAFF
    ):
        raise PermissionDenied("Members' Services staff triage inbound mail.")


def _triage_visible_q(user: User) -> Q:
    """Mail from unknown senders belongs to no councillor yet: every Members' Services staff
    member sees it. A forward that could not be filed stays with the forwarder (if staff) and
    the staff who act for the councillor who forwarded it."""
    return (
        Q(forwarded_by__isnull=True)
        | Q(forwarded_by_id=user.pk)
        | Q(forwarded_by_id__in=acting_for_ids(user))
    )


def triage_list(*, user: User, include_done: bool = False) -> QuerySet[InboundEmail]:
    """Mail waiting for triage, newest first (see _triage_visible_q for who sees what)."""
    _require_triage_staff(user)
    qs = InboundEmail.objects.select_related("forwarded_by", "case", "triaged_by").filter(
        _triage_visible_q(user)
    )
    if not include_done:
        qs = qs.filter(status=InboundEmail.Status.TRIAGE)
    return qs.order_by("-received_at", "-id")


def triage_get(*, user: User, inbound_id: int | str) -> InboundEmail:
    _require_triage_staff(user)
    try:
        pk = int(inbound_id)
    except (TypeError, ValueError):
        raise NotFound(f"No inbound message with id {inbound_id!s}.") from None
    found = (
        InboundEmail.objects.select_related("forwarded_by", "case")
        .filter(_triage_visible_q(user), pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(f"No inbound message with id {pk}.")
    return found


def batch_list_for_user(*, user: User) -> QuerySet[Batch]:
    """Batches the user sent, or that wrote to cases of councillors they act for (a
    councillor sees what their staff sent for them), with item counts."""
    ids = acting_for_ids(user)
    touches_mine = Exists(BatchItem.objects.filter(batch_id=OuterRef("pk"), case__owner_id__in=ids))
    return (
        Batch.objects.filter(Q(created_by=user) | Q(touches_mine))
        .select_related("created_by")
        .annotate(
            total=Count("items"),
            sent=Count("items", filter=Q(items__status=BatchItem.Status.SENT)),
            skipped=Count("items", filter=Q(items__status=BatchItem.Status.SKIPPED)),
            failed=Count("items", filter=Q(items__status=BatchItem.Status.FAILED)),
            pending=Count("items", filter=Q(items__status=BatchItem.Status.PENDING)),
        )
        .order_by("-created_at", "-id")
    )


def batch_get_for_user(*, user: User, batch_id: int | str) -> Batch:
    try:
        pk = int(batch_id)
    except (TypeError, ValueError):
        raise NotFound(f"No batch with id {batch_id!s}.") from None
    batch = batch_list_for_user(user=user).filter(pk=pk).first()
    if batch is None:
        raise NotFound(f"No batch with id {pk}.")
    return batch


def batch_items(*, batch: Batch) -> QuerySet[BatchItem]:
    return BatchItem.objects.filter(batch=batch).select_related("case").order_by("id")


def batch_print_attachments(*, batch: Batch) -> list[Attachment]:
    """The PDF letters a batch made, in the batch's order: what its print file joins (the
    files each case keeps). Three queries whatever the size of the batch."""
    action_ids = [
        pk
        for pk in BatchItem.objects.filter(batch=batch, status=BatchItem.Status.SENT)
        .order_by("id")
        .values_list("action_id", flat=True)
        if pk is not None
    ]
    by_action: dict[int, list[int]] = {
        pk: data.get("attachment_ids") or [data.get("attachment_id")]
        for pk, data in Action.objects.filter(
            pk__in=action_ids, kind=Action.Kind.LETTER
        ).values_list("pk", "data")
    }
    wanted = [a for pk in action_ids for a in by_action.get(pk, []) if a]
    files = {
        a.pk: a
        for a in Attachment.objects.select_related("case").filter(
            pk__in=wanted, content_type="application/pdf"
        )
    }
    return [files[pk] for pk in wanted if pk in files]
