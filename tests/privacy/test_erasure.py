"""Erasure and rectification of one constituent: nothing of them findable afterwards by
search, in history, letters, the outbox or triage mail; another constituent untouched."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from caseload.models import Action, Attachment, Case, Constituent
from caseload.selectors import CaseFilters, case_list_for_user
from caseload.services import case_open, constituent_create
from core.errors import PermissionDenied
from correspondence.models import InboundEmail
from mailer.models import OutboundEmail
from mailer.services import outbox_enqueue
from privacy import services
from privacy.models import Erasure
from tests.conftest import in_council
from tests.privacy.test_retention import _closed_case

pytestmark = pytest.mark.django_db

TRACES = ("Fairbairn", "Margaret", "margaret@example.org", "01592 583 201", "KY1 1EG", "Kirk Wynd")


def _everything_text(case_ids) -> str:
    """Every text the council holds about these cases, as one string to search."""
    parts = []
    for case in Case.objects.filter(pk__in=case_ids):
        parts += [case.title, case.description]
    parts += list(Action.objects.filter(case_id__in=case_ids).values_list("text", flat=True))
    parts += [
        str(d) for d in Action.objects.filter(case_id__in=case_ids).values_list("data", flat=True)
    ]
    for mail in OutboundEmail.objects.all():
        parts += [mail.subject, mail.body_text, " ".join(mail.to)]
    for mail in InboundEmail.objects.all():
        parts += [mail.subject, mail.body_text, mail.from_email, mail.from_name]
    for person in Constituent.objects.all():
        parts += [person.name, person.address, person.email, person.phone, person.postcode]
    return "\n".join(parts)


def _seed(cast):
    case = _closed_case(cast)  # Margaret Fairbairn, with history, files and outbox
    open_case = case_open(
        actor=cast.owner,
        constituent=case.constituent,
        title="Margaret Fairbairn's bins missed",
        ward=cast.north,
    )
    InboundEmail.objects.create(
        received_at=timezone.now(),
        from_email="margaret@example.org",
        from_name="Margaret Fairbairn",
        subject="Still waiting",
        body_text="From Margaret",
        status=InboundEmail.Status.TRIAGE,
    )
    other = constituent_create(
        actor=cast.owner, name="Angus Other", email="angus@example.org", allow_duplicate=True
    )
    other_case = case_open(
        actor=cast.owner, constituent=other, title="Angus's streetlight", ward=cast.north
    )
    outbox_enqueue(
        to=["angus@example.org"],
        subject="Angus, your streetlight",
        body_text="Dear Angus",
        case=other_case,
        kind="correspondence",
    )
    return case, open_case, other_case


@pytest.mark.parametrize("scope", ["identity", "everything"])
def test_erasure_leaves_no_trace(cast, council_a, scope, django_capture_on_commit_callbacks):
    with in_council(council_a):
        case, open_case, other_case = _seed(cast)
        person = case.constituent
        files = [a.file.path for a in Attachment.objects.filter(case=case)]
        plan = services.erasure_plan(actor=cast.owner, constituent=person)
        assert plan.references == [case.reference, open_case.reference]
        assert plan.attachments == 1 and plan.outbox_emails == 1 and plan.inbound_emails == 1
        with django_capture_on_commit_callbacks(execute=True):
            record = services.constituent_erase(actor=cast.staff, constituent=person, scope=scope)

        text = _everything_text([case.pk, open_case.pk])
        for trace in TRACES:
            assert trace.lower() not in text.lower(), trace
        for word in ("Fairbairn", "Margaret", "mould", "KY1"):
            found = [c.pk for c in case_list_for_user(user=cast.owner, filters=CaseFilters(q=word))]
            if scope == "everything" or word != "mould":
                assert case.pk not in found and open_case.pk not in found, word
        assert not any(os.path.exists(p) for p in files)
        # The other constituent is untouched.
        assert Constituent.objects.get(name="Angus Other").email == "angus@example.org"
        assert OutboundEmail.objects.filter(case_id=other_case.pk).count() == 1
        # The record says what was done, not to whom.
        assert record.touched["cases"] == 2
        assert "Fairbairn" not in str(record.touched) + " ".join(record.case_references)
        entry = AuditEntry.objects.get(action=AuditAction.ERASURE)
        assert "Fairbairn" not in entry.summary + str(entry.detail)
        # The cases still count: status, category, ward and dates are kept.
        case.refresh_from_db()
        assert (case.status, case.category_id, case.ward_id) == (
            "closed",
            cast.housing.pk,
            cast.north.pk,
        )
        if scope == "identity":
            assert "mould" in case.description  # what happened stays; who it was goes
        assert Erasure.objects.count() == 1


def test_only_the_record_holders_side_may_erase(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        for who in (cast.admin, cast.ward_colleague, cast.other_staff, cast.other_councillor):
            with pytest.raises(PermissionDenied):
                services.erasure_plan(actor=who, constituent=case.constituent)
            with pytest.raises(PermissionDenied):
                services.constituent_erase(
                    actor=who, constituent=case.constituent, scope="identity"
                )
        assert Constituent.objects.get(pk=case.constituent_id).name == "Margaret Fairbairn"


def test_rectify_everywhere_replaces_the_old_value(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast, name="Margret Fairbairn")
        changed = services.constituent_rectify(
            actor=cast.owner,
            constituent=case.constituent,
            field_name="name",
            value="Margaret Fairbairn",
            everywhere=True,
        )
        assert changed >= 2
        case.refresh_from_db()
        assert "Margaret Fairbairn says" in case.description
        assert not Action.objects.filter(case=case, text__contains="Margret").exists()
        assert Constituent.objects.get(pk=case.constituent_id).name == "Margaret Fairbairn"
        assert AuditEntry.objects.filter(action=AuditAction.RECTIFICATION).count() == 1


def test_rectify_by_note_keeps_history_and_adds_a_correction(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        before = Action.objects.filter(case=case).count()
        services.constituent_rectify(
            actor=cast.owner,
            constituent=case.constituent,
            field_name="phone",
            value="01592 000 111",
            everywhere=False,
        )
        assert Action.objects.filter(case=case).count() == before + 1
        note = Action.objects.filter(case=case, data__corrected="phone").get()
        assert "01592 000 111" in note.text
        assert Constituent.objects.get(pk=case.constituent_id).phone == "01592 000 111"


def test_erased_constituents_closed_case_is_not_anonymised_again(cast, council_a):
    with in_council(council_a):
        case = _closed_case(cast)
        services.constituent_erase(
            actor=cast.owner, constituent=case.constituent, scope="everything"
        )
        services.retention_run()
        assert (
            services.retention_run(now=timezone.now() + timedelta(days=30)).anonymised_case_ids
            == []
        )
        case.refresh_from_db()
        assert case.title == services.ERASED
