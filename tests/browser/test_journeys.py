"""The journeys people make, in Chromium, at 1,280x800 and at 390x844.

1. A councillor signs in, logs a new enquiry for a new constituent, refers it to a suggested
   officer and sees the referral on the dashboard (also with the keyboard only).
2. The officer opens the reply link from the real email in the outbox and answers; the
   councillor sees the reply, sends the outcome letter from a template, and downloads the
   .docx and the PDF, which open.
3. A staff member acting for a councillor logs three enquiries in one surgery sitting (also
   with the keyboard only).
4. A council admin adds a councillor, changes an officer and the holidays, deactivates a user.
6. On a lapsed council nothing offers to change anything; reading, search and export work.

Journey 5 (the central body onboards a council) is in test_journeys_console.py.
Each journey checks the pages it passes through as the crawler does (axe, sideways scroll,
layout, console errors), including states the crawler cannot reach (a success banner).
"""

from __future__ import annotations

import io
import itertools
import json
import re

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import PASSWORD, SIZES
from tests.browser.journeys import Person
from tests.browser.support import sign_in

_names = itertools.count(1)
SIZE_IDS = list(SIZES)


@pytest.fixture
def open_person(browser, server):
    """open_person(council, email=None, size=..., keyboard=False) -> Person, signed in."""
    contexts = []

    def _open(council, email: str | None, size: str, keyboard: bool = False) -> Person:
        context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        base = server.url(council, "")
        if email:
            sign_in(page, base, email, PASSWORD, keyboard=keyboard)
        return Person(page, base, keyboard=keyboard)

    yield _open
    for context in contexts:
        context.close()


def _covered_category(council) -> str:
    """A category some officer covers, so the refer page has suggestions."""
    from caseload.models import Category

    with schema_context(council.schema_name):
        category = (
            Category.objects.filter(is_active=True, officers__is_active=True)
            .order_by("name")
            .first()
        )
        assert category is not None, "no officer covers any category in the demo data"
        return category.name


def log_enquiry_and_refer(person: Person, council, tag: str) -> dict[str, str]:
    """Journey 1 after sign-in: a new constituent, their enquiry, a referral to a suggested
    officer. Returns what was entered."""
    name = f"Eilidh Mac{tag}"
    title = f"Streetlight out on Kirk Wynd ({tag})"
    person.nav("Cases")
    person.follow("Open a new case")
    assert person.heading() == "Who is the case for?"
    person.follow("Add a constituent")
    person.fill("Full name", name)
    person.fill("Address (optional)", "14 Kirk Wynd\nKirkcaldy")
    person.fill("Postcode (optional)", "KY1 1XX")
    person.fill("Email (optional)", f"eilidh.{tag}@example.org")
    person.radio("Email")
    person.tick("They agree to their details being shared with council officers")
    person.press("Save and open a case")
    assert person.heading() == "Open a case", person.page.url
    person.fill("What is the enquiry about?", title)
    person.fill("Details (optional)", "The light has been out for two weeks; the close is dark.")
    person.choose("Category", _covered_category(council))
    person.press("Open case")
    assert person.heading() == title
    person.check("new case")
    person.follow("Refer to an officer")
    assert person.page.get_by_role("heading", name="Suggested officers").is_visible()
    officer = person.choose("Officer", re.compile(r"\(suggested\)$"))
    person.fill("Note to go with the referral (optional)", "Please arrange a repair.")
    person.press("Send referral")
    # The refer page lands on the referral email to the officer, ready to send.
    assert "/write/" in person.page.url, person.page.url
    return {"name": name, "title": title, "officer": officer.split(":")[0].strip()}


def _journey_1(person: Person, world, tag: str) -> None:
    entered = log_enquiry_and_refer(person, world.council, tag)
    person.nav("Dashboard")
    row = person.page.get_by_role("row").filter(has_text=entered["title"]).first
    assert row.is_visible()
    assert "Referred" in row.inner_text() or "Awaiting reply" in row.inner_text()
    person.check("dashboard after the referral")


@pytest.mark.parametrize("size", SIZE_IDS)
def test_journey_1_councillor_logs_and_refers(size, open_person, world) -> None:
    person = open_person(world.council, world.email("councillor"), size)
    # Signed in with the password and a code from the app (tests.browser.support.sign_in).
    person.go("/account/")
    assert "On. You sign in with your password and a code" in person.page.content()
    person.check("account page with two-factor sign-in")
    _journey_1(person, world, f"j1-{size}")


