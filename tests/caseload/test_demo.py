"""Demo data: generated, consistent with the rules, and idempotent."""

from __future__ import annotations

import random
import time

import pytest
from django.db.models import Count

from caseload.demo_seeder import seed
from caseload.models import Action, Case, CaseSequence, Officer, Referral, ReferralExtension
from caseload.selectors import CaseFilters, case_list_for_user
from mailer.models import OutboundEmail
from tests.caseload.pages_support import client_for
from tests.conftest import in_council


@pytest.mark.django_db
def test_seed_makes_a_year_of_consistent_cases_once(cast, council_a) -> None:
    started = time.perf_counter()
    seed(council=council_a, rng=random.Random("demo-test"))
    elapsed = time.perf_counter() - started
    with in_council(council_a):
        cases = Case.objects.all()
        assert cases.count() >= 200
        assert elapsed < 5
        # Closed cases have an outcome and a close date; open ones neither (DB constraint
        # too), and every case starts with its opening action.
        assert not cases.filter(status="closed", outcome="").exists()
        assert set(cases.values_list("status", flat=True)) >= {"open", "referred", "closed"}
        assert not cases.annotate(n=Count("actions")).filter(n=0).exists()
        for year, last in CaseSequence.objects.values_list("year", "last"):
            numbers = sorted(cases.filter(year=year).values_list("number", flat=True))
            assert numbers == list(range(1, last + 1))
        assert Referral.objects.filter(target_met=False).exists()
        assert Referral.objects.filter(target_met=True).exists()
        assert Officer.objects.filter(is_active=True).count() >= 8
        assert Action.objects.filter(on_behalf_of__isnull=False).exists()
        # Search vectors are filled in: the owner finds their cases by word.
        found = case_list_for_user(user=cast.owner, filters=CaseFilters(q="pothole"))
        assert all(c.owner_id == cast.owner.pk or c.sharing != "private" for c in found)
        total = Action.objects.count()
    seed(council=council_a, rng=random.Random("demo-test"))
    with in_council(council_a):
        assert Action.objects.count() == total


@pytest.mark.django_db
def test_seed_has_requests_for_more_time_waiting_accepted_and_refused(cast, council_a) -> None:
    """Made through the services, as an officer's link and the case page make them: the
    officer's request and the councillor's answer in the history, the due date moved only
    when accepted (the original target never), the officer told by email of each answer,
    and the councillor's case page offering accept and refuse for the one still waiting."""
    seed(council=council_a, rng=random.Random("demo-test"))
    with in_council(council_a):
        extensions = list(
            ReferralExtension.objects.select_related("referral", "referral__case", "decided_by")
        )
        assert {x.state for x in extensions} >= {"pending", "accepted", "refused"}
        for x in extensions:
            referral = x.referral
            assert referral.replied_at is None and referral.case.status != "closed"
            assert x.requested_date > x.previous_target_date >= referral.original_target_date
            assert x.created_at >= referral.sent_at
            assert Action.objects.filter(
                case=referral.case, kind="officer_reply", data__extension_id=x.pk
            ).exists()
            answered = Action.objects.filter(
                case=referral.case, kind="referral", data__extension_id=x.pk
            )
            told = OutboundEmail.objects.filter(
                kind="extension_decision", dedupe_key=f"extension-decision:{x.pk}"
            )
            if x.state == "pending":
                assert x.decided_at is None and not answered.exists() and not told.exists()
                assert referral.target_date == x.previous_target_date
                continue
            assert x.decided_by_id == referral.case.owner_id and not x.automatic
            assert x.decided_at >= x.created_at and answered.exists()
            assert told.get().to[0].endswith(f"<{referral.officer.email}>")
            expected = x.requested_date if x.state == "accepted" else x.previous_target_date
            assert referral.target_date == expected
        waiting = next(x for x in extensions if x.state == "pending")
        case = waiting.referral.case
        owner = case.owner
    page = client_for(council_a, owner).get(f"/cases/{case.pk}/").content.decode()
    assert "Request for more time" in page
    assert f"/cases/{case.pk}/more-time/{waiting.pk}/" in page and "Accept the new date" in page


