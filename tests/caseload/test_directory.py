"""Working days and holidays, referrals, postcode-to-ward table, duplicates, officers,
attachments."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from caseload.calendar import WorkingCalendar, add_working_days, working_days_between
from caseload.models import Action, CouncilHoliday, PostcodeWard, Ward
from caseload.selectors import constituent_find_duplicates, officer_suggest
from caseload.services import (
    PossibleDuplicate,
    attachment_add,
    case_close,
    constituent_create,
    holiday_add,
    holiday_remove,
    officer_import_csv,
    officer_update,
    postcode_table_upload,
    referral_create,
    referral_record_reply,
)
from core.errors import PermissionDenied, StateError, ValidationFailed
from tests.caseload.conftest import make_case, make_constituent, make_officer
from tests.conftest import in_council

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- Working days ---------------------------------------------------------------------------
def test_calendar_skips_weekends_and_holidays() -> None:
    # Friday 27 Nov 2026 + 2 working days with Monday 30 Nov (St Andrew's Day) off.
    cal = WorkingCalendar([date(2026, 11, 30)])
    assert cal.add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 2)
    assert cal.working_days_between(date(2026, 11, 27), date(2026, 12, 2)) == 2
    assert cal.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)
    assert cal.working_days_between(date(2026, 12, 2), date(2026, 11, 27)) == -2


@pytest.mark.django_db
def test_scottish_defaults_and_local_holidays(cast, council_a) -> None:
    with in_council(council_a):
        # Scotland: 2 January is a holiday (England's isn't): in 2027 it falls on a Saturday,
        # so Monday 4 January is off; St Andrew's Day (Monday 30 Nov 2026).
        assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)
        assert add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)
        # Ten working days over Christmas 2026: 25, 28 (Boxing Day observed), 1 and 4 Jan off.
        assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 7)
        local = holiday_add(actor=cast.admin, day=date(2026, 12, 1), name="Fife local day")
        assert add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 2)
        default = CouncilHoliday.objects.get(date=date(2026, 11, 30))
        holiday_remove(actor=cast.admin, holiday=default)
        holiday_remove(actor=cast.admin, holiday=local)
        assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
        # A removed default stays removed (the yearly seeding does not bring it back).
        assert CouncilHoliday.objects.get(date=date(2026, 11, 30)).is_removed
        assert working_days_between(date(2026, 11, 27), date(2026, 12, 4)) == 5
        with pytest.raises(PermissionDenied):
            holiday_add(actor=cast.staff, day=date(2026, 12, 2), name="Nope")


# --- Referrals --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_referral_target_in_working_days_and_target_met(cast, council_a) -> None:
    sent = timezone.make_aware(datetime(2025, 11, 28, 9, 0))  # a Friday
    with in_council(council_a):
        case = make_case(cast.owner, opened_at=sent - timedelta(hours=1))
        officer = make_officer(cast.admin)
        referral = referral_create(
            actor=cast.owner, case=case, officer=officer, working_days=5, sent_at=sent
        )
        # St Andrew's Day 2025 is a Sunday, so Monday 1 Dec is off: 2, 3, 4, 5, 8 Dec.
        assert referral.target_date == date(2025, 12, 8)
        case.refresh_from_db()
        assert case.status == "referred"
        late = timezone.make_aware(datetime(2025, 12, 9, 12, 0))
        referral = referral_record_reply(actor=cast.staff, referral=referral, replied_at=late)
        assert referral.target_met is False
        case.refresh_from_db()
        assert case.status == "reply_received"
        second = referral_create(
            actor=cast.owner,
            case=case,
            officer=officer,
            target_date=date(2025, 12, 22),
            sent_at=late,
        )
        assert second.working_days == 9
        on_time = referral_record_reply(
            actor=cast.owner, referral=second, replied_at=late + timedelta(days=1)
        )
        assert on_time.target_met is True
        kinds = list(Action.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds.count("referral") == 2 and kinds.count("officer_reply") == 2
        case_close(actor=cast.owner, case=case, outcome="resolved")
        with pytest.raises(StateError):
            referral_create(actor=cast.owner, case=case, officer=officer)


@pytest.mark.django_db
def test_cannot_refer_to_an_officer_who_left(cast, council_a) -> None:
    with in_council(council_a):
        officer = make_officer(cast.admin)
        officer_update(actor=cast.staff, officer=officer, is_active=False)
        assert officer.left_on is not None
        with pytest.raises(ValidationFailed):
            referral_create(actor=cast.owner, case=make_case(cast.owner), officer=officer)


# --- Postcode table and wards ------------------------------------------------------------------
ONS = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish\n"
    "KY11AA,KY1  1AA,KY1 1AA,199801,,S99999999,S99999999,S12000047,S13000001,S99999999\n"
    "KY11AB,KY1  1AB,KY1 1AB,199801,,S99999999,S99999999,S12000047,S13000002,S99999999\n"
    "BAD,BAD,not-a-postcode,199801,,S99999999,S99999999,S12000047,S13000002,S99999999\n"
    "KY11AD,KY1  1AD,KY1 1AD,199801,,S99999999,S99999999,S12000047,XX,S99999999\n"
)


@pytest.mark.django_db
def test_ons_postcode_upload_and_boundary_change(cast, council_a) -> None:
    with in_council(council_a):
        result = postcode_table_upload(actor=cast.admin, file=io.BytesIO(ONS.encode()))
        assert (result.rows_loaded, result.rows_rejected) == (2, 2)
        assert [e["row"] for e in result.errors] == [4, 5]
        # Wards North (S13000001) and South (S13000002) already exist: matched by code.
        assert result.wards_created == 0
        person = make_constituent(cast.owner, postcode="ky1 1aa")
        assert person.ward == cast.north and person.postcode == "KY1 1AA"
        open_case = make_case(cast.owner, constituent=person)
        closed_case = make_case(cast.owner, constituent=person)
        case_close(actor=cast.owner, case=closed_case, outcome="resolved")
        assert open_case.ward == cast.north

        # New boundaries: KY1 1AA moves to a new ward with a new code.
        new = b"pcds,osward,wardnm\nKY1 1AA,S13000003,Kirkcaldy Central\nKY1 1AB,S13000002,South\n"
        result = postcode_table_upload(actor=cast.admin, file=io.BytesIO(new))
        assert (result.wards_created, result.open_cases_rederived) == (1, 1)
        central = Ward.objects.get(code="S13000003")
        open_case.refresh_from_db()
        closed_case.refresh_from_db()
        person.refresh_from_db()
        assert open_case.ward == central
        assert closed_case.ward == cast.north  # closed cases keep their ward
        assert person.ward == central
        note = Action.objects.get(case=open_case, data__via="postcode_upload")
        assert "North → Kirkcaldy Central" in note.text
        assert not Ward.objects.get(pk=cast.north.pk).is_current
        assert PostcodeWard.objects.count() == 2

        # A file with nothing usable changes nothing.
        with pytest.raises(ValidationFailed):
            postcode_table_upload(actor=cast.admin, file=io.BytesIO(b"pcds,osward\nx,y\n"))
        with pytest.raises(ValidationFailed):
            postcode_table_upload(actor=cast.admin, file=io.BytesIO(b"foo,bar\n1,2\n"))
        assert PostcodeWard.objects.count() == 2
        with pytest.raises(PermissionDenied):
            postcode_table_upload(actor=cast.staff, file=io.BytesIO(new))


@pytest.mark.django_db
def test_postcode_upload_via_api(cast, council_a, api_for) -> None:
    client = api_for(council_a, cast.admin)
    response = client.post(
        "/api/v1/wards/postcodes/",
        {"file": SimpleUploadedFile("onspd.csv", ONS.encode())},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["rows_loaded"] == 2
    lookup = client.get("/api/v1/wards/lookup/?postcode=KY1%201AB").json()
    assert lookup["ward"]["name"] == "South"
    bad = client.post(
        "/api/v1/wards/postcodes/",
        {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00garbage")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"


# --- Duplicates -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_duplicate_warnings(cast, council_a, api_for) -> None:
    with in_council(council_a):
        known = constituent_create(
            actor=cast.owner,
            name="Agnes  Smith",
            postcode="KY1 1AA",
            email="Agnes@Example.com",
            phone="+44 1592 123456",
        )

        def reasons(**kw):
            return [m.reasons for m in constituent_find_duplicates(user=cast.owner, **kw)]

        assert reasons(email="agnes@example.COM") == [["email"]]
        assert reasons(phone="01592 123456") == [["phone"]]
        assert reasons(name="agnes smith", postcode="ky11aa") == [["name_postcode"]]
        assert reasons(name="agnes smith", postcode="KY2 2BB") == []
        # Another councillor's constituents are not revealed.
        assert (
            constituent_find_duplicates(user=cast.other_councillor, email="agnes@example.com") == []
        )
        with pytest.raises(PossibleDuplicate) as caught:
            constituent_create(actor=cast.staff, name="A. Smith", email="agnes@example.com")
        assert caught.value.extra["duplicates"][0]["id"] == known.pk
        assert (
            constituent_create(
                actor=cast.staff, name="A. Smith", email="agnes@example.com", allow_duplicate=True
            ).owner
            == cast.owner
        )
    client = api_for(council_a, cast.owner)
    response = client.post(
        "/api/v1/constituents/", {"name": "Agnes Smith", "postcode": "KY11AA"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "possible_duplicate"
    assert body["fields"]["duplicates"][0]["reasons"] == ["name_postcode"]
    response = client.post(
        "/api/v1/constituents/",
        {"name": "Agnes Smith", "postcode": "KY11AA", "allow_duplicate": True},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_constituent_validation_is_a_clear_400(cast, council_a, api_for) -> None:
    client = api_for(council_a, cast.owner)
    response = client.post(
        "/api/v1/constituents/",
        {
            "name": "X",
            "postcode": "NOTAPC",
            "email": "nope",
            "preferred_contact": "phone",
            "consent_to_share": True,
            "consent_date": "2999-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {"postcode", "email", "preferred_contact", "consent_date"}


# --- Officers ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_officer_suggestions_ranked(cast, council_a) -> None:
    with in_council(council_a):
        both = make_officer(cast.admin, name="Zoe Both", topics=[cast.housing], wards=[cast.north])
        topic = make_officer(cast.admin, name="Amy Topic", topics=[cast.housing])
        ward = make_officer(cast.admin, name="Abe Ward", wards=[cast.north])
        make_officer(cast.admin, name="Other", topics=[cast.roads], wards=[cast.south])
        gone = make_officer(cast.admin, name="Gone", topics=[cast.housing], wards=[cast.north])
        officer_update(actor=cast.admin, officer=gone, is_active=False)
        got = officer_suggest(user=cast.owner, category_id=cast.housing.pk, ward_id=cast.north.pk)
        assert [(o.pk, o.match) for o in got] == [  # type: ignore[attr-defined]
            (both.pk, "category_and_ward"),
            (topic.pk, "category"),
            (ward.pk, "ward"),
        ]
        assert officer_suggest(user=cast.owner, category_id=None, ward_id=None) == []


@pytest.mark.django_db
def test_officer_csv_import_reports_each_bad_row(cast, council_a, api_for) -> None:
    with in_council(council_a):
        existing = make_officer(cast.admin, name="Old Name", email="roads@council.gov.uk")
    csv_text = (
        "Name,Title,Department,Email,Phone,Topics,Wards,Status\n"
        "Ann Roads,Roads Manager,Roads,ROADS@council.gov.uk,01592 1,Roads,North;S13000002,active\n"
        "Bill Homes,Officer,Housing,bill@council.gov.uk,,Housing,,left\n"
        ",No Name,Housing,noname@council.gov.uk,,,,\n"
        "Cat Parks,Officer,Parks,cat@council.gov.uk,,Parks,,\n"
        "Dan Dup,Officer,Housing,bill@council.gov.uk,,,,\n"
        "Eve Bad,Officer,Housing,not-an-email,,,Nowhere,maybe\n"
    )
    client = api_for(council_a, cast.staff)
    response = client.post(
        "/api/v1/officers/import/",
        {"file": SimpleUploadedFile("officers.csv", csv_text.encode())},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["rejected"]) == (1, 1, 4)
    by_row = {e["row"]: e["messages"] for e in body["errors"]}
    assert set(by_row) == {4, 5, 6, 7}
    assert any("name" in m for m in by_row[4])
    assert any("no category called 'Parks'" in m for m in by_row[5])
    assert any("twice" in m for m in by_row[6])
    assert len(by_row[7]) == 3  # email, ward, status
    with in_council(council_a):
        existing.refresh_from_db()
        assert existing.name == "Ann Roads"
        assert sorted(w.name for w in existing.wards.all()) == ["North", "South"]
        assert [c.name for c in existing.topics.all()] == ["Roads"]
    with in_council(council_a), pytest.raises(PermissionDenied):
        officer_import_csv(actor=cast.owner, file=io.BytesIO(csv_text.encode()))


# --- Attachments ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_attachments_checked_by_content_and_size(cast, council_a, settings, media_root) -> None:
    settings.CASELOAD_ATTACHMENT_MAX_BYTES = 1024
    with in_council(council_a):
        case = make_case(cast.owner)
        pdf = attachment_add(
            actor=cast.owner, case=case, file=SimpleUploadedFile("letter.PDF", PDF)
        )
        assert pdf.content_type == "application/pdf"
        stored = Path(pdf.file.path)
        assert stored.is_relative_to(media_root / council_a.schema_name)  # per council
        assert stored.read_bytes() == PDF
        text = attachment_add(
            actor=cast.staff, case=case, file=SimpleUploadedFile("notes.txt", "Café\n".encode())
        )
        assert text.content_type == "text/plain"
        # An executable renamed to .pdf is refused: the bytes decide, not the name.
        with pytest.raises(ValidationFailed):
            attachment_add(
                actor=cast.owner,
                case=case,
                file=SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
            )
        with pytest.raises(ValidationFailed):
            attachment_add(
                actor=cast.owner, case=case, file=SimpleUploadedFile("x.bin", b"\x00\x01\x02")
            )
        with pytest.raises(ValidationFailed):
            attachment_add(
                actor=cast.owner, case=case, file=SimpleUploadedFile("big.pdf", PDF + b" " * 2000)
            )
        assert case.attachments.count() == 2
        assert Action.objects.filter(case=case, data__has_key="attachment_id").count() == 2


@pytest.mark.django_db
def test_attachment_download_via_api(cast, council_a, api_for) -> None:
    client = api_for(council_a, cast.owner)
    with in_council(council_a):
        case = make_case(cast.owner)
    upload = client.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("reply.pdf", PDF)},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    response = client.get(upload.json()["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "reply.pdf" in response["Content-Disposition"]
    refused = client.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
        format="multipart",
    )
    assert refused.status_code == 400
