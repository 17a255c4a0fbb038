"""Every caseload web page, fetched as each role: the status each gets, the content it
shows, and the accessibility linter on every page that renders.

The URL list comes from caseload.urls itself (and reminders.urls, whose dashboard is the
council's home page), so a page added without an expectation here fails
`test_every_page_has_an_expectation`.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from caseload import urls as caseload_urls
from reminders import urls as reminders_urls
from tests.caseload.pages_support import accessibility_problems, build_scene, client_for

COUNCIL_URLCONF = "config.urls_tenant"
ROLES = ("councillor", "staff", "admin")

# GET status per role: (councillor who owns the data, staff acting for them, council admin).
# Admins run the council's set-up but never read casework (404 on a case, 403 on casework
# pages); officer-directory upkeep is staff's and admins'; POST-only URLs answer GET 405.
EXPECTED: dict[str, tuple[int, int, int]] = {
    "dashboard": (200, 200, 200),
    # reminders' BF forms (casework, like the case's other forms) and rules (admins).
    "bf-add": (200, 200, 403),
    "bf-snooze": (200, 200, 403),
    "bf-reassign": (200, 200, 403),
    "bf-complete": (200, 200, 403),
    "bf-rules": (403, 403, 200),
    "bf-rule-edit": (403, 403, 200),
    "bf-rule-toggle": (403, 403, 405),
    "case-list": (200, 200, 200),
    "case-create": (200, 200, 403),
    "case-detail": (200, 200, 404),
    "case-edit": (200, 200, 403),
    "case-action-add": (200, 200, 403),
    "case-refer": (200, 200, 403),
    "referral-reply": (200, 200, 403),
    "referral-extension-decide": (405, 405, 403),
    "case-close": (200, 200, 403),
    "case-reopen": (200, 200, 403),
    "case-sharing": (200, 200, 403),
    "case-attachment-add": (405, 405, 403),
    "attachment-download": (200, 200, 404),
    "referral-target": (200, 200, 403),
    "constituent-list": (200, 200, 200),
    "constituent-create": (200, 200, 403),
    "constituent-detail": (200, 200, 404),
    "constituent-edit": (200, 200, 403),
    "officer-list": (200, 200, 200),
    "officer-create": (403, 200, 200),
    "officer-import": (403, 200, 200),
    "officer-detail": (200, 200, 200),
    "officer-edit": (403, 200, 200),
    "surgery": (200, 200, 403),
    "surgery-lookup": (200, 200, 403),
    "surgery-case": (200, 200, 403),
    "surgery-end": (405, 405, 403),
    "admin-home": (403, 403, 200),
    "admin-users": (403, 403, 200),
    "admin-user-create": (403, 403, 200),
    "admin-user-edit": (403, 403, 200),
    "admin-user-access": (403, 403, 200),
    "admin-user-dpo": (403, 403, 200),
    "audit-log": (403, 403, 200),  # admins, and the data protection officer (none here)
    "audit-export": (403, 403, 200),
    "admin-user-transfer": (403, 403, 405),
    "admin-delegations": (403, 403, 200),
    "admin-delegation-revoke": (403, 403, 405),
    # A councillor's own delegations page (staff see whom they act for); admins have theirs
    # under admin-area. The confirm/decline/revoke buttons are POST only.
    "delegations": (200, 200, 403),
    "delegation-confirm": (405, 405, 403),
    "delegation-decline": (405, 405, 403),
    "delegation-revoke": (405, 405, 403),
    "admin-categories": (403, 403, 200),
    "admin-category-edit": (403, 403, 200),
    "admin-category-toggle": (403, 403, 405),
    "admin-wards": (403, 403, 200),
    "admin-holidays": (403, 403, 200),
    "admin-holiday-remove": (403, 403, 405),
    "admin-postcodes": (403, 403, 200),
    "admin-settings": (403, 403, 200),
    "admin-sign-in": (403, 403, 200),
    "admin-user-sign-in": (403, 403, 200),
}
# Query strings that make a page show real content (it works without them too).
QUERY = {
    "case-create": "constituent={constituent_id}",
    "surgery": "q=Morag",
    "surgery-lookup": "q=Morag",
    "surgery-case": "constituent={constituent_id}",
    "referral-target": "working_days=10",
    "case-list": "q=pothole",
    "constituent-list": "q=Morag",
}
# Text a page must show to the councillor who owns the data.
CONTENT = {
    "dashboard": ["Pothole outside number 12", "My open cases", "Recently updated"],
    "case-list": ["Pothole outside number 12"],
    "case-detail": [
        "Pothole outside number 12",
        "Phoned Morag back",
        "Iain Roads",
        "photo-notes.txt",
        "Morag Example",
        "Check the pothole is filled",
    ],
    "case-refer": ["Iain Roads: Roads and Transport (suggested)", "working day"],
    "constituent-list": ["Morag Example"],
    "constituent-detail": ["Morag Example", "Pothole outside number 12", "Bin not collected"],
    "officer-list": ["Iain Roads"],
    "surgery": ["Morag Example"],
    "surgery-lookup": ["Morag Example"],
    "referral-target": ["Reply due by"],
}


def _namespaced_patterns() -> list[tuple[str, URLPattern]]:
    return [
        (module.app_name, p)
        for module in (caseload_urls, reminders_urls)
        for p in module.urlpatterns
        if isinstance(p, URLPattern)
    ]


def _patterns() -> list[URLPattern]:
    return [p for _, p in _namespaced_patterns()]


def _url(name: str, scene) -> str:
    namespace, pattern = next((ns, p) for ns, p in _namespaced_patterns() if p.name == name)
    kwargs = {k: v for k, v in scene.url_kwargs().items() if k in pattern.pattern.converters}
    if name == "case-reopen":
        kwargs["case_id"] = scene.closed_case.pk
    url = reverse(f"{namespace}:{name}", kwargs=kwargs, urlconf=COUNCIL_URLCONF)
    if name in QUERY:
        url += "?" + QUERY[name].format(**scene.url_kwargs())
    return url


@pytest.fixture
def scene(cast, council_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_scene(cast, council_a)


def test_every_page_has_an_expectation() -> None:
    names = {p.name for p in _patterns()}
    assert names == set(EXPECTED), (
        f"missing: {sorted(names - set(EXPECTED))}, stale: {sorted(set(EXPECTED) - names)}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_page(role, cast, scene, council_a) -> None:
    user = {"councillor": cast.owner, "staff": cast.staff, "admin": cast.admin}[role]
    client = client_for(council_a, user)
    wrong, inaccessible = [], []
    for name, statuses in EXPECTED.items():
        url = _url(name, scene)
        response = client.get(url)
        expected = statuses[ROLES.index(role)]
        if response.status_code != expected:
            wrong.append(f"{url}: {response.status_code}, expected {expected}")
            continue
        is_html = response.get("Content-Type", "").startswith("text/html")
        if expected == 200 and is_html and name not in ("surgery-lookup", "referral-target"):
            html = response.content.decode()
            problems = accessibility_problems(html)
            if problems:
                inaccessible.append(f"{url}: {problems}")
            if role != "admin":
                missing = [t for t in CONTENT.get(name, []) if t not in html]
                if missing:
                    wrong.append(f"{url}: does not show {missing}")
        if expected in (403, 404):
            assert b"Pothole outside number 12" not in response.content, url
    assert not wrong, "\n".join(wrong)
    assert not inaccessible, "\n".join(inaccessible)


def test_fragments_have_no_page_chrome(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.owner)
    for name in ("surgery-lookup", "referral-target"):
        html = client.get(_url(name, scene)).content.decode()
        assert "<html" not in html and "govuk-header" not in html, name


def test_anonymous_is_sent_to_sign_in(scene, council_a) -> None:
    client = client_for(council_a, None)
    for name in EXPECTED:
        url = _url(name, scene)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_councillor_without_access_gets_404_not_the_case(cast, scene, council_a) -> None:
    client = client_for(council_a, cast.other_councillor)
    for name in (
        "case-detail",
        "case-edit",
        "case-action-add",
        "case-refer",
        "case-close",
        "case-sharing",
        "attachment-download",
        "referral-reply",
        "constituent-detail",
    ):
        response = client.get(_url(name, scene))
        assert response.status_code == 404, name
        assert b"Pothole outside number 12" not in response.content
        assert b"Morag Example" not in response.content
    listing = client.get("/cases/?q=pothole").content
    assert b"Pothole outside number 12" not in listing
    assert b"Morag Example" not in client.get("/constituents/?q=Morag").content


def test_user_of_another_council_sees_none_of_its_data(cast, scene, council_b) -> None:
    client = client_for(council_b, cast.outsider)
    for name in ("case-detail", "attachment-download", "constituent-detail", "officer-detail"):
        response = client.get(_url(name, scene))
        assert response.status_code == 404, name
    for path in ("/", "/cases/?q=pothole", "/constituents/?q=Morag", "/officers/"):
        page = client.get(path)
        assert page.status_code == 200, path
        for secret in (b"Pothole outside number 12", b"Morag Example", b"Iain Roads"):
            assert secret not in page.content, (path, secret)


def test_shared_case_is_read_only_for_ward_colleague(cast, scene, council_a) -> None:
    from caseload.services import case_set_sharing
    from tests.conftest import in_council

    with in_council(council_a):
        case_set_sharing(actor=cast.owner, case=scene.case, sharing="ward")
    client = client_for(council_a, cast.ward_colleague)
    page = client.get(_url("case-detail", scene))
    assert page.status_code == 200
    assert b"shared with you to read" in page.content
    assert b"Add an action" not in page.content
    assert client.get(_url("case-action-add", scene)).status_code == 403
    response = client.post(_url("case-action-add", scene), {"kind": "note", "text": "Hi"})
    assert response.status_code == 403
