"""Every caseload page (and the pages of other apps the case page links to, OTHER_PAGES)
renders from the demo data (seed_demo's generator, one council) as each role, with the same
statuses as test_pages, and passes the HTML linter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from accounts.models import User
from caseload import selectors
from caseload.models import Case, CouncilHoliday, Delegation, Officer
from localdev.demo_councils import DEMO_COUNCILS, DEMO_PASSWORD
from localdev.demo_seeder import _seed_people
from reminders import demo_seeder as reminders_demo
from reminders.models import BF, BFRule
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.caseload.test_pages import EXPECTED, ROLES, _url
from tests.conftest import in_council

# Pages of other apps linked from the case page, whose URLs are not in caseload.urls: path
# (formatted with the scene's URL arguments) -> GET status per role, as EXPECTED.
OTHER_PAGES: dict[str, tuple[int, int, int]] = {
    "/cases/{case_id}/write/": (200, 200, 403),
    "/cases/{case_id}/write/?template=acknowledgement": (200, 200, 403),
    "/cases/{case_id}/write/?template=referral&referral={referral_id}": (200, 200, 403),
}


@dataclass
class DemoScene:
    """The URL arguments for one reader: objects they can see in the demo data."""

    kwargs: dict[str, int]
    closed_case: Any
    skip: set[str] = field(default_factory=set)

    def url_kwargs(self) -> dict[str, int]:
        return self.kwargs


def _scene_for(user: User) -> DemoScene:
    # Cases the reader may change (their own, or their councillor's), so the change pages
    # are expected to open; read-only sharing is covered in test_pages.
    visible = selectors.case_list_for_user(user=user).filter(
        owner_id__in=selectors.acting_for_ids(user)
    )
    case = visible.exclude(status=Case.Status.CLOSED).filter(referrals__isnull=False).first()
    closed = visible.filter(status=Case.Status.CLOSED).first()
    assert case is not None and closed is not None, f"demo gives {user.email} no cases"
    referral = selectors.referral_list_for_case(case=case).first()
    attachment = case.attachments.first()
    kwargs = {
        "case_id": case.pk,
        "referral_id": referral.pk,
        "constituent_id": case.constituent_id,
        "officer_id": Officer.objects.order_by("id").first().pk,
        "delegation_id": Delegation.objects.order_by("id").first().pk,
        "category_id": case.category_id or 1,
        "holiday_id": CouncilHoliday.objects.order_by("id").first().pk,
        "attachment_id": attachment.pk if attachment else 0,
        "user_id": Delegation.objects.order_by("id").first().staff_id,
        # reminders' demo BFs: the referral's chaser, made by the council's rule.
        "bf_id": BF.objects.filter(case=case).order_by("id").first().pk,
        "rule_id": BFRule.objects.order_by("id").first().pk,
        "extension_id": 1,  # answering a request for more time: POST only, never looked up
    }
    # The demo generator attaches no files; the download page is covered by test_pages.
    return DemoScene(kwargs, closed, skip=set() if attachment else {"attachment-download"})


def test_every_page_renders_from_demo_data(council_a) -> None:
    slug, _name, wards = DEMO_COUNCILS[0]
    rng = random.Random(f"demo-{slug}")
    _seed_people(council_a, wards, rng, make_password(DEMO_PASSWORD))
    from caseload import demo_seeder as demo

    demo.seed(council=council_a, rng=rng)
    reminders_demo.seed(council=council_a, rng=rng)
    domain = f"{council_a.slug}.example.gov.uk"
    with in_council(council_a):
        users = {
            "councillor": User.objects.get(email=f"councillor@{domain}"),
            "staff": User.objects.get(email=f"staff@{domain}"),
            "admin": User.objects.get(email=f"admin@{domain}"),
        }
        scenes = {role: _scene_for(users[role]) for role in ("councillor", "staff")}
        scenes["admin"] = scenes["councillor"]
        assert Case.objects.count() >= 100
    wrong, inaccessible = [], []
    for role in ROLES:
        client = client_for(council_a, users[role])
        scene = scenes[role]
        for name, statuses in EXPECTED.items():
            if name in scene.skip:
                continue
            url = _url(name, scene)
            response = client.get(url)
            expected = statuses[ROLES.index(role)]
            if response.status_code != expected:
                wrong.append(f"{role} {url}: {response.status_code}, expected {expected}")
            elif expected == 200 and response["Content-Type"].startswith("text/html"):
                if name in ("surgery-lookup", "referral-target"):
                    continue
                problems = accessibility_problems(response.content.decode())
                if problems:
                    inaccessible.append(f"{role} {url}: {problems}")
        for path, statuses in OTHER_PAGES.items():
            url = path.format(**scene.url_kwargs())
            response = client.get(url)
            expected = statuses[ROLES.index(role)]
            if response.status_code != expected:
                wrong.append(f"{role} {url}: {response.status_code}, expected {expected}")
            elif expected == 200:
                problems = accessibility_problems(response.content.decode())
                if problems:
                    inaccessible.append(f"{role} {url}: {problems}")
    assert not wrong, "\n".join(wrong)
    assert not inaccessible, "\n".join(inaccessible)