def test_journey_1_with_the_keyboard_only(open_person, world) -> None:
    person = open_person(world.council, world.email("councillor"), "desktop", keyboard=True)
    _journey_1(person, world, "j1-keyboard")


def _reply_link(council, officer_email_to: str, case_title: str) -> str:
    """The officer's link, from the referral email as it sits in the council's outbox."""
    from caseload.models import Case
    from mailer.models import OutboundEmail

    with schema_context(council.schema_name):
        case = Case.objects.get(title=case_title)
        email = OutboundEmail.objects.filter(case_id=case.pk).order_by("-id").first()
        assert email is not None, "the referral email is not in the outbox"
        match = re.search(r"https?://\S+/officer-reply/[^/\s]+/", email.body_text)
        assert match, email.body_text
        return match.group(0)


@pytest.mark.parametrize("size", SIZE_IDS)
def test_journey_2_officer_replies_and_the_councillor_writes_back(
    size, open_person, world, tmp_path
) -> None:
    import docx
    from pypdf import PdfReader

    councillor = open_person(world.council, world.email("councillor"), size)
    entered = log_enquiry_and_refer(councillor, world.council, f"j2-{next(_names)}-{size}")
    councillor.press("Send email")
    assert entered["title"] in councillor.heading()
    councillor.check("case after sending the referral email")

    link = _reply_link(world.council, entered["officer"], entered["title"])
    officer = open_person(world.council, None, size)
    officer.page.goto(link)
    officer.check("officer's reply page")
    officer.radio("Here is my reply")
    reply = "Repair booked for Thursday; the contractor will replace the lamp head."
    officer.fill("Your message to the councillor", reply)
    officer.press("Send reply")
    assert officer.heading() == "Reply sent"
    officer.check("officer's thank-you page")

    councillor.page.reload()
    history = councillor.page.locator("#history").locator("xpath=..").inner_text()
    assert reply in history
    councillor.follow("Write a letter or email")
    councillor.radio("Outcome letter")
    councillor.press("Continue")
    assert councillor.heading() == "Outcome letter"
    councillor.check("outcome letter preview")

    with councillor.page.expect_download() as got:
        councillor.press("Download letter (.docx)")
    path = tmp_path / "letter.docx"
    got.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert entered["name"].split()[0] in text, text[:500]

    with councillor.page.expect_download() as got:
        councillor.press("Download letter (PDF)")
    path = tmp_path / "letter.pdf"
    got.value.save_as(path)
    pdf = PdfReader(io.BytesIO(path.read_bytes()))
    assert entered["name"].split()[0] in "".join(p.extract_text() for p in pdf.pages)


def _journey_3(person: Person, world, tag: str) -> None:
    from accounts.models import User
    from caseload.models import Constituent
    from caseload.selectors import acting_for_ids
    from tests.browser.support import wait_until

    with schema_context(world.council.schema_name):
        staff = User.objects.get(email=world.email("staff"))
        known = list(
            Constituent.objects.filter(owner_id__in=acting_for_ids(staff))
            .order_by("id")
            .values_list("name", flat=True)[:2]
        )
    person.nav("Surgery")
    assert person.heading() == "Surgery mode"
    titles = []
    for n, who in enumerate([known[0], f"Ruaridh New{tag}", known[1]], start=1):
        person.fill("Who is the next enquiry from?", who)
        results = person.page.locator("#surgery-people")
        # htmx fills the suggestions as the name is typed (no JavaScript: the Find button).
        wait_until(lambda who=who, results=results: who in results.inner_text(), timeout=10)
        if n == 2:
            person.follow("Someone new: add them and their enquiry")
            person.fill("Full name", who)
            person.fill("Postcode (optional)", "KY2 5AA")
        else:
            # Named "<name>: log an enquiry" (the second part visually hidden).
            person.follow(who)
        title = f"Surgery {tag} enquiry {n}"
        if person.page.get_by_label("Councillor", exact=True).count():
            person.choose("Councillor", re.compile(r"^(?!Choose)\S"))
        person.fill("What is the enquiry about?", title)
        person.fill("What they told you (optional)", "Raised at the Saturday surgery.")
        person.choose("Category", re.compile(r"^(?!Choose)\S"))
        person.press("Save and log the next enquiry")
        assert person.heading() == "Surgery mode", person.errors()
        titles.append(title)
    sitting = person.page.locator(".govuk-grid-column-one-third").inner_text()
    for title in titles:
        assert title in sitting
    person.check("surgery page with three enquiries")
    person.press("End this sitting")


