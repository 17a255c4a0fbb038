"""Batch replies: one template to the constituents of a set of cases, each merged,
sent and recorded on its own case; safe to run twice."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from docx import Document

from caseload.models import Action, Attachment
from core.errors import NotFound, PermissionDenied, ValidationFailed
from correspondence.models import Batch, BatchItem
from correspondence.services import batch_create, batch_process
from mailer.services import outbox_deliver
from tests.conftest import in_council
from tests.correspondence.conftest import make_case, make_constituent


@pytest.fixture
def ward_cases(council_a, people):
    with in_council(council_a):
        cases = [
            make_case(people.owner, make_constituent(people.owner, name=f"Resident {i}"))
            for i in range(3)
        ]
        cases.append(
            make_case(people.owner, make_constituent(people.owner, name="No Email", email=""))
        )
    return cases


def test_batch_email_merges_each_and_records_each(council_a, people, ward_cases):
    with in_council(council_a):
        batch = batch_create(
            actor=people.staff,
            key="holding-reply",
            case_ids=[c.pk for c in ward_cases],
            channel="email",
        )
        batch = batch_process(batch_id=batch.pk)
        assert batch.status == Batch.Status.DONE
        statuses = dict(BatchItem.objects.filter(batch=batch).values_list("case_id", "status"))
        assert statuses == {
            ward_cases[0].pk: "sent",
            ward_cases[1].pk: "sent",
            ward_cases[2].pk: "sent",
            ward_cases[3].pk: "skipped",
        }
        for case in ward_cases[:3]:
            action = Action.objects.get(case=case, kind=Action.Kind.EMAIL_OUT)
            assert action.author_id == people.staff.pk
            assert action.on_behalf_of_id == people.owner.pk
        # Running it again sends nothing more.
        batch_process(batch_id=batch.pk)
        assert Action.objects.filter(kind=Action.Kind.EMAIL_OUT).count() == 3
        outbox_deliver()
    assert len(mail.outbox) == 3
    for i, message in enumerate(sorted(mail.outbox, key=lambda m: m.to[0])):
        assert message.body.startswith(f"Dear Resident {i},")
        assert ward_cases[i].reference in message.subject


def test_batch_letters(council_a, people, ward_cases):
    with in_council(council_a):
        batch = batch_create(
            actor=people.owner,
            key="outcome",
            case_ids=[c.pk for c in ward_cases[2:]],
            channel="docx",
        )
        batch_process(batch_id=batch.pk)
        assert set(BatchItem.objects.filter(batch=batch).values_list("status", flat=True)) == {
            "sent"
        }
        attachment = Attachment.objects.get(case=ward_cases[3])
        with attachment.file.open("rb") as handle:
            text = "\n".join(p.text for p in Document(io.BytesIO(handle.read())).paragraphs)
    assert "Dear No Email," in text and ward_cases[3].reference in text


def test_batch_is_checked_before_anything_is_sent(council_a, council_b, people, ward_cases):
    ids = [c.pk for c in ward_cases]
    with in_council(council_a):
        with pytest.raises(ValidationFailed, match="addressed to officers"):
            batch_create(actor=people.owner, key="chaser", case_ids=ids, channel="email")
        with pytest.raises(NotFound):  # a case the colleague cannot see
            batch_create(actor=people.colleague, key="outcome", case_ids=ids, channel="email")
        with pytest.raises(PermissionDenied):
            from caseload.services import case_set_sharing

            case_set_sharing(
                actor=people.owner,
                case=ward_cases[0],
                sharing="named",
                user_ids=[people.colleague.pk],
            )
            batch_create(actor=people.colleague, key="outcome", case_ids=ids[:1], channel="email")
        assert not Batch.objects.exists()
    with in_council(council_b), pytest.raises(NotFound):
        batch_create(actor=people.outsider, key="outcome", case_ids=ids, channel="email")


def test_batch_api(
    council_a, council_b, people, ward_cases, api_for, django_capture_on_commit_callbacks
):
    staff = api_for(council_a, people.staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = staff.post(
            "/api/v1/batches/",
            {
                "template": "acknowledgement",
                "cases": [c.pk for c in ward_cases],
                "channel": "email",
            },
            format="json",
        )
    assert created.status_code == 202, created.content
    assert created.json()["pending"] == 4
    assert callbacks  # the batch task is queued on commit
    batch_id = created.json()["id"]
    with in_council(council_a):
        batch_process(batch_id=batch_id)
    detail = staff.get(f"/api/v1/batches/{batch_id}/").json()
    assert (detail["status"], detail["sent"], detail["skipped"]) == ("done", 3, 1)
    assert [item["status"] for item in detail["items"]] == ["sent", "sent", "sent", "skipped"]
    # The councillor the staff member acts for sees it; council B does not.
    assert api_for(council_a, people.owner).get(f"/api/v1/batches/{batch_id}/").status_code == 200
    assert (
        api_for(council_b, people.outsider).get(f"/api/v1/batches/{batch_id}/").status_code == 404
    )
    bad = staff.post(
        "/api/v1/batches/",
        {"template": "acknowledgement", "cases": [999999], "channel": "email"},
        format="json",
    )
    assert bad.status_code == 404


def test_a_batch_queued_while_the_broker_was_down_is_queued_again_by_the_sweep(
    council_a, people, ward_cases, monkeypatch, django_capture_on_commit_callbacks
):
    """The batch's task is sent on commit; with the broker down it was lost and the batch
    stayed queued for ever. The sweep (beat, one job per council) sends it again."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from correspondence import tasks
    from correspondence.services import batch_requeue_stale

    def broker_down(**kwargs):
        raise ConnectionError("Error 111 connecting to redis: Connection refused.")

    queued: list[int] = []
    with in_council(council_a):
        monkeypatch.setattr(tasks.batch_process_task, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            batch = batch_create(
                actor=people.owner,
                key="outcome",
                case_ids=[c.pk for c in ward_cases[:2]],
                channel="pdf",
            )
        monkeypatch.setattr(
            tasks.batch_process_task, "delay", lambda *, batch_id: queued.append(batch_id)
        )
        assert batch_requeue_stale() == []  # just queued: not stale yet
        later = timezone.now() + timedelta(minutes=11)
        assert batch_requeue_stale(now=later) == [batch.pk]
        assert queued == [batch.pk]

        # A batch whose items are moving is left alone; a finished one too.
        BatchItem.objects.filter(pk=BatchItem.objects.filter(batch=batch).first().pk).update(
            updated_at=later
        )
        assert batch_requeue_stale(now=later) == []
        assert tasks.batch_process_task.name == "correspondence.batch_process"
        done = batch_process(batch_id=queued[0])
        assert done.status == Batch.Status.DONE
        assert batch_requeue_stale(now=later + timedelta(hours=1)) == []
        assert Action.objects.filter(kind=Action.Kind.LETTER).count() == 2

    entry = settings.CELERY_BEAT_SCHEDULE["correspondence-batch-requeue"]
    assert entry["task"] == "tenants.fan_out"
    assert entry["args"] == ["correspondence.batch_requeue_stale"]
    assert tasks.batch_requeue_stale_task.name == "correspondence.batch_requeue_stale"
