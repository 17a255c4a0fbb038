"""Subject access requests: the statutory clock, the BF that tracks a request, the search
for the requester's records, and an archive holding everything about the confirmed person
and nothing about anyone else (a second person with a very similar name is seeded)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from caseload.models import Case, Category
from caseload.services import action_add, attachment_add, case_open, constituent_create
from core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from correspondence.models import InboundEmail
from mailer.models import OutboundAttachment
from mailer.services import outbox_enqueue
from privacy import selectors, services
from privacy.models import SubjectAccessRequest
from privacy.services.subject_access import bf_date_for, current_due_on
from reminders.models import BF
from tests.conftest import in_council
from tests.privacy.test_retention import _closed_case

pytestmark = pytest.mark.django_db

# What only the other (unconfirmed) person's records contain.
OTHER_MARKERS = ("Fairburn", "fairburn@example.org", "FAIRBURN-NOTE-93", "FAIRBURN-FILE", "Leven")


def _seed(cast):
    """Margaret Fairbairn (two cases, history, referral, BF, files, letter, emails in and
    out), and Margaret Fairburn, another person at another address, with her own case."""
    closed = _closed_case(cast)  # Margaret Fairbairn, closed long ago, with all the trimmings
    margaret = closed.constituent
    open_case = case_open(
        actor=cast.owner, constituent=margaret, title="Bins missed again", ward=cast.north
    )
    action_add(actor=cast.owner, case=open_case, kind="note", text="MARGARET-NOTE-17")
    attachment_add(
        actor=cast.owner,
        case=open_case,
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 MARGARET-LETTER", "application/pdf"),
    )
    mail = outbox_enqueue(
        to=[margaret.email],
        subject="Your bins, Margaret",
        body_text="Dear Margaret, MARGARET-EMAIL-BODY",
        case=open_case,
        kind="correspondence",
    )
    OutboundAttachment.objects.create(
        email=mail, filename="reply.pdf", mimetype="application/pdf", content=b"MARGARET-ATTACHED"
    )
    InboundEmail.objects.create(
        received_at=timezone.now(),
        from_email=margaret.email,
        from_name="Margaret Fairbairn",
        subject="Still no bins",
        body_text="MARGARET-INBOUND",
        status=InboundEmail.Status.TRIAGE,
    )
    other = constituent_create(
        actor=cast.owner,
        name="Margaret Fairburn",
        email="fairburn@example.org",
        postcode="KY8 4AA",
        address="2 Shore Road, Leven",
        allow_duplicate=True,
    )
    other_case = case_open(
        actor=cast.owner, constituent=other, title="Fairburn's fence", ward=cast.north
    )
    action_add(actor=cast.owner, case=other_case, kind="note", text="FAIRBURN-NOTE-93")
    attachment_add(
        actor=cast.owner,
        case=other_case,
        file=SimpleUploadedFile("fence.txt", b"FAIRBURN-FILE", "text/plain"),
    )
    outbox_enqueue(
        to=["fairburn@example.org"],
        subject="Your fence, Mrs Fairburn",
        body_text="FAIRBURN-NOTE-93",
        case=other_case,
        kind="correspondence",
    )
    InboundEmail.objects.create(
        received_at=timezone.now(),
        from_email="fairburn@example.org",
        from_name="Margaret Fairburn",
        subject="Fence",
        body_text="FAIRBURN-NOTE-93",
        status=InboundEmail.Status.TRIAGE,
    )
    return margaret, other, closed, open_case


def _open(cast, actor=None, **fields):
    fields.setdefault("requester_name", "Margaret Fairbairn")
    fields.setdefault("received_on", timezone.localdate())
    return services.subject_access_open(actor=actor or cast.owner, **fields)


# ---------------------------------------------------------------------------------------
# The statutory clock
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "extension", "paused", "due"),
    [
        (date(2026, 1, 31), 0, 0, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), 0, 0, date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 15), 0, 0, date(2026, 4, 15)),
        (date(2026, 12, 20), 0, 0, date(2027, 1, 20)),  # over the year's end
        (date(2026, 1, 31), 2, 0, date(2026, 4, 30)),  # three months in all
        (date(2026, 3, 31), 1, 0, date(2026, 5, 31)),
        (date(2026, 1, 31), 0, 10, date(2026, 3, 10)),  # ten days stopped
    ],
)
def test_the_statutory_due_date(received, extension, paused, due):
    assert (
        services.statutory_due_on(
            received_on=received, extension_months=extension, paused_days=paused
        )
        == due
    )


def test_recording_a_request_opens_a_case_and_a_bf_for_the_handler(cast, council_a):
    with in_council(council_a):
        received = timezone.localdate() - timedelta(days=2)
        sar = _open(cast, actor=cast.staff, received_on=received, email="M@Example.org")
        assert sar.councillor == cast.owner  # staff acting for one councillor: theirs
        assert sar.due_on == services.statutory_due_on(received_on=received)
        assert sar.email == "m@example.org"
        case = Case.objects.get(pk=sar.case_id)
        assert case.owner == cast.owner
        assert case.category == Category.objects.get(name="Subject access request")
        assert case.constituent.name == "Margaret Fairbairn"
        bf = BF.objects.get(pk=sar.bf_id)
        assert bf.owner == cast.staff and not bf.done
        assert bf.due_date == bf_date_for(due_on=sar.due_on)
        assert bf.due_date < sar.due_on
        entry = AuditEntry.objects.get(action=AuditAction.SUBJECT_ACCESS)
        assert entry.detail["event"] == "created" and entry.actor_id == cast.staff.pk
        # A second request reuses the category.
        _open(cast)
        assert Category.objects.filter(name="Subject access request").count() == 1


def test_an_extension_needs_a_reason_and_moves_the_bf(cast, council_a):
    with in_council(council_a):
        sar = _open(cast)
        first_due = sar.due_on
        with pytest.raises(ValidationFailed, match="Say why"):
            services.subject_access_extend(actor=cast.owner, sar=sar, months=1, reason=" ")
        with pytest.raises(ValidationFailed, match="at most 2 months"):
            services.subject_access_extend(actor=cast.owner, sar=sar, months=3, reason="Complex")
        sar = services.subject_access_extend(
            actor=cast.owner, sar=sar, months=2, reason="Many records across several cases"
        )
        assert sar.due_on == services.statutory_due_on(
            received_on=sar.received_on, extension_months=2
        )
        assert sar.due_on > first_due
        assert BF.objects.get(pk=sar.bf_id).due_date == bf_date_for(due_on=sar.due_on)
        with pytest.raises(ValidationFailed, match="0 month"):
            services.subject_access_extend(actor=cast.owner, sar=sar, months=1, reason="More")
        assert SubjectAccessRequest.objects.get(pk=sar.pk).extension_months == 2


def test_a_stopped_clock_adds_its_days_and_moves_the_bf(cast, council_a):
    with in_council(council_a):
        today = timezone.localdate()
        sar = _open(cast, received_on=today - timedelta(days=20))
        sar = services.subject_access_pause(actor=cast.owner, sar=sar, on=today - timedelta(days=9))
        assert sar.status == "paused"
        # While stopped, the due date shown moves day by day.
        assert current_due_on(sar, today=today) == sar.due_on + timedelta(days=9)
        with pytest.raises(StateError):
            services.subject_access_pause(actor=cast.owner, sar=sar)
        sar = services.subject_access_resume(actor=cast.owner, sar=sar, on=today)
        assert sar.status == "open" and sar.paused_days == 9
        assert sar.due_on == services.statutory_due_on(received_on=sar.received_on, paused_days=9)
        assert BF.objects.get(pk=sar.bf_id).due_date == bf_date_for(due_on=sar.due_on)
        with pytest.raises(StateError):
            services.subject_access_resume(actor=cast.owner, sar=sar)


def test_bad_input_is_refused_and_nothing_is_saved(cast, council_a):
    with in_council(council_a):
        today = timezone.localdate()
        with pytest.raises(ValidationFailed, match="future"):
            _open(cast, received_on=today + timedelta(days=1))
        with pytest.raises(ValidationFailed, match="name"):
            _open(cast, requester_name="  ")
        with pytest.raises(ValidationFailed, match="councillor you act for"):
            _open(cast, councillor=cast.other_councillor)
        assert not SubjectAccessRequest.objects.exists()
        assert not Case.objects.exists()


def test_completing_needs_confirmed_records_and_closes_the_case(cast, council_a):
    with in_council(council_a):
        margaret, _other, _closed, _open_case = _seed(cast)
        sar = _open(cast, constituent=margaret)
        with pytest.raises(StateError, match="Confirm"):
            services.subject_access_close(actor=cast.owner, sar=sar, status="completed")
        with pytest.raises(ValidationFailed, match="refused"):
            services.subject_access_close(actor=cast.owner, sar=sar, status="refused")
        sar = services.subject_access_confirm(
            actor=cast.owner, sar=sar, constituent_ids=[margaret.pk]
        )
        sar = services.subject_access_close(actor=cast.owner, sar=sar, status="completed")
        assert sar.status == "completed" and sar.closed_on == timezone.localdate()
        assert BF.objects.get(pk=sar.bf_id).done
        assert Case.objects.get(pk=sar.case_id).status == Case.Status.CLOSED
        with pytest.raises(StateError):
            services.subject_access_extend(actor=cast.owner, sar=sar, months=1, reason="x")
        events = list(
            AuditEntry.objects.filter(action=AuditAction.SUBJECT_ACCESS).values_list(
                "detail__event", flat=True
            )
        )
        assert sorted(events) == ["completed", "created"]


# ---------------------------------------------------------------------------------------
# Finding the person, and the archive
# ---------------------------------------------------------------------------------------


def test_the_search_finds_the_person_by_each_detail_and_says_why(cast, council_a):
    with in_council(council_a):
        margaret, other, _closed, _open_case = _seed(cast)
        sar = _open(cast, constituent=margaret)

        def found(**terms):
            return {
                m.constituent.pk: m
                for m in selectors.subject_access_matches(user=cast.owner, sar=sar, **terms)
            }

        by_email = found(email=" MARGARET@example.org ")
        assert margaret.pk in by_email and "same email" in by_email[margaret.pk].reasons
        assert other.pk not in by_email
        assert margaret.pk in found(phone="+44 1592 583201")
        assert margaret.pk in found(postcode="ky11eg")
        by_name = found(name="Margret Fairbairn")  # a typo
        assert margaret.pk in by_name and other.pk in by_name  # both shown, to be told apart
        assert by_name[margaret.pk].cases == 3  # two of hers, and this request's own
        assert not found(name="Angus Thomson")
        assert found() == {}


def test_the_search_covers_only_the_requests_councillor(cast, council_a):
    with in_council(council_a):
        elsewhere = constituent_create(
            actor=cast.other_councillor, name="Margaret Fairbairn", allow_duplicate=True
        )
        sar = _open(cast, requester_name="Margaret Fairbairn")
        matches = selectors.subject_access_matches(
            user=cast.owner, sar=sar, name="Margaret Fairbairn"
        )
        assert matches and {m.constituent.owner_id for m in matches} == {cast.owner.pk}
        with pytest.raises(ValidationFailed, match="Not this councillor"):
            services.subject_access_confirm(
                actor=cast.owner, sar=sar, constituent_ids=[elsewhere.pk]
            )


def _archive(cast, sar):
    name, content = services.subject_access_archive(actor=cast.owner, sar=sar)
    assert name.endswith(".zip")
    bundle = zipfile.ZipFile(io.BytesIO(content))
    return bundle, {n: bundle.read(n) for n in bundle.namelist()}


def test_the_archive_holds_everything_about_the_person_and_nothing_about_another(
    cast, council_a, media_root
):
    with in_council(council_a):
        margaret, other, closed, open_case = _seed(cast)
        sar = _open(cast, constituent=margaret)
        with pytest.raises(StateError, match="Confirm"):
            services.subject_access_archive(actor=cast.owner, sar=sar)
        sar = services.subject_access_confirm(
            actor=cast.owner, sar=sar, constituent_ids=[margaret.pk]
        )
        bundle, files = _archive(cast, sar)
        data = json.loads(files["subject-access.json"])
        assert [p["name"] for p in data["constituents"]] == ["Margaret Fairbairn"]
        assert data["constituents"][0]["notes"] == "Asthma: needs the damp sorted."
        references = {c["reference"] for c in data["cases"]}
        assert {closed.reference, open_case.reference, sar.case.reference} <= references
        everything = json.dumps(data)
        for expected in (
            "Damp in the back bedroom",
            "Spoke to Margaret Fairbairn about the mould.",  # history
            "Please inspect Margaret Fairbairn's flat.",  # referral note
            "Check Margaret Fairbairn heard back",  # BF
            "MARGARET-NOTE-17",
            "MARGARET-EMAIL-BODY",  # outbox
            "MARGARET-INBOUND",  # triage mail from her address
        ):
            assert expected in everything, expected
        # The files: the case's photo and letter, the email's attachment, and the summary.
        assert any(n.startswith("attachments/") and n.endswith("photo.jpg") for n in files)
        letter = next(n for n in files if n.endswith("letter.pdf"))
        assert files[letter] == b"%PDF-1.4 MARGARET-LETTER"
        assert b"MARGARET-ATTACHED" in files[next(n for n in files if n.startswith("emails/"))]
        assert files["summary.pdf"].startswith(b"%PDF")
        # Nothing about the other Margaret, in any file of the archive.
        for name, content in files.items():
            text = content.decode("utf-8", "replace")
            for marker in OTHER_MARKERS:
                assert marker not in text, f"{marker!r} in {name}"
        assert other.pk not in [p["id"] for p in data["constituents"]]
        entry = AuditEntry.objects.filter(detail__event="archive").get()
        assert entry.actor_id == cast.owner.pk and entry.detail["cases"] == len(references)
        assert SubjectAccessRequest.objects.get(pk=sar.pk).archives_downloaded == 1
        bundle.close()


def test_the_summary_pdf_is_readable(cast, council_a, media_root):
    from pypdf import PdfReader

    with in_council(council_a):
        margaret, *_ = _seed(cast)
        sar = _open(cast, constituent=margaret)
        sar = services.subject_access_confirm(
            actor=cast.owner, sar=sar, constituent_ids=[margaret.pk]
        )
        _bundle, files = _archive(cast, sar)
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(files["summary.pdf"])).pages
        )
        assert "What is held about Margaret Fairbairn" in text
        assert "Damp in the back bedroom" in text
        assert "Fairburn" not in text


# ---------------------------------------------------------------------------------------
# Who may handle a request
# ---------------------------------------------------------------------------------------


def test_who_may_handle_a_request(cast, council_a, council_b, make_user):
    with in_council(council_a):
        sar = _open(cast)
        for who in (cast.owner, cast.staff):
            assert selectors.subject_access_get_for_user(user=who, request_id=sar.pk) == sar
            assert list(selectors.subject_access_list_for_user(user=who)) == [sar]
        for who in (cast.other_staff, cast.ward_colleague, cast.other_councillor):
            with pytest.raises(NotFound):
                selectors.subject_access_get_for_user(user=who, request_id=sar.pk)
            assert list(selectors.subject_access_list_for_user(user=who)) == []
            with pytest.raises(NotFound):
                services.subject_access_pause(actor=who, sar=sar)
        with pytest.raises(PermissionDenied):
            selectors.subject_access_get_for_user(user=cast.admin, request_id=sar.pk)
        with pytest.raises(PermissionDenied):
            services.subject_access_archive(actor=cast.admin, sar=sar)
        with pytest.raises(PermissionDenied):
            _open(cast, actor=cast.admin)
    b_user = make_user(council_b, role="councillor", ward="North", email="c@b.gov.uk")
    with in_council(council_b), pytest.raises(NotFound):
        selectors.subject_access_get_for_user(user=b_user, request_id=sar.pk)