@pytest.mark.parametrize("size", SIZE_IDS)
def test_journey_3_staff_log_three_enquiries_in_one_sitting(size, open_person, world) -> None:
    person = open_person(world.council, world.email("staff"), size)
    _journey_3(person, world, f"{size}-{next(_names)}")


def test_journey_3_with_the_keyboard_only(open_person, world) -> None:
    person = open_person(world.council, world.email("staff"), "desktop", keyboard=True)
    _journey_3(person, world, f"keyboard-{next(_names)}")


@pytest.mark.parametrize("size", SIZE_IDS)
def test_journey_4_admin_runs_the_council(size, open_person, world) -> None:
    n = next(_names)
    admin = open_person(world.council, world.email("admin"), size)
    admin.nav("Admin")
    admin.follow("Users", exact=True)
    admin.follow("Add a user")
    name = f"Cllr Morven Sinclair-{n}"
    # A long address must not push the users table past its column.
    email = f"morven.sinclair-{n}.councillor-for-the-ward@{world.council.slug}.example.gov.uk"
    admin.fill("Full name", name)
    admin.fill("Email address", email)
    admin.radio("Councillor")
    admin.choose("Ward", re.compile(r"^(?!No ward)\S"))
    admin.fill("First password", "a-long-first-password-2026")
    admin.press("Add user")
    assert email in admin.page.locator("table").inner_text()
    admin.check("users after adding a councillor")

    admin.nav("Officers")
    admin.page.locator("table a.govuk-link").first.click()
    officer_name = admin.heading()
    admin.follow(f"Change {officer_name}'s details")
    admin.fill("Job title (optional)", f"Roads Manager {n}")
    admin.press("Save")
    assert f"Roads Manager {n}" in admin.page.locator("main").inner_text()

    admin.nav("Admin")
    admin.follow("Holidays")
    admin.fill("Day", "14")
    admin.fill("Month", "10")
    admin.fill("Year", "2027" if size == "desktop" else "2028")
    admin.fill("Name", f"Local holiday {n}")
    admin.press("Add holiday")
    admin.check("holidays after adding one")
    admin.go(f"/admin-area/holidays/?year={'2027' if size == 'desktop' else '2028'}")
    assert f"Local holiday {n}" in admin.page.locator("table").inner_text()
    admin.press(f"Remove Local holiday {n}")
    admin.go(f"/admin-area/holidays/?year={'2027' if size == 'desktop' else '2028'}")
    assert f"Local holiday {n}" not in admin.page.locator("table").inner_text()

    admin.follow("Users", exact=True)
    admin.follow(f"Deactivate {name}")
    admin.press(f"Deactivate {name}")
    row = admin.page.get_by_role("row").filter(has_text=email)
    assert "Inactive" in row.inner_text()
    admin.check("users after deactivating")


@pytest.mark.parametrize("size", SIZE_IDS)
def test_journey_6_lapsed_council_reads_but_offers_no_change(size, open_person, world) -> None:
    from caseload.models import Case

    councillor = open_person(world.lapsed, world.email("councillor", world.lapsed), size)
    assert "Read-only" in councillor.page.locator("main").inner_text()
    writes = councillor.page.evaluate(
        "() => [...document.querySelectorAll('form')].filter(f => (f.getAttribute('method')"
        " || '').toLowerCase() === 'post' && !(f.getAttribute('action') || '')"
        ".endsWith('/logout/')).length"
    )
    assert writes == 0
    with schema_context(world.lapsed.schema_name):
        word = (
            Case.objects.filter(owner__email=world.email("councillor", world.lapsed))
            .order_by("id")
            .values_list("title", flat=True)
            .first()
            .split()[0]
        )
    councillor.nav("Cases")
    councillor.fill("Search", word)
    councillor.press("Apply")
    first = councillor.page.locator("table tbody a.govuk-link").first
    assert word.lower() in councillor.page.locator("table").inner_text().lower()
    first.click()
    for label in ("Add an action", "Write a letter or email", "Refer to an officer", "Close case"):
        assert councillor.page.get_by_role("link", name=label).count() == 0, label
    assert councillor.page.locator("input[type=file]").count() == 0
    councillor.check("a case on a lapsed council")

    admin = open_person(world.lapsed, world.email("admin", world.lapsed), size)
    admin.go("/billing/")
    exported = admin.page.evaluate(
        "async () => { const r = await fetch('/api/v1/export/');"
        " return [r.status, await r.text()]; }"
    )
    assert exported[0] == 200
    assert json.loads(exported[1])
    assert admin.page.get_by_role("link", name="Download the council's data").is_visible()
