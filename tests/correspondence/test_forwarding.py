"""Forward to case: a councillor (or their staff) forwards a constituent's email to the
council's inbound address, as Gmail and Outlook produce it (inline, and as an attached
message/rfc822), and it becomes a new case, an action on the right case, or waits in the
triage queue. Plus the triage API for staff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caseload.models import Action, Attachment, Case, Constituent
from correspondence.models import InboundEmail, ThreadMessage
from correspondence.services import correspondence_send_email, inbound_receive
from tests.conftest import in_council
from tests.correspondence.conftest import make_case, make_constituent
from tests.correspondence.inbound_support import eml

CONSTITUENT = "margaret.brown@example.com"


def _receive(raw: bytes):
    [result] = inbound_receive(raw=raw)
    return result


def test_gmail_forward_opens_a_new_case_for_the_councillor(council_a, people):
    result = _receive(eml("gmail_forward", forwarder="owner@a.gov.uk", constituent=CONSTITUENT))
    assert result.status == "new_case"
    with in_council(council_a):
        case = Case.objects.select_related("constituent").get(pk=result.case_id)
        assert case.owner_id == people.owner.pk
        assert case.title == "Bins not collected on Elm Road for three weeks"
        assert case.constituent.name == "Margaret Brown"
        assert case.constituent.email == CONSTITUENT
        assert "have not been collected" in case.description
        entry = Action.objects.get(case=case, kind=Action.Kind.EMAIL_IN)
        assert entry.text.startswith("Email from Margaret Brown <margaret.brown@example.com>")
        assert "(forwarded by Cllr Ann Owen)" in entry.text
        assert "Can we log this one please?" not in entry.text  # the forwarder's own note
        assert entry.occurred_at == datetime(2026, 5, 4, 8, 12, tzinfo=UTC)
        [attachment] = Attachment.objects.filter(case=case)
        assert (attachment.original_name, attachment.content_type) == ("bins.png", "image/png")
        inbound = InboundEmail.objects.get(pk=result.inbound_id)
        assert inbound.forwarded_by_id == people.owner.pk
        assert inbound.original_from_email == CONSTITUENT
        # Filed: no second copy of the message outlives the case history.
        assert not inbound.raw and inbound.body_text == ""


def test_outlook_forward_adds_to_the_constituents_open_case(council_a, people):
    with in_council(council_a):
        margaret = make_constituent(people.owner, name="Margaret Brown", email=CONSTITUENT)
        older = make_case(people.owner, margaret, title="Dog fouling")
        case = make_case(people.owner, margaret, title="Streetlight")
        other = make_case(people.owner, title="Someone else's case")
    result = _receive(eml("outlook_forward", forwarder="owner@a.gov.uk", constituent=CONSTITUENT))
    assert (result.status, result.case_id) == ("action", case.pk)
    with in_council(council_a):
        entry = Action.objects.get(case=case, kind=Action.Kind.EMAIL_IN)
        assert "Email from Brown, Margaret <margaret.brown@example.com>" in entry.text
        assert "very dark at the bus stop" in entry.text
        assert entry.data["matched_by"] == "constituent_email"
        [letter] = Attachment.objects.filter(case=case)
        assert (letter.original_name, letter.content_type) == (
            "council-letter.pdf",
            "application/pdf",
        )
        assert not Action.objects.filter(case__in=[older, other], kind="email_in").exists()
        assert Constituent.objects.filter(email=CONSTITUENT).count() == 1


def test_forward_as_attachment_matches_the_thread_of_our_email(council_a, people):
    with in_council(council_a):
        margaret = make_constituent(people.owner, name="Margaret Brown", email=CONSTITUENT)
        case = make_case(people.owner, margaret, title="Pothole on Elm Road")
        make_case(people.owner, margaret, title="A newer, unrelated case")
        sent = correspondence_send_email(actor=people.owner, key="acknowledgement", case=case)
    raw = eml(
        "outlook_attached_forward",
        forwarder="owner@a.gov.uk",
        constituent=CONSTITUENT,
        reference="nothing-to-see",
        in_reply_to=sent.message_id,
    )
    result = _receive(raw)
    assert (result.status, result.case_id) == ("action", case.pk)
    with in_council(council_a):
        entry = Action.objects.get(case=case, kind=Action.Kind.EMAIL_IN)
        assert entry.data["matched_by"] == "thread"
        assert "photo of the pothole" in entry.text
        assert Attachment.objects.get(case=case).original_name == "pothole.png"
        # The original's own Message-ID now threads later replies into the case too.
        assert ThreadMessage.objects.filter(
            message_id="<b7e0c1a2-44d1-4c55-9b1e-5f0c2d9a7e31@example.com>", case=case
        ).exists()


def test_forward_matched_by_reference_in_subject(council_a, people):
    with in_council(council_a):
        case = make_case(people.owner, title="Planning objection")
    raw = eml(
        "outlook_attached_forward",
        forwarder="owner@a.gov.uk",
        constituent="new.person@example.com",
        reference=case.reference,
        in_reply_to="<unknown@example.com>",
    )
    result = _receive(raw)
    assert (result.status, result.case_id) == ("action", case.pk)
    with in_council(council_a):
        assert Action.objects.get(case=case, kind="email_in").data["matched_by"] == "reference"


def test_forward_by_delegated_staff_opens_the_councillors_case(council_a, people):
    result = _receive(eml("gmail_forward", forwarder="staff@a.gov.uk", constituent=CONSTITUENT))
    assert result.status == "new_case"
    with in_council(council_a):
        case = Case.objects.get(pk=result.case_id)
        assert case.owner_id == people.owner.pk and case.created_by_id == people.staff.pk


def test_forward_by_staff_without_delegation_waits_in_triage(council_a, people):
    result = _receive(eml("gmail_forward", forwarder="staff2@a.gov.uk", constituent=CONSTITUENT))
    assert result.status == "triage"
    with in_council(council_a):
        inbound = InboundEmail.objects.get(pk=result.inbound_id)
        assert "does not act for any councillor" in inbound.reason
        assert not Case.objects.exists()


def test_forward_of_a_case_the_forwarder_cannot_change_waits_in_triage(council_a, people):
    with in_council(council_a):
        case = make_case(people.owner, title="Owner's case")
    raw = eml(
        "outlook_attached_forward",
        forwarder="colleague@a.gov.uk",
        constituent="x@example.com",
        reference=case.reference,
        in_reply_to="<none@example.com>",
    )
    result = _receive(raw)
    assert result.status == "triage"
    with in_council(council_a):
        assert not Action.objects.filter(case=case, kind="email_in").exists()


def test_unknown_sender_and_no_case_goes_to_triage(council_a, people):
    result = _receive(eml("unknown_sender"))
    assert (result.status, result.case_id) == ("triage", None)
    with in_council(council_a):
        inbound = InboundEmail.objects.get(pk=result.inbound_id)
        assert inbound.from_email == "stranger@example.net"
        assert "cycle lane" in inbound.body_text
        assert inbound.raw.name  # kept, so a case can still be made from it


def test_outsiders_forwards_do_not_reach_council_a(council_a, council_b, people):
    """A councillor of council B is nobody in council A: their forward to A is triage."""
    result = _receive(eml("gmail_forward", forwarder="owner@b.gov.uk", constituent=CONSTITUENT))
    assert (result.schema, result.status) == ("council_a", "triage")


# --- triage API ----------------------------------------------------------------------------


@pytest.fixture
def waiting(council_a, people) -> int:
    return _receive(eml("unknown_sender")).inbound_id


def test_triage_open_case(council_a, people, api_for, waiting):
    staff = api_for(council_a, people.staff)
    listed = staff.get("/api/v1/inbound/triage/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [waiting]
    detail = staff.get(f"/api/v1/inbound/triage/{waiting}/").json()
    assert "cycle lane" in detail["body_text"]
    opened = staff.post(
        f"/api/v1/inbound/triage/{waiting}/open-case/",
        {"owner": people.owner.pk},
        format="json",
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "assigned"
    with in_council(council_a):
        case = Case.objects.get(pk=opened.json()["case_id"])
        assert case.owner_id == people.owner.pk
        assert case.title == "Question about the new cycle lane"
        assert case.constituent.email == "stranger@example.net"
    assert staff.get("/api/v1/inbound/triage/").json()["results"] == []
    again = staff.post(f"/api/v1/inbound/triage/{waiting}/dismiss/", {}, format="json")
    assert again.status_code == 422


def test_triage_assign_and_dismiss(council_a, people, api_for, waiting):
    with in_council(council_a):
        case = make_case(people.owner)
    staff = api_for(council_a, people.staff)
    assigned = staff.post(
        f"/api/v1/inbound/triage/{waiting}/assign/", {"case": case.pk}, format="json"
    )
    assert assigned.status_code == 200, assigned.content
    with in_council(council_a):
        entry = Action.objects.get(case=case, kind="email_in")
        assert entry.data["matched_by"] == "triage" and "cycle lane" in entry.text
    second = _receive(eml("unknown_sender").replace(b"stranger-0001", b"stranger-0002")).inbound_id
    dismissed = staff.post(
        f"/api/v1/inbound/triage/{second}/dismiss/", {"reason": "not casework"}, format="json"
    )
    assert dismissed.status_code == 200
    with in_council(council_a):
        gone = InboundEmail.objects.get(pk=second)
        assert gone.status == "dismissed" and gone.body_text == "" and not gone.raw


def test_triage_is_for_this_councils_staff_only(council_a, council_b, people, api_for, waiting):
    with in_council(council_a):
        case = make_case(people.owner)
    # Councillors and admins: not the triage team.
    for user in (people.owner, people.admin):
        assert api_for(council_a, user).get("/api/v1/inbound/triage/").status_code == 403
    # Staff of council B: A's queue does not exist for them.
    other = api_for(council_b, people.outsider_staff)
    assert other.get("/api/v1/inbound/triage/").json()["results"] == []
    assert other.get(f"/api/v1/inbound/triage/{waiting}/").status_code == 404
    # Staff without a delegation from the case's owner cannot file on that case.
    refused = api_for(council_a, people.other_staff).post(
        f"/api/v1/inbound/triage/{waiting}/assign/", {"case": case.pk}, format="json"
    )
    assert refused.status_code == 404
    assert api_for(council_a).get("/api/v1/inbound/triage/").status_code == 401


def test_triage_list_query_count_is_the_same_for_5_and_50(council_a, people, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            raw = eml("unknown_sender").replace(b"stranger-0001", f"s-{i}".encode())
            inbound_receive(raw=raw)

    staff = api_for(council_a, people.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get("/api/v1/inbound/triage/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    add(0, 5)
    few = count()
    add(5, 50)
    assert count() == few


def test_failed_forward_is_triaged_only_by_the_forwarders_staff(council_a, people, api_for):
    """A councillor's forward that could not be filed is their constituent's mail: only the
    staff who act for that councillor see it in the queue."""
    with in_council(council_a):
        case = make_case(people.colleague, title="Colleague's case")
    raw = eml(
        "outlook_attached_forward",
        forwarder="owner@a.gov.uk",
        constituent="x@example.com",
        reference=case.reference,
        in_reply_to="<none@example.com>",
    )
    inbound_id = _receive(raw).inbound_id
    mine = api_for(council_a, people.staff).get("/api/v1/inbound/triage/").json()["results"]
    assert [row["id"] for row in mine] == [inbound_id]
    other = api_for(council_a, people.other_staff)
    assert other.get("/api/v1/inbound/triage/").json()["results"] == []
    assert other.get(f"/api/v1/inbound/triage/{inbound_id}/").status_code == 404
