"""The inbound triage queue on the web (/triage/): Members' Services staff file a message on
a case, open a new case from it, or discard it with a reason; unverified senders are marked;
councillors, admins, another council's staff and visitors are refused, as by the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Licence
from caseload.models import Action, Case
from correspondence.models import InboundEmail
from correspondence.services import inbound_receive
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.dkim_support import signed


def _mail(council, n: int = 0, *, sign: bool = False) -> InboundEmail:
    raw = (
        f"From: Pat Stranger <pat{n}@example.org>\r\n"
        "To: council-a@inbound.localhost\r\n"
        f"Subject: Bins not collected {n}\r\n"
        f"Message-ID: <triage-{n}@example.org>\r\n"
        "Content-Type: text/plain\r\n\r\nThe bins on Elm Street were missed again.\r\n"
    ).encode()
    (result,) = inbound_receive(raw=signed(raw) if sign else raw)
    assert result.status == "triage"
    with in_council(council):
        return InboundEmail.objects.get(pk=result.inbound_id)


def _ok(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not accessibility_problems(html), accessibility_problems(html)
    return html


def test_staff_see_the_queue_with_unverified_senders_marked(council_a, people) -> None:
    unverified = _mail(council_a, 1)
    verified = _mail(council_a, 2, sign=True)
    with in_council(council_a):
        assert not InboundEmail.objects.get(pk=unverified.pk).sender_verified
        assert InboundEmail.objects.get(pk=verified.pk).sender_verified
    client = client_for(council_a, people.staff)
    home = _ok(client.get("/"))
    assert 'href="/triage/"' in home  # in the staff's navigation
    page = _ok(client.get("/triage/"))
    assert "Bins not collected 1" in page and "Bins not collected 2" in page
    assert page.count("Not verified") == 1 and page.count(">Verified<") == 1
    detail = _ok(client.get(f"/triage/{unverified.pk}/"))
    assert "The sender is not verified" in detail
    assert "pat1@example.org" in detail and "were missed again" in detail
    assert "The sender is not verified" not in _ok(client.get(f"/triage/{verified.pk}/"))


def test_file_a_message_on_a_case_by_its_reference(council_a, people, scene) -> None:
    inbound = _mail(council_a, 3)
    client = client_for(council_a, people.staff)
    url = f"/triage/{inbound.pk}/"
    wrong = _ok(client.post(url, {"do": "assign", "assign-reference": "NOPE-1"}))
    assert "There is a problem" in wrong and "No case NOPE-1 that you can change" in wrong
    response = client.post(url, {"do": "assign", "assign-reference": scene.case.reference.lower()})
    assert response.status_code == 302 and response["Location"] == "/triage/"
    with in_council(council_a):
        inbound.refresh_from_db()
        assert inbound.status == InboundEmail.Status.ASSIGNED
        assert inbound.case_id == scene.case.pk and inbound.triaged_by_id == people.staff.pk
        entry = Action.objects.get(case=scene.case, kind=Action.Kind.EMAIL_IN)
        assert "were missed again" in entry.text
    after = _ok(client.get("/triage/"))
    assert f"Filed on {scene.case.reference} by Sam Staff." in after
    assert "Bins not collected 3" not in after
    # Dealt with: the page says so and offers no forms.
    done = _ok(client.get(url))
    assert "already dealt with" in done and 'name="do"' not in done


def test_open_a_new_case_for_a_councillor_the_staff_support(council_a, people) -> None:
    inbound = _mail(council_a, 4)
    client = client_for(council_a, people.staff)
    url = f"/triage/{inbound.pk}/"
    page = _ok(client.get(url))
    assert "Cllr Ann Owen" in page  # the councillor staff act for
    missing = _ok(client.post(url, {"do": "open", "open-title": ""}))
    assert "Choose the councillor the case is for" in missing
    response = client.post(
        url, {"do": "open", "open-owner": people.owner.pk, "open-title": "Missed bins"}
    )
    assert response.status_code == 302
    with in_council(council_a):
        inbound.refresh_from_db()
        case = Case.objects.get(pk=inbound.case_id)
        assert case.owner_id == people.owner.pk and case.title == "Missed bins"
        assert inbound.status == InboundEmail.Status.ASSIGNED


def test_discard_needs_a_reason_and_deletes_the_copy(council_a, people) -> None:
    inbound = _mail(council_a, 5)
    client = client_for(council_a, people.staff)
    url = f"/triage/{inbound.pk}/"
    refused = _ok(client.post(url, {"do": "dismiss", "dismiss-reason": ""}))
    assert "Enter why you are discarding this message" in refused
    with in_council(council_a):
        assert InboundEmail.objects.get(pk=inbound.pk).status == "triage"
    response = client.post(url, {"do": "dismiss", "dismiss-reason": "Spam"})
    assert response.status_code == 302
    with in_council(council_a):
        inbound.refresh_from_db()
        assert inbound.status == InboundEmail.Status.DISMISSED
        assert inbound.reason == "Dismissed by Sam Staff: Spam"
        assert inbound.body_text == "" and not inbound.raw


def test_staff_supporting_no_one_can_neither_open_a_case_nor_file_on_one(
    council_a, people, scene
) -> None:
    inbound = _mail(council_a, 6)
    client = client_for(council_a, people.other_staff)
    url = f"/triage/{inbound.pk}/"
    page = _ok(client.get(url))  # mail from strangers is every staff member's to see
    assert "You support no councillor yet" in page
    refused = _ok(client.post(url, {"do": "assign", "assign-reference": scene.case.reference}))
    assert f"No case {scene.case.reference} that you can change" in refused
    refused = _ok(client.post(url, {"do": "open", "open-owner": people.owner.pk}))
    assert "You support no councillor, so you cannot open a case for one." in refused
    with in_council(council_a):
        assert InboundEmail.objects.get(pk=inbound.pk).status == "triage"


def test_councillors_admins_other_councils_and_visitors_are_refused(
    council_a, council_b, people
) -> None:
    inbound = _mail(council_a, 7)
    data = {"do": "dismiss", "dismiss-reason": "Spam"}
    for user in (people.owner, people.admin):
        client = client_for(council_a, user)
        assert client.get("/triage/").status_code == 403
        assert client.get(f"/triage/{inbound.pk}/").status_code == 403
        assert client.post(f"/triage/{inbound.pk}/", data).status_code == 403
        assert 'href="/triage/"' not in client.get("/").content.decode()
    outsider = client_for(council_b, people.outsider_staff)
    listing = outsider.get("/triage/")
    assert listing.status_code == 200 and b"Bins not collected" not in listing.content
    for response in (
        outsider.get(f"/triage/{inbound.pk}/"),
        outsider.post(f"/triage/{inbound.pk}/", data),
    ):
        assert response.status_code == 404 and b"Bins not collected" not in response.content
    anonymous = client_for(council_a, None)
    for response in (anonymous.get("/triage/"), anonymous.post(f"/triage/{inbound.pk}/", data)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    with in_council(council_a):
        assert InboundEmail.objects.get(pk=inbound.pk).status == "triage"


def test_read_only_council_shows_the_queue_without_forms_and_refuses_posts(
    council_a, people
) -> None:
    inbound = _mail(council_a, 8)
    Licence.objects.filter(council=council_a).update(state="lapsed")
    client = client_for(council_a, people.staff)
    page = _ok(client.get(f"/triage/{inbound.pk}/"))
    assert 'name="do"' not in page
    response = client.post(f"/triage/{inbound.pk}/", {"do": "dismiss", "dismiss-reason": "x"})
    assert response.status_code == 403 and b"read-only" in response.content
    with in_council(council_a):
        assert InboundEmail.objects.get(pk=inbound.pk).status == "triage"


def test_queue_page_queries_do_not_grow_with_messages(council_a, people) -> None:
    client = client_for(council_a, people.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/triage/").status_code == 200
        return len(ctx.captured_queries)

    for n in range(10, 13):
        _mail(council_a, n)
    few = count()
    for n in range(13, 33):
        _mail(council_a, n)
    assert count() == few
    assert few <= 20, few
