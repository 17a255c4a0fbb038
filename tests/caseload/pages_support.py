"""Helpers for the web page tests: a scene of data in council A, signed-in clients, and a
small HTML accessibility linter.

It checks what a template can get wrong and a person would not spot by eye: every form
control has a label, ids are unique and every id reference resolves, one h1 and no skipped
heading levels, a page title, lang="en-GB", links and buttons with text, images with alt.
(axe-core in a real browser checks the rest where Chromium is installed: test_pages_axe.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from tenants.models import Council
from tests.conftest import force_sign_in, host_for, in_council

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: _Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.text: list[str] = []
        self.children: list[_Element] = []

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def all_text(self) -> str:
        parts = list(self.text)
        for child in self.children:
            parts.append(child.all_text())
            if child.tag == "img":
                parts.append(child.attrs.get("alt", ""))
        return " ".join(p for p in parts if p).strip()


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {}, None)
        self.current = self.root
        self.elements: list[_Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: (v or "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: (v or "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)

    def handle_endtag(self, tag: str) -> None:
        node: _Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.current.text.append(" ".join(data.split()))


def _hidden(element: _Element) -> bool:
    return any("hidden" in e.attrs for e in [element, *element.ancestors()])


def accessibility_problems(html: str) -> list[str]:
    """Everything wrong with `html` by the rules above; an empty list means it passed."""
    tree = _Tree()
    tree.feed(html)
    elements = tree.elements
    problems: list[str] = []

    html_el = next((e for e in elements if e.tag == "html"), None)
    if html_el is None or html_el.attrs.get("lang") != "en-GB":
        problems.append('<html> must have lang="en-GB"')
    titles = [e for e in elements if e.tag == "title"]
    if len(titles) != 1 or not titles[0].all_text():
        problems.append("the page needs exactly one non-empty <title>")
    if len([e for e in elements if e.tag == "main"]) != 1:
        problems.append("the page needs exactly one <main>")

    ids: dict[str, int] = {}
    for e in elements:
        if "id" in e.attrs:
            ids[e.attrs["id"]] = ids.get(e.attrs["id"], 0) + 1
    problems += [f'duplicate id="{i}" ({n} times)' for i, n in ids.items() if n > 1]
    for e in elements:
        for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in e.attrs.get(attr, "").split():
                if ref not in ids:
                    problems.append(f'<{e.tag} {attr}="{ref}"> points at no element')
        if e.tag == "label" and e.attrs.get("for") and e.attrs["for"] not in ids:
            problems.append(f'<label for="{e.attrs["for"]}"> points at no element')
        href = e.attrs.get("href", "")
        if e.tag == "a" and href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            problems.append(f'<a href="{href}"> points at no element')

    headings = [int(e.tag[1]) for e in elements if e.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    if headings.count(1) != 1:
        problems.append(f"the page needs exactly one <h1> (found {headings.count(1)})")
    previous = 0
    for level in headings:
        if level > previous + 1 and previous != 0:
            problems.append(f"heading level skips from h{previous} to h{level}")
        previous = level
    if headings and headings[0] != 1 and headings.count(1) == 1:
        # Headings before the h1 are fine only in banners above the page content (h2).
        first_h1 = headings.index(1)
        if any(level > 2 for level in headings[:first_h1]):
            problems.append("a heading deeper than h2 comes before the <h1>")

    labelled_for = {e.attrs["for"] for e in elements if e.tag == "label" and "for" in e.attrs}
    for e in elements:
        if e.tag not in {"input", "select", "textarea"}:
            continue
        if e.tag == "input" and e.attrs.get("type", "text") in _UNLABELLED_INPUT_TYPES:
            continue
        has_label = (
            e.attrs.get("id") in labelled_for
            or e.attrs.get("aria-label", "").strip()
            or e.attrs.get("aria-labelledby")
            or any(a.tag == "label" for a in e.ancestors())
        )
        if not has_label:
            problems.append(f"<{e.tag} name={e.attrs.get('name')!r}> has no label")

    for e in elements:
        textless = not (e.all_text() or e.attrs.get("aria-label"))
        if e.tag == "a" and "href" in e.attrs and not _hidden(e) and textless:
            problems.append(f'<a href="{e.attrs["href"]}"> has no text')
        if e.tag == "button" and not (e.all_text() or e.attrs.get("aria-label")):
            problems.append("<button> has no text")
        if e.tag == "img" and "alt" not in e.attrs:
            problems.append(f'<img src="{e.attrs.get("src")}"> has no alt')
        if e.tag == "th" and e.attrs.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
            problems.append("<th> without scope")
        if e.tag == "fieldset" and not any(c.tag == "legend" for c in e.children):
            problems.append("<fieldset> without <legend>")

    shows_errors = any("govuk-error-summary" in e.attrs.get("class", "") for e in elements)
    if shows_errors and titles and not titles[0].all_text().startswith("Error:"):
        problems.append('a page showing errors must start its <title> with "Error:"')
    return problems


# --- A scene in council A for the page tests ---------------------------------------------------


@dataclass
class Scene:
    """One of everything a page can show, in council A, owned by `cast.owner`."""

    case: Any
    closed_case: Any
    constituent: Any
    officer: Any
    referral: Any
    attachment: Any
    holiday: Any
    delegation: Any
    bf: Any = None  # a BF on `case` (reminders' pages)
    bf_rule: Any = None  # one of the council's BF rules

    def url_kwargs(self) -> dict[str, int]:
        return {
            "bf_id": self.bf.pk,
            "rule_id": self.bf_rule.pk,
            "case_id": self.case.pk,
            "referral_id": self.referral.pk,
            "attachment_id": self.attachment.pk,
            "constituent_id": self.constituent.pk,
            "officer_id": self.officer.pk,
            "delegation_id": self.delegation.pk,
            "category_id": self.case.category_id,
            "holiday_id": self.holiday.pk,
            "user_id": self.delegation.staff_id,  # admins' deactivate/reactivate page
            "extension_id": 1,  # answering a request for more time: POST only, never looked up
        }


def build_scene(cast: Any, council: Council) -> Scene:
    from datetime import date, timedelta

    from django.utils import timezone

    from caseload import services
    from caseload.models import Delegation
    from reminders.models import BFRule
    from reminders.services import bf_add
    from tests.caseload.conftest import make_case, make_constituent, make_officer

    with in_council(council):
        person = make_constituent(cast.owner, name="Morag Example", postcode="KY1 1AA")
        officer = make_officer(
            cast.admin,
            name="Iain Roads",
            topics=[cast.roads],
            wards=[cast.north],
            service="Roads and Transport",
        )
        case = make_case(
            cast.owner,
            constituent=person,
            title="Pothole outside number 12",
            category=cast.roads,
            ward=cast.north,
            description="Deep pothole, a hazard.",
        )
        services.action_add(
            actor=cast.owner,
            case=case,
            kind="call",
            text="Phoned Morag back",
            time_spent_minutes=10,
        )
        referral = services.referral_create(actor=cast.owner, case=case, officer=officer)
        attachment = services.attachment_add(
            actor=cast.owner,
            case=case,
            file=SimpleUploadedFile(
                "photo-notes.txt", b"Pothole is 20cm deep.\n", content_type="text/plain"
            ),
        )
        closed = make_case(cast.owner, constituent=person, title="Bin not collected")
        services.case_close(actor=cast.owner, case=closed, outcome="resolved")
        holiday = services.holiday_add(
            actor=cast.admin, day=date(2026, 10, 12), name="Local October holiday"
        )
        delegation = Delegation.objects.get(staff=cast.staff, councillor=cast.owner)
        bf = bf_add(
            actor=cast.owner,
            case=case,
            due_date=timezone.localdate() + timedelta(days=3),
            reason="Check the pothole is filled",
        )
        bf_rule = BFRule.objects.order_by("id").first()  # the referral seeded the defaults
    scene = Scene(case, closed, person, officer, referral, attachment, holiday, delegation)
    scene.bf, scene.bf_rule = bf, bf_rule
    return scene


def client_for(council: Council, user: User | None) -> Client:
    """A browser on the council's host, signed in as `user` (session in that schema)."""
    client = Client(HTTP_HOST=host_for(council))
    if user is not None:
        force_sign_in(client, council, user)
    return client
