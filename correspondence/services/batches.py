"""Batch replies: one template to the constituents of a set of cases (a campaign, a ward
issue), each individually merged, sent and recorded on its own case.

`batch_create` checks everything up front (template, channel, every case changeable by the
sender) and queues the work; `batch_process` sends item by item, each in its own
transaction with the item's status, so a retried or re-run task never sends one twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import Case
from caseload.selectors import case_can_change, case_visible_q
from caseload.services import assert_council_writable
from core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from correspondence import tasks
from correspondence.models import Batch, BatchItem
from correspondence.selectors import template_get_effective
from correspondence.services.sending import correspondence_make_letter, correspondence_send_email
from correspondence.shared.models import Audience

logger = logging.getLogger(__name__)
MAX_BATCH_CASES = 2000
# A queued batch none of whose items has moved for this long has lost its task (the broker
# was down when it was queued, or a worker died with it): the sweep queues it again.
BATCH_STALE_AFTER = timedelta(minutes=10)


@transaction.atomic
def batch_create(*, actor: User, key: str, case_ids: list[int], channel: str) -> Batch:
    assert_council_writable()
    template = template_get_effective(user=actor, key=key)
    if template.audience != Audience.CONSTITUENT:
        raise ValidationFailed(
            f"'{template.name}' is addressed to officers; a batch goes to constituents.",
            extra={"template": ["Choose a template addressed to constituents."]},
        )
    if channel not in Batch.Channel.values:
        raise ValidationFailed(
            f"Channel is one of: {', '.join(Batch.Channel.values)}.",
            extra={"channel": ["Unknown channel."]},
        )
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise ValidationFailed("Choose at least one case.", extra={"cases": ["Required."]})
    if len(ids) > MAX_BATCH_CASES:
        raise ValidationFailed(
            f"A batch covers at most {MAX_BATCH_CASES} cases.",
            extra={"cases": [f"At most {MAX_BATCH_CASES}."]},
        )
    visible = {
        c.pk: c
        for c in Case.objects.filter(case_visible_q(actor), pk__in=ids).select_related("owner")
    }
    missing = [i for i in ids if i not in visible]
    if missing:
        raise NotFound(
            f"No case with id {', '.join(map(str, missing[:10]))}.",
            extra={"cases": [f"Not found: {missing[:10]}"]},
        )
    readonly = [c.reference for c in visible.values() if not case_can_change(actor, c)]
    if readonly:
        raise PermissionDenied(
            f"You can read but not change {', '.join(readonly[:10])}; only their owners (and "
            "the staff who support them) can write to those constituents."
        )
    batch = Batch.objects.create(
        template_key=template.key,
        template_name=template.name,
        channel=channel,
        created_by=actor,
    )
    BatchItem.objects.bulk_create([BatchItem(batch=batch, case_id=i) for i in ids])
    transaction.on_commit(lambda: _queue(batch.pk))
    return batch


def _queue(batch_id: int) -> None:
    try:
        tasks.batch_process_task.delay(batch_id=batch_id)
    except Exception:  # broker down: the batch stays queued until the sweep sends it again
        logger.warning("batch %s not queued; the stale-batch sweep will queue it", batch_id)


def batch_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Queue again every batch still queued with no item moved for BATCH_STALE_AFTER.

    Safe against a batch that is in fact running: items are claimed one at a time with
    SKIP LOCKED and only while pending, so a second task sends nothing twice."""
    cutoff = (now or timezone.now()) - BATCH_STALE_AFTER
    ids = list(
        Batch.objects.filter(status=Batch.Status.QUEUED, updated_at__lt=cutoff)
        .exclude(items__updated_at__gte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )
    for batch_id in ids:
        _queue(batch_id)
    if ids:
        logger.info("re-queued %d stale batches", len(ids))
    return ids


def _send_one(batch: Batch, item: BatchItem) -> None:
    with transaction.atomic():
        locked = (
            BatchItem.objects.select_for_update(skip_locked=True)
            .filter(pk=item.pk, status=BatchItem.Status.PENDING)
            .first()
        )
        if locked is None:  # done already, or another worker has it
            return
        case = Case.objects.select_related("constituent", "owner", "category", "ward").get(
            pk=locked.case_id
        )
        actor = batch.created_by
        try:
            with transaction.atomic():
                if batch.channel == Batch.Channel.EMAIL:
                    if not case.constituent.email:
                        locked.status = BatchItem.Status.SKIPPED
                        locked.detail = "No email address: send a letter instead."
                    else:
                        sent = correspondence_send_email(
                            actor=actor,
                            key=batch.template_key,
                            case=case,
                            dedupe_key=f"batch:{batch.pk}:{case.pk}",
                        )
                        locked.status, locked.action_id = BatchItem.Status.SENT, sent.action.pk
                        locked.detail = f"Emailed {sent.to}"[:300]
                else:
                    letter = correspondence_make_letter(
                        actor=actor, key=batch.template_key, case=case, fmt=batch.channel
                    )
                    locked.status, locked.action_id = BatchItem.Status.SENT, letter.action.pk
                    locked.detail = f"Letter {letter.filename}"[:300]
        except ApplicationError as exc:
            locked.status = BatchItem.Status.FAILED
            locked.detail = exc.message[:300]
        locked.save(update_fields=["status", "action_id", "detail", "updated_at"])


def batch_process(*, batch_id: int) -> Batch:
    """Send every pending item of the batch (idempotent; safe to run again)."""
    batch = Batch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"No batch with id {batch_id}.")
    for item in BatchItem.objects.filter(batch=batch, status=BatchItem.Status.PENDING).order_by(
        "id"
    ):
        _send_one(batch, item)
    if not BatchItem.objects.filter(batch=batch, status=BatchItem.Status.PENDING).exists():
        Batch.objects.filter(pk=batch.pk, status=Batch.Status.QUEUED).update(
            status=Batch.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
        batch.refresh_from_db()
    return batch
