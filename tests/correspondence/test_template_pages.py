"""The council's templates on the web (/templates/): everyone of the council reads them;
Members' Services and administrators copy a shared one and edit the copy with a preview
(the Preview button without JavaScript, htmx as one types) and the merge-field list, and
see when the shared one changed since the copy. Councillors cannot change them (the API's
rule); another council's people and visitors see nothing."""

from __future__ import annotations

from django_tenants.utils import schema_context

from billing.models import Licence
from correspondence.models import CouncilTemplate
from correspondence.services import template_copy
from correspondence.shared.services import shared_template_update
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council

URL = "/templates/acknowledgement/"
DRAFT = {
    "name": "Acknowledgement",
    "description": "",
    "subject": "We have your enquiry {{ case.reference }}",
    "body": "Dear {{ constituent.name }},\n\nCouncil A's own words.",
}


def _ok(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not accessibility_problems(html), accessibility_problems(html)
    return html


def test_every_role_reads_the_list_and_a_template(council_a, people) -> None:
    for user in (people.owner, people.staff, people.admin):
        client = client_for(council_a, user)
        listing = _ok(client.get("/templates/"))
        assert "Acknowledgement" in listing and "Shared" in listing
        page = _ok(client.get(URL))
        assert "Preview with sample values" in page and "[Sample] Alex Constituent" in page
        assert "{{ constituent.name }}" in page  # the merge-field list
        copy_button = "Make the council&#x27;s copy" in page or "Make the council's copy" in page
        assert copy_button == (user != people.owner)
    assert 'href="/templates/"' in _ok(client_for(council_a, people.admin).get("/admin-area/"))


def test_staff_copy_preview_and_save(council_a, people) -> None:
    client = client_for(council_a, people.staff)
    response = client.post(f"{URL}copy/")
    assert response.status_code == 302 and response["Location"] == URL
    again = client.post(f"{URL}copy/")  # a second click says so, and changes nothing
    assert again.status_code == 302
    page = _ok(client.get(URL))
    assert "Council&#x27;s copy" in page or "Council's copy" in page
    assert 'hx-post="/templates/acknowledgement/preview/"' in page

    # Preview without JavaScript: the draft merged, nothing saved.
    preview = _ok(client.post(URL, {**DRAFT, "preview": "1"}))
    assert "Council A&#x27;s own words." in preview
    with in_council(council_a):
        assert "own words" not in CouncilTemplate.objects.get(key="acknowledgement").body
    # The htmx fragment is the same preview.
    fragment = client.post(f"{URL}preview/", DRAFT).content.decode()
    assert fragment.startswith('<div id="template-preview"') and "own words" in fragment
    broken = client.post(f"{URL}preview/", {**DRAFT, "body": "{{ case.secret }}"})
    assert b"case.secret" in broken.content
    # An unknown merge field is refused on save, by name.
    refused = _ok(client.post(URL, {**DRAFT, "body": "Hi {{ case.secret }}", "save": "1"}))
    assert "There is a problem" in refused and "case.secret" in refused
    saved = client.post(URL, {**DRAFT, "save": "1"})
    assert saved.status_code == 302
    with in_council(council_a):
        assert "Council A's own words." in CouncilTemplate.objects.get(key="acknowledgement").body


def test_the_page_says_when_the_shared_template_changed_since_the_copy(
    council_a, people, make_user
) -> None:
    with in_council(council_a):
        template_copy(actor=people.admin, key="acknowledgement")
    central = make_user(None, email="central@platform.example")
    with schema_context("public"):
        shared_template_update(
            actor=central,
            key="acknowledgement",
            body="Dear {{ constituent.name }}, the central body's new words.",
        )
    client = client_for(council_a, people.admin)
    assert "Shared one changed since" in _ok(client.get("/templates/"))
    page = _ok(client.get(URL))
    assert "changed the shared template on" in page and "from version 1" in page
    assert "central body&#x27;s new words" in page


def test_councillors_cannot_change_templates(council_a, people) -> None:
    with in_council(council_a):
        template_copy(actor=people.admin, key="acknowledgement")
    client = client_for(council_a, people.owner)
    page = _ok(client.get(URL))
    assert 'name="save"' not in page
    assert client.post(f"{URL}copy/").status_code == 403
    assert client.post(f"{URL}preview/", DRAFT).status_code == 403
    assert client.post(URL, {**DRAFT, "save": "1"}).status_code == 403
    with in_council(council_a):
        assert "own words" not in CouncilTemplate.objects.get(key="acknowledgement").body


def test_other_councils_visitors_and_read_only(council_a, council_b, people) -> None:
    with in_council(council_a):
        template_copy(actor=people.admin, key="acknowledgement")
    outsider = client_for(council_b, people.outsider_staff)
    assert "Shared" in _ok(outsider.get(URL))  # B's own (shared) version, not A's copy
    assert outsider.post(URL, {**DRAFT, "save": "1"}).status_code == 403
    with in_council(council_b):
        assert not CouncilTemplate.objects.exists()
    anonymous = client_for(council_a, None)
    for response in (anonymous.get("/templates/"), anonymous.post(f"{URL}copy/")):
        assert response["Location"].startswith("/login/?next=")
    Licence.objects.filter(council=council_a).update(state="lapsed")
    staff = client_for(council_a, people.staff)
    page = _ok(staff.get(URL))
    assert 'name="save"' not in page and "hx-post" not in page
    assert staff.post(URL, {**DRAFT, "save": "1"}).status_code == 403
    assert staff.post("/templates/outcome/copy/").status_code == 403
