"""Batch replies on the web (/batches/): choose cases by filter, a template and how, preview,
send; follow the batch and each case's record; download its PDF letters as one file.
Casework roles only, and only cases of the councillors one acts for, as in the API."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from audit.models import AuditEntry
from billing.models import Licence
from caseload.models import Action
from correspondence.models import Batch, BatchItem
from correspondence.services import batch_create, batch_process
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.correspondence.conftest import make_case, make_constituent

PREVIEW = "/batches/new/?q=drain&status=&template=outcome&channel=pdf"


def _ok(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not accessibility_problems(html), accessibility_problems(html)
    return html


@pytest.fixture
def drains(council_a, people):
    """Three of the owner's cases about a drain, one about a light; the colleague's drain."""
    with in_council(council_a):
        mine = [
            make_case(
                people.owner,
                make_constituent(people.owner, name=f"Resident {i}"),
                title="Blocked drain on Elm Street",
            )
            for i in range(3)
        ]
        make_case(people.owner, make_constituent(people.owner), title="Broken light")
        theirs = make_case(
            people.colleague,
            make_constituent(people.colleague, name="Not Mine"),
            title="Blocked drain on Oak Street",
        )
    return mine, theirs


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_choose_preview_send_follow_and_print(council_a, people, drains, who) -> None:
    mine, theirs = drains
    user = getattr(people, who)
    client = client_for(council_a, user)
    assert "Batch replies" in _ok(client.get("/cases/"))
    assert _ok(client.get("/batches/new/"))
    preview = _ok(client.get(PREVIEW))
    assert "3 cases" in preview and "Not Mine" not in preview  # the colleague's case is not
    assert "Dear Resident 0," in preview or "Dear Resident" in preview
    assert "Send to 3 cases" in preview
    with in_council(council_a):
        assert not Batch.objects.exists()  # a preview sends nothing

    response = client.post(
        "/batches/new/", dict(q="drain", status="", template="outcome", channel="pdf")
    )
    assert response.status_code == 302
    with in_council(council_a):
        batch = Batch.objects.get()
        assert batch.created_by_id == user.pk
        assert set(BatchItem.objects.filter(batch=batch).values_list("case_id", flat=True)) == {
            c.pk for c in mine
        }
        batch_process(batch_id=batch.pk)  # the worker's job
        for case in mine:
            (letter,) = Action.objects.filter(case=case, kind=Action.Kind.LETTER)
            assert letter.author_id == user.pk and letter.data["formats"] == ["pdf"]
        assert not Action.objects.filter(case=theirs, kind=Action.Kind.LETTER).exists()
    detail = _ok(client.get(response["Location"]))
    assert "3 sent" in detail and "Download the letters as one PDF to print" in detail
    for case in mine:
        assert case.reference in detail
    printed = client.get(f"/batches/{batch.pk}/letters.pdf")
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(printed.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for i in range(3):
        assert f"Dear Resident {i}," in text
    # The batch's page and its print file are reads of those cases: in the audit log.
    with in_council(council_a):
        shown = AuditEntry.objects.get(
            actor_id=user.pk, action="cases_listed", detail__where="batch_detail"
        )
        printed_entry = AuditEntry.objects.get(actor_id=user.pk, action="letter_downloaded")
    assert set(shown.case_ids) == set(printed_entry.case_ids) == {c.pk for c in mine}
    assert printed_entry.detail == {"batch_id": batch.pk, "letters": 3}
    listing = _ok(client.get("/batches/"))
    assert "Outcome" in listing or batch.template_name in listing


def test_nothing_matching_and_a_missing_choice_are_clear(council_a, people, drains) -> None:
    client = client_for(council_a, people.owner)
    none = _ok(client.get("/batches/new/?q=zebra&template=outcome&channel=pdf"))
    assert "No case of yours matches these filters" in none
    missing = _ok(client.get("/batches/new/?q=drain&template="))
    assert "Choose what you want to send" in missing and "Choose how to send it" in missing
    refused = _ok(
        client.post("/batches/new/", {"q": "zebra", "template": "outcome", "channel": "pdf"})
    )
    assert "No case of yours matches" in refused
    with in_council(council_a):
        assert not Batch.objects.exists()


def test_who_may_see_batches(council_a, council_b, people, drains) -> None:
    mine, _ = drains
    with in_council(council_a):
        batch = batch_create(
            actor=people.owner, key="outcome", case_ids=[c.pk for c in mine], channel="pdf"
        )
        batch_process(batch_id=batch.pk)
    paths = [
        "/batches/",
        "/batches/new/",
        f"/batches/{batch.pk}/",
        f"/batches/{batch.pk}/letters.pdf",
    ]
    admin = client_for(council_a, people.admin)
    for path in paths:
        assert admin.get(path).status_code == 403
    assert admin.post("/batches/new/", {"template": "outcome"}).status_code == 403
    # The owner's staff follow it; a colleague and unsupporting staff do not see it.
    assert client_for(council_a, people.staff).get(f"/batches/{batch.pk}/").status_code == 200
    for user in (people.colleague, people.other_staff):
        client = client_for(council_a, user)
        assert client.get(f"/batches/{batch.pk}/").status_code == 404
        assert client.get(f"/batches/{batch.pk}/letters.pdf").status_code == 404
        assert b"outcome" not in client.get("/batches/").content.lower()
    outsider = client_for(council_b, people.outsider)
    for path in paths[2:]:
        assert outsider.get(path).status_code == 404
    anonymous = client_for(council_a, None)
    for path in paths:
        assert anonymous.get(path)["Location"].startswith("/login/?next=")


def test_read_only_council_refuses_sending(council_a, people, drains) -> None:
    client = client_for(council_a, people.owner)
    Licence.objects.filter(council=council_a).update(state="lapsed")
    preview = _ok(client.get(PREVIEW))
    assert "Send to" not in preview
    response = client.post("/batches/new/", {"q": "drain", "template": "outcome", "channel": "pdf"})
    assert response.status_code == 403
    with in_council(council_a):
        assert not Batch.objects.exists()


def test_batch_list_queries_do_not_grow(council_a, people, drains) -> None:
    mine, _ = drains
    client = client_for(council_a, people.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/batches/").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        with in_council(council_a):
            for _ in range(n):
                batch_create(
                    actor=people.owner, key="outcome", case_ids=[mine[0].pk], channel="email"
                )

    add(2)
    few = count()
    add(10)
    assert count() == few and few <= 20, few
