"""Consent to share, enforced: without it, officers get the matter without the constituent's
details (referral emails, chasers, the reply page), even where the councillor typed them into
the title or the note, and the councillor is told (refer form, case page, history)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from caseload.models import Action, Case
from caseload.selectors import WITHHELD, withhold_personal_details
from caseload.services import constituent_update, referral_create
from correspondence.services import correspondence_send_email
from mailer.services import outbox_deliver
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import host_for, in_council
from tests.correspondence.conftest import make_case, make_constituent, make_officer

IDENTIFIERS = ("Morag McLeish", "McLeish", "07700 900123", "morag@example.org", "KY2 5QT")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def _private_referral(council, people, *, consent: bool):
    with in_council(council):
        person = make_constituent(
            people.owner,
            name="Morag McLeish",
            email="morag@example.org",
            phone="07700 900123",
            postcode="KY2 5QT",
            address="4 Bank Lane\nKirkcaldy",
            consent_to_share=consent,
        )
        case = make_case(
            people.owner,
            person,
            title="Mrs McLeish: damp in 4 Bank Lane, KY25QT",
            description="Morag (07700900123) says the damp is worse.",
        )
        referral = referral_create(
            actor=people.owner,
            case=case,
            officer=make_officer(people.admin),
            note="Call Morag McLeish on +44 7700 900123 or morag@example.org.",
        )
        case.refresh_from_db()
    return case, referral


def _reply_path(council, people, case, referral, key: str = "referral") -> str:
    mail.outbox.clear()
    with in_council(council):
        correspondence_send_email(actor=people.owner, key=key, case=case, referral=referral)
        outbox_deliver()
    match = re.search(r"https?://[^/\s]+(/officer-reply/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_withholding_replaces_each_identifier_in_any_spelling(council_a, people):
    with in_council(council_a):
        person = make_constituent(
            people.owner,
            name="Morag McLeish",
            email="morag@example.org",
            phone="07700 900123",
            postcode="KY2 5QT",
            address="4 Bank Lane\nKirkcaldy",
        )
    text = (
        "MORAG MCLEISH of 4 bank lane, ky25qt; tel (07700) 900-123 or +44 7700 900123; "
        "morag@example.org. The lamp post is broken."
    )
    shown = withhold_personal_details(text, constituent=person)
    for part in ("morag", "mcleish", "bank lane", "ky2", "900", "example.org"):
        assert part not in shown.lower(), shown
    assert "The lamp post is broken." in shown
    assert shown.count(WITHHELD) >= 6
    person.consent_to_share = True
    assert withhold_personal_details(text, constituent=person) == text


def test_referral_and_chaser_emails_leave_out_the_details(council_a, people):
    case, referral = _private_referral(council_a, people, consent=False)
    for key in ("referral", "chaser"):
        _reply_path(council_a, people, case, referral, key=key)
        sent = mail.outbox[-1]
        for identifier in IDENTIFIERS:
            assert identifier.lower() not in (sent.subject + sent.body).lower(), (key, identifier)
        assert case.reference in sent.subject
        assert "damp" in sent.subject + sent.body  # the matter itself still goes


def test_officer_reply_page_shows_the_matter_without_the_details(council_a, people):
    case, referral = _private_referral(council_a, people, consent=False)
    path = _reply_path(council_a, people, case, referral)
    page = Client(HTTP_HOST=host_for(council_a)).get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert not accessibility_problems(html), accessibility_problems(html)
    for identifier in (*IDENTIFIERS, "Bank Lane", "Morag"):
        assert identifier not in html, identifier
    assert "damp in" in html and WITHHELD in html
    assert "has not agreed to share their details" in html


def test_with_consent_the_officer_sees_the_details(council_a, people):
    case, referral = _private_referral(council_a, people, consent=True)
    path = _reply_path(council_a, people, case, referral)
    assert "morag@example.org" in mail.outbox[-1].body
    html = Client(HTTP_HOST=host_for(council_a)).get(path).content.decode()
    assert "Morag McLeish" in html and "Call Morag McLeish" in html
    assert WITHHELD not in html
    with in_council(council_a):
        entry = Action.objects.get(case=case, kind=Action.Kind.REFERRAL)
    assert entry.data["details_withheld"] is False
    assert "not agreed" not in entry.text


def test_the_councillor_is_told_on_the_pages_and_in_the_history(council_a, people):
    case, _ = _private_referral(council_a, people, consent=False)
    with in_council(council_a):
        entry = Action.objects.get(case=case, kind=Action.Kind.REFERRAL)
    assert entry.data["details_withheld"] is True
    assert "has not agreed to share their details with officers" in entry.text
    client = client_for(council_a, people.owner)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/refer/",
        f"/cases/{case.pk}/write/?template=referral&referral={entry.data['referral_id']}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert 'data-consent="withheld"' in html, url
        assert not accessibility_problems(html), (url, accessibility_problems(html))


def test_consent_given_later_is_honoured_at_once(council_a, people):
    case, referral = _private_referral(council_a, people, consent=False)
    client = client_for(council_a, people.owner)
    with in_council(council_a):
        constituent_update(
            actor=people.owner,
            constituent=case.constituent,
            allow_duplicate=True,
            consent_to_share=True,
        )
        case = Case.objects.get(pk=case.pk)
    assert 'data-consent="withheld"' not in client.get(f"/cases/{case.pk}/").content.decode()
    _reply_path(council_a, people, case, referral)
    assert "morag@example.org" in mail.outbox[-1].body


def test_neither_the_page_nor_the_link_works_from_another_council(council_a, council_b, people):
    case, referral = _private_referral(council_a, people, consent=False)
    path = _reply_path(council_a, people, case, referral)
    outsider = client_for(council_b, people.outsider)
    assert outsider.get(f"/cases/{case.pk}/refer/").status_code == 404
    assert Client(HTTP_HOST=host_for(council_b)).get(path).status_code in (404, 410)
