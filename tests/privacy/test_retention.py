"""Retention: the schedule, legal holds, and the nightly preview-then-anonymise run.

Seeded cases are closed long ago; the run first lists them (preview), and only a run at
least RETENTION_PREVIEW_DAYS later anonymises them. The tests check what goes (the
constituent's details, texts, attachments, outbox copies, search) and what stays (every
figure the council and the central comparison count).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from caseload.models import Action, Attachment, Case, Constituent, Officer, Referral
from caseload.selectors import CaseFilters, case_list_for_user
from caseload.services import (
    action_add,
    attachment_add,
    case_close,
    case_open,
    constituent_create,
    officer_create,
    referral_create,
    referral_record_reply,
)
from console.services.figures import council_figures_compute
from core.errors import Conflict, PermissionDenied, ValidationFailed
from mailer.models import OutboundEmail
from mailer.services import outbox_enqueue
from privacy import selectors, services
from privacy.models import AnonymisedCase, LegalHold, RetentionCandidate, RetentionRun
from reminders.models import BF
from tests.conftest import in_council

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=3 * 365)


def _closed_case(
    cast,
    *,
    name="Margaret Fairbairn",
    title="Damp in the back bedroom",
    category=None,
    closed_days_ago: int | None = None,
):
    """A case of `name`, with history, a referral answered, an attachment, a BF and an
    email in the outbox, closed `closed_days_ago` days ago (default: three years)."""
    opened = timezone.now() - LONG_AGO - timedelta(days=40)
    constituent = constituent_create(
        actor=cast.owner,
        name=name,
        address="14 Kirk Wynd, Kirkcaldy",
        postcode="KY1 1EG",
        phone="01592 583 201",
        email=f"{name.split()[0].lower()}@example.org",
        notes="Asthma: needs the damp sorted.",
        allow_duplicate=True,
    )
    case = case_open(
        actor=cast.owner,
        constituent=constituent,
        title=title,
        description=f"{name} says the mould is back after the last repair.",
        category=category or cast.housing,
        ward=cast.north,
        opened_at=opened,
    )
    action_add(
        actor=cast.owner,
        case=case,
        kind=Action.Kind.CALL,
        text=f"Spoke to {name} about the mould.",
        time_spent_minutes=15,
    )
    officer = Officer.objects.filter(email="alan.reid@council.gov.uk").first() or officer_create(
        actor=cast.admin, name="Alan Reid", email="alan.reid@council.gov.uk"
    )
    referral = referral_create(
        actor=cast.owner,
        case=case,
        officer=officer,
        working_days=10,
        note=f"Please inspect {name}'s flat.",
        sent_at=opened,
    )
    referral_record_reply(
        actor=cast.owner,
        referral=referral,
        text="Inspection booked.",
        replied_at=opened + timedelta(days=3),
    )
    attachment_add(
        actor=cast.owner,
        case=case,
        file=SimpleUploadedFile(
            "photo.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg"
        ),
    )
    BF.objects.create(
        case=case,
        due_date=opened.date() + timedelta(days=20),
        reason=f"Check {name} heard back",
        owner=cast.owner,
    )
    outbox_enqueue(
        to=[constituent.email],
        subject=f"Your enquiry, {name}",
        body_text=f"Dear {name}, ...",
        case=case,
        kind="correspondence",
    )
    case_close(actor=cast.owner, case=case, outcome=Case.Outcome.RESOLVED, note="Fixed.")
    closed_at = timezone.now() - (
        timedelta(days=closed_days_ago) if closed_days_ago is not None else LONG_AGO
    )
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    case.refresh_from_db()
    return case


def _run_twice(days_between: int = 15):
    """A run that previews, then one `days_between` days later that may anonymise."""
    first = services.retention_run()
    second = services.retention_run(now=timezone.now() + timedelta(days=days_between))
    return first, second


def test_a_case_past_its_period_is_previewed_first_then_anonymised(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        first = services.retention_run()
        assert first.anonymised_case_ids == []
        assert RetentionCandidate.objects.filter(case=case).exists()
        shown = selectors.retention_candidates_for_admin(user=cast.admin)
        assert [c.reference for c in shown] == [case.reference]

        second = services.retention_run(now=timezone.now() + timedelta(days=15))
        assert second.anonymised_case_ids == [case.pk]

        case.refresh_from_db()
        assert case.title == services.ANONYMISED and case.description == ""
        assert case.search_vector is None
        constituent = Constituent.objects.get(pk=case.constituent_id)
        assert constituent.name == services.ANONYMISED
        assert (
            constituent.address,
            constituent.postcode,
            constituent.phone,
            constituent.email,
            constituent.notes,
        ) == ("", "", "", "", "")
        texts = list(Action.objects.filter(case=case).values_list("text", flat=True))
        assert all(t in ("", services.ANONYMISED) for t in texts)
        assert not any(
            "Fairbairn" in str(d)
            for d in Action.objects.filter(case=case).values_list("data", flat=True)
        )
        assert Referral.objects.get(case=case).note == services.ANONYMISED
        assert set(BF.objects.filter(case=case).values_list("reason", flat=True)) == {
            services.ANONYMISED
        }
        assert not Attachment.objects.filter(case=case).exists()
        assert not OutboundEmail.objects.filter(case_id=case.pk).exists()
        assert AnonymisedCase.objects.get(case=case).attachments_deleted == 1


def test_anonymised_case_cannot_be_found_by_search(
    cast, council_a, django_capture_on_commit_callbacks
):
    with in_council(council_a):
        case = _closed_case(cast)
        path = Attachment.objects.get(case=case).file.path
        services.retention_run()
        with django_capture_on_commit_callbacks(execute=True):
            services.retention_run(now=timezone.now() + timedelta(days=15))
        assert not os.path.exists(path), "the attachment's file is deleted after commit"
        for word in ("Fairbairn", "mould", "Margaret", "KY1"):
            found = case_list_for_user(user=cast.owner, filters=CaseFilters(q=word))
            assert case.pk not in [c.pk for c in found], word


def test_statistics_and_the_central_figures_add_up_after_anonymisation(cast, council_a):
    with in_council(council_a):
        cases = [
            _closed_case(cast, name=f"Person {i} Smith", title=f"Repair {i}") for i in range(3)
        ]
        cases.append(_closed_case(cast, name="Recent Closer", closed_days_ago=30))
        before = council_figures_compute()
        _run_twice()
        assert AnonymisedCase.objects.count() == 3
        after = council_figures_compute()
    assert after == before


def test_a_legal_hold_stops_anonymisation_until_lifted(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        services.retention_run()
        hold = services.legal_hold_place(
            actor=cast.admin, case=case, reason="Complaint to the SPSO"
        )
        assert not RetentionCandidate.objects.filter(case=case).exists()
        later = timezone.now() + timedelta(days=30)
        assert services.retention_run(now=later).anonymised_case_ids == []
        case.refresh_from_db()
        assert case.title == "Damp in the back bedroom"

        services.legal_hold_lift(actor=cast.admin, hold=hold)
        # Lifted: previewed again, and anonymised only after a fresh preview period.
        assert services.retention_run(now=later).anonymised_case_ids == []
        assert services.retention_run(now=later + timedelta(days=15)).anonymised_case_ids == [
            case.pk
        ]
        kinds = set(AuditEntry.objects.values_list("action", flat=True))
        assert {
            AuditAction.LEGAL_HOLD_PLACED,
            AuditAction.LEGAL_HOLD_LIFTED,
            AuditAction.RETENTION_RUN,
        } <= kinds


def test_the_schedule_per_category_decides_what_is_due(cast, council_a):
    with in_council(council_a):
        housing = _closed_case(cast, name="Ann Housing", closed_days_ago=400)
        roads = _closed_case(cast, name="Bob Roads", category=cast.roads, closed_days_ago=400)
        # Default 24 months: neither is due after 400 days.
        assert services.retention_run().run.newly_due == 0
        services.retention_schedule_set(actor=cast.admin, category=cast.roads, keep_months=12)
        services.retention_run()
        due = set(RetentionCandidate.objects.values_list("case_id", flat=True))
        assert due == {roads.pk}
        # Lengthening the period takes a previewed case off the list at the next run.
        services.retention_schedule_set(actor=cast.admin, category=cast.roads, keep_months=36)
        services.retention_run()
        assert not RetentionCandidate.objects.exists()
        services.retention_schedule_set(actor=cast.admin, category=None, keep_months=6)
        services.retention_run()
        assert set(RetentionCandidate.objects.values_list("case_id", flat=True)) == {housing.pk}


def test_a_constituent_with_a_live_case_keeps_their_details(cast, council_a):
    with in_council(council_a):
        old = _closed_case(cast)
        case_open(
            actor=cast.owner, constituent=old.constituent, title="New enquiry", ward=cast.north
        )
        _run_twice()
        old.refresh_from_db()
        assert old.title == services.ANONYMISED
        assert Constituent.objects.get(pk=old.constituent_id).name == "Margaret Fairbairn"


def test_runs_are_idempotent_and_resume(cast, council_a, monkeypatch):
    with in_council(council_a):
        a = _closed_case(cast, name="Ann First")
        b = _closed_case(cast, name="Bob Second")
        services.retention_run()
        later = timezone.now() + timedelta(days=15)
        real = services.retention.case_anonymise
        calls = []

        def dies_on_the_second(**kwargs):
            calls.append(kwargs["case_id"])
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return real(**kwargs)

        monkeypatch.setattr(services.retention, "case_anonymise", dies_on_the_second)
        with pytest.raises(RuntimeError):
            services.retention_run(now=later)
        failed = RetentionRun.objects.order_by("-id").first()
        assert failed.status == RetentionRun.Status.FAILED and "worker killed" in failed.error
        # The first case is done and stays done; the second untouched.
        assert AnonymisedCase.objects.filter(case_id=min(a.pk, b.pk)).exists()
        assert not AnonymisedCase.objects.filter(case_id=max(a.pk, b.pk)).exists()
        monkeypatch.setattr(services.retention, "case_anonymise", real)
        resumed = services.retention_run(now=later)
        assert resumed.anonymised_case_ids == [max(a.pk, b.pk)]
        assert services.retention_run(now=later).anonymised_case_ids == []
        assert AnonymisedCase.objects.count() == 2


def test_only_admins_set_the_schedule_and_holds(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        for who in (cast.owner, cast.staff):
            with pytest.raises(PermissionDenied):
                services.retention_schedule_set(actor=who, category=None, keep_months=12)
            with pytest.raises(PermissionDenied):
                services.legal_hold_place(actor=who, case=case, reason="x")
            with pytest.raises(PermissionDenied):
                selectors.retention_candidates_for_admin(user=who)
        with pytest.raises(ValidationFailed):
            services.retention_schedule_set(actor=cast.admin, category=None, keep_months=0)
        with pytest.raises(ValidationFailed):
            services.legal_hold_place(actor=cast.admin, case=case, reason="  ")
        services.legal_hold_place(actor=cast.admin, case=case, reason="Claim")
        with pytest.raises(Conflict):
            services.legal_hold_place(actor=cast.admin, case=case, reason="Again")
        assert LegalHold.objects.count() == 1


def test_the_council_b_run_touches_nothing_in_a(cast, council_a, council_b):
    with in_council(council_a):
        case = _closed_case(cast)
    with in_council(council_b):
        services.retention_run()
        services.retention_run(now=timezone.now() + timedelta(days=15))
    with in_council(council_a):
        case.refresh_from_db()
        assert case.title == "Damp in the back bedroom"
        assert connection.schema_name == council_a.schema_name