@pytest.mark.django_db
def test_a_pilot_councils_demo_has_its_real_wards_towns_and_numbers(council_a) -> None:
    """Fife's demo: all 22 wards, codes only where a source gave one, addresses in the
    ward's town (never the ward's name as a town), phone numbers in Fife's area codes, and
    every case's description telling the story its title names."""
    import re

    from caseload.demo_places import PLACES
    from caseload.demo_seeder import FICTIONAL_AREA_CODE, TOPICS
    from caseload.models import Constituent, Ward
    from localdev.demo_councils import DEMO_COUNCILS, DEMO_PASSWORD
    from localdev.demo_seeder import _seed_people

    fife = PLACES["fife"]
    assert len(fife.wards) == 22 and len({w.name for w in fife.wards}) == 22
    slug, _name, councillor_wards = next(c for c in DEMO_COUNCILS if c[0] == "fife")
    rng = random.Random(f"demo-{slug}")
    from django.contrib.auth.hashers import make_password

    _seed_people(council_a, councillor_wards, rng, make_password(DEMO_PASSWORD))
    seed(council=council_a, rng=rng, places=fife)
    with in_council(council_a):
        wards = {w.name: w for w in Ward.objects.all()}
        assert set(wards) == {w.name for w in fife.wards}
        for place in fife.wards:
            assert (wards[place.name].code or "") == place.code  # never a guessed code
        # Councillors are "Cllr First Last": no "Cllr Mr", "Cllr Dr", nothing doubled.
        from accounts.models import User

        names = list(User.objects.filter(role="councillor").values_list("name", flat=True))
        assert len(names) == 10
        for name in names:
            assert re.fullmatch(r"Cllr [A-Z][\w'-]+ [A-Z][\w' -]+", name), name
            assert not re.search(r"\b(Mr|Mrs|Ms|Miss|Dr|Prof)\b\.?", name), name
        allowed = fife.area_codes | {FICTIONAL_AREA_CODE}
        assert fife.area_codes <= {"01592", "01334", "01383", "01333", "01337", "01382"}
        towns = {w.name: w.town for w in fife.wards}
        districts = {w.name: w.district for w in fife.wards}
        constituents = list(Constituent.objects.select_related("ward"))
        assert constituents
        for person in constituents:
            if person.phone:
                assert person.phone.split()[0] in allowed, person.phone
            if person.ward is not None:
                town = person.address.splitlines()[-1]
                assert town == towns[person.ward.name], (town, person.ward.name)
                assert person.postcode.split()[0] == districts[person.ward.name]
        for officer in Officer.objects.all():
            assert officer.phone.split()[0] in fife.area_codes, officer.phone
        # Titles and descriptions agree: each case's pair is one of the topic's pairs.
        pairs = [
            (re.compile(re.escape(title).replace(re.escape("{street}"), ".+") + "$"), detail)
            for topic in TOPICS
            for title, detail in topic.cases
        ]
        for title, description in Case.objects.values_list("title", "description"):
            assert any(
                pattern.match(title) and description == detail for pattern, detail in pairs
            ), (title, description)


def test_every_pilot_council_has_all_its_wards_and_its_own_area_codes() -> None:
    """The data itself: ward counts as the 2016 Electoral Arrangements Orders made them,
    codes only in the S13002 form where given, each council's own telephone area codes."""
    import re

    from caseload.demo_places import PLACES

    counts = {
        "fife": 22,
        "north-lanarkshire": 21,
        "dumfries-and-galloway": 12,
        "east-dunbartonshire": 7,
        "inverclyde": 7,
    }
    assert {slug: len(p.wards) for slug, p in PLACES.items()} == counts
    expected_codes = {
        "fife": {"01592", "01334", "01383"},
        "north-lanarkshire": {"01698", "01236"},
        "dumfries-and-galloway": {"01387", "01776"},
        "east-dunbartonshire": {"0141"},
        "inverclyde": {"01475"},
    }
    for slug, places in PLACES.items():
        # The codes the brief names for each council are among its wards' codes.
        assert expected_codes[slug] <= places.area_codes, slug
        assert [w.number for w in places.wards] == list(range(1, len(places.wards) + 1))
        for ward in places.wards:
            assert ward.code == "" or re.fullmatch(r"S13002\d{3}", ward.code), ward
            assert ward.town and ward.district and ward.area_code, ward
    codes = [w.code for p in PLACES.values() for w in p.wards if w.code]
    assert len(codes) == len(set(codes))
