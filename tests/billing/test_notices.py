"""Trial-ending emails (14 and 3 days before, once each), change emails, banners, the daily job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Licence, LicenceState, LicenceTransition, TrialNotice
from billing.services import (
    licence_transition,
    licence_transition_notify,
    trial_notice_send,
    trial_notices_create,
)
from tests.billing.conftest import set_state
from tests.conftest import sign_in


@pytest.fixture
def queued(monkeypatch) -> dict[str, list[dict]]:
    """Records what would go to the broker; tests then run the task body themselves."""
    from billing import tasks

    sent: dict[str, list[dict]] = {"notify": [], "notice": []}
    monkeypatch.setattr(
        tasks.licence_notify_transition, "delay", lambda **kw: sent["notify"].append(kw)
    )
    monkeypatch.setattr(tasks.trial_notice_send, "delay", lambda **kw: sent["notice"].append(kw))
    return sent


def test_14_and_3_day_notices_each_go_once_to_admins_only(
    council_a, council_b, make_user, queued, sent_mail, django_capture_on_commit_callbacks
) -> None:
    make_user(council_a, role="admin", email="boss@a.gov.uk")
    make_user(council_a, role="admin", email="deputy@a.gov.uk")
    make_user(council_a, role="councillor", email="cllr@a.gov.uk")
    make_user(council_b, role="admin", email="boss@b.gov.uk")
    now = timezone.now()
    ends = now + timedelta(days=13, hours=12)
    set_state(council_a, LicenceState.TRIAL, trial_ends_at=ends)
    set_state(council_b, LicenceState.TRIAL, trial_ends_at=now + timedelta(days=40))

    with django_capture_on_commit_callbacks(execute=True):
        created = trial_notices_create(now=now)
    assert len(created) == 1 and queued["notice"] == [{"notice_id": created[0]}]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            trial_notices_create(now=now + timedelta(hours=1)) == []
        )  # daily job reruns: nothing new

    assert trial_notice_send(notice_id=created[0]) == 2
    assert trial_notice_send(notice_id=created[0]) == 0  # a redelivered task sends nothing
    [mail] = sent_mail()
    assert sorted(mail.to) == ["boss@a.gov.uk", "deputy@a.gov.uk"]
    assert "trial ends in 14 days" in mail.subject
    assert "read-only" in mail.body and "council-a.localhost/billing/" in mail.body

    # Ten days later, the 3-day notice.
    later = now + timedelta(days=11)
    [three] = trial_notices_create(now=later)
    notice = TrialNotice.objects.get(pk=three)
    assert notice.kind == TrialNotice.Kind.DAYS_3
    trial_notice_send(notice_id=three)
    assert "trial ends in" in sent_mail()[-1].subject
    assert TrialNotice.objects.filter(licence__council=council_a).count() == 2
    assert not TrialNotice.objects.filter(licence__council=council_b).exists()


def test_extended_trial_gets_fresh_notices_and_stale_ones_are_dropped(
    council_a, make_user, queued, sent_mail
) -> None:
    make_user(council_a, role="admin")
    now = timezone.now()
    set_state(council_a, LicenceState.TRIAL, trial_ends_at=now + timedelta(days=2))
    [first] = trial_notices_create(now=now)
    # Extended before the email went out: the queued notice no longer applies.
    Licence.objects.filter(council=council_a).update(
        state=LicenceState.TRIAL_EXTENDED, trial_ends_at=now + timedelta(days=12)
    )
    assert trial_notice_send(notice_id=first) == 0
    assert sent_mail() == []
    [second] = trial_notices_create(now=now)
    assert TrialNotice.objects.get(pk=second).kind == TrialNotice.Kind.DAYS_14
    assert trial_notice_send(notice_id=second) == 1


def test_notice_uniqueness_is_enforced_by_the_database(council_a) -> None:
    from django.db import IntegrityError, transaction

    licence = Licence.objects.get(council=council_a)
    TrialNotice.objects.create(licence=licence, kind="days_3", trial_ends_at=licence.trial_ends_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrialNotice.objects.create(
            licence=licence, kind="days_3", trial_ends_at=licence.trial_ends_at
        )


def test_every_state_change_emails_the_admins_after_commit(
    council_a, make_user, queued, sent_mail, django_capture_on_commit_callbacks
) -> None:
    make_user(council_a, role="admin", email="boss@a.gov.uk")
    make_user(council_a, role="staff", email="staff@a.gov.uk")
    licence = set_state(council_a, LicenceState.ACTIVE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition = licence_transition(
            licence=licence, to_state="past_due", actor="stripe", reason="Invoice unpaid"
        )
    assert queued["notify"] == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert queued["notify"] == [{"transition_id": transition.pk}]

    assert licence_transition_notify(transition_id=transition.pk) == 1
    assert licence_transition_notify(transition_id=transition.pk) == 0  # once
    [mail] = sent_mail()
    assert mail.to == ["boss@a.gov.uk"]
    assert "past due" in mail.subject.lower()
    assert "Invoice unpaid" in mail.body and "14 days" in mail.body
    assert LicenceTransition.objects.get(pk=transition.pk).notified_at is not None


def test_daily_task_lapses_expired_trials_and_queues_notices(council_a, council_b, queued) -> None:
    from billing.tasks import licence_daily

    now = timezone.now()
    set_state(council_a, LicenceState.TRIAL, trial_ends_at=now - timedelta(hours=1))
    set_state(council_b, LicenceState.TRIAL, trial_ends_at=now + timedelta(days=3))
    summary = licence_daily()
    assert summary == {"trials_lapsed": 1, "past_due_lapsed": 0, "trial_notices": 1}
    assert Licence.objects.get(council=council_a).state == LicenceState.LAPSED
    assert licence_daily() == {"trials_lapsed": 0, "past_due_lapsed": 0, "trial_notices": 0}


def test_daily_task_is_on_beats_schedule(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["billing-licence-daily"]
    assert entry["task"] == "billing.licence_daily"


def _page(council, user) -> bytes:
    client = Client(HTTP_HOST=f"{council.slug}.localhost")
    assert sign_in(client, council, user).status_code == 302
    return client.get("/").content


def test_banners_for_admins_and_read_only_for_everyone(council_a, make_user) -> None:
    admin = make_user(council_a, role="admin")
    councillor = make_user(council_a, role="councillor")
    now = timezone.now()

    set_state(council_a, LicenceState.TRIAL, trial_ends_at=now + timedelta(days=60))
    assert b"data-licence-banner" not in _page(council_a, admin)

    set_state(council_a, LicenceState.TRIAL, trial_ends_at=now + timedelta(days=10))
    assert b'data-licence-banner="trial_ending"' in _page(council_a, admin)
    assert b"data-licence-banner" not in _page(council_a, councillor)

    set_state(council_a, LicenceState.PAST_DUE, past_due_since=now)
    page = _page(council_a, admin)
    assert b'data-licence-banner="past_due"' in page and b"Everything keeps working" in page
    assert b"data-licence-banner" not in _page(council_a, councillor)

    set_state(council_a, LicenceState.LAPSED)
    assert b'data-licence-banner="read_only"' in _page(council_a, admin)
    assert b'data-licence-banner="read_only"' in _page(council_a, councillor)
