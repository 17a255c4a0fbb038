"""Every page, every role, both sizes (1,280x800 and 390x844), in Chromium.

Each person signs in and the crawler (tests/browser/crawler.py) follows every link from
their start pages, and opens the pages no page links to (links in emails) directly. On every
page at both sizes: axe-core's WCAG 2.0-2.2 A/AA rules report 0 violations, nothing scrolls
sideways on the phone, the console shows no error, and the page loads within 2 s.

Coverage is checked against the URLconfs themselves: every route of the council's and the
central body's URLconf must be reached by each person who may use it, or be listed here as
not a page (with why) or as not theirs. So a page added later is crawled, or this fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.conftest import DESKTOP, PASSWORD, World
from tests.browser.crawler import Crawler, CrawlResult
from tests.browser.support import sign_in

COUNCIL = "config.urls_tenant"
PLATFORM = "config.urls_public"

# Routes that are not pages a person opens with a GET, and why.
NOT_PAGES = {
    "caseload:case-attachment-add": "POST only: the upload form on a case page",
    "caseload:referral-target": "htmx fragment: the target date under the refer form",
    "caseload:surgery-lookup": "htmx fragment: the look-up results on the surgery page",
    "caseload:surgery-end": "POST only: the 'end the sitting' button",
    "caseload:admin-user-transfer": "POST only: the move-cases form on the access page",
    "caseload:referral-extension-decide": "POST only: accept/refuse more time on a case page",
    "caseload:admin-delegation-revoke": "POST only: the revoke button",
    "caseload:admin-category-toggle": "POST only: the retire/restore button",
    "caseload:admin-holiday-remove": "POST only: the remove button",
    "caseload:delegation-confirm": "POST only: the confirm button on /delegations/",
    "caseload:delegation-decline": "POST only: the decline button on /delegations/",
    "caseload:delegation-revoke": "POST only: the end/withdraw button on /delegations/",
    "dataexit:approve": "POST only: the approve button on /data-exit/",
    "dataexit:refuse": "POST only: the refuse form on /data-exit/",
    "dataexit:cancel": "POST only: the cancel button on /data-exit/",
    "dataexit:progress": "htmx fragment: the build's progress on /data-exit/",
    "dataexit:download": "the archive (a zip), not a page; tests/dataexit checks it",
    "reminders:bf-rule-toggle": "POST only: the switch off/on button on the BF rules page",
    "privacy:retention-schedule": "POST only: the save button of a period on the retention page",
    "privacy:retention-hold": "POST only: the hold form on the retention page",
    "privacy:retention-hold-lift": "POST only: the lift button of a hold",
    "privacy_casework:subject-access-confirm": "POST only: the tick boxes on a request's page",
    "privacy_casework:subject-access-extend": "POST only: the extend form on a request's page",
    "privacy_casework:subject-access-clock": "POST only: the stop/restart button of the clock",
    "privacy_casework:subject-access-close": "POST only: the close form on a request's page",
    "correspondence:template-copy": "POST only: the copy button on a shared template's page",
    "correspondence:template-preview": "htmx fragment: the live preview beside the edit form",
    "correspondence:letterhead-logo": "the logo image shown on the letterhead page",
    "accounts:logout": "POST only: the sign-out button",
    "accounts:recovery-codes": "POST only: the new-codes button on the account page",
    "accounts:two-factor-remove": "POST only: the turn-off button on the account page",
    "accounts:sign-out-everywhere": "POST only: the button on the account page",
    "accounts:login-code": "the step after a right password: tests/browser/test_csp.py checks it",
    "accounts:password-reset-sent": "after the reset form: tests/browser/test_csp.py checks it",
    "accounts:password-reset-confirm": "from the reset email: set-password's template, crawled",
    "billing_council:seats": "POST only: the seats form on the billing page",
    "billing_council:portal": "POST only: opens Stripe's billing portal",
    "console:onboarding-resend": "POST only: the re-send button on a job page",
    "console:onboarding-requeue": "POST only: the run-again button on a failed job page",
    "console:trial-approve": "POST only: the approve form on a request page",
    "console:trial-decline": "POST only: the decline form on a request page",
    "console:allowed-domain-remove": "POST only: the remove button",
    "console:comparison-refresh": "POST only: the refresh button",
    "console:licence-extend": "POST only: the extend form on a licence page",
    "console:licence-convert": "POST only: the convert form on a licence page",
    "console:licence-cancel": "POST only: the cancel form on a licence page",
    "console:licence-delete-data": "POST only: the delete form on a licence page",
    "billing_platform:stripe-webhook": "Stripe's webhook endpoint",
    "schema": "the OpenAPI document (JSON)",
    "api-docs": "Swagger UI for API developers, not one of the service's pages",
}
NOT_PAGE_PREFIXES = ("api/", "inbound/anymail/")


def _names(namespace: str, names: str) -> set[str]:
    return {f"{namespace}:{name}" for name in names.split()}


# What some people must not reach (each is a 403/404 for them: tests/caseload/test_pages.py).
CASEWORK = _names(
    "caseload",
    "case-create case-detail case-edit case-action-add case-refer referral-reply case-close "
    "case-reopen case-sharing attachment-download constituent-create constituent-detail "
    "constituent-edit surgery surgery-case",
) | _names("correspondence", "case-write batch-list batch-new batch-detail batch-print")
BF_FORMS = _names("reminders", "bf-add bf-snooze bf-reassign bf-complete")  # on a case's BFs
CASEWORK |= BF_FORMS
ADMIN_AREA = (
    _names(
        "caseload",
        "admin-home admin-users admin-user-create admin-user-edit admin-user-access "
        "admin-delegations admin-categories admin-category-edit admin-wards admin-holidays "
        "admin-postcodes "
        "admin-settings admin-sign-in admin-user-sign-in admin-user-dpo audit-log audit-export",
    )
    | {"dataexit:page", "privacy:retention", "privacy:departures", "privacy:departure"}
    | _names("reminders", "bf-rules bf-rule-edit")
)
# A councillor's own delegations (staff see whom they act for); admins use admin-delegations.
DELEGATIONS = {"caseload:delegations"}
CASEWORK |= _names(
    "privacy_casework",
    "constituent-erase constituent-correct subject-access-list subject-access-new "
    "subject-access-detail subject-access-archive",
)
DIRECTORY_UPKEEP = _names("caseload", "officer-create officer-import officer-edit")
TRIAGE = {"correspondence:triage-list", "correspondence:triage-detail"}  # staff only
SURVEY = {"feedback:survey"}  # councillors answer it
SURVEY_RESULTS = {"feedback:results"}  # admins read it
LETTERHEAD = _names("correspondence", "letterhead letterhead-sample")  # staff and admins
BILLING = {"billing_council:home"}
FROM_EMAILS = _names("correspondence_public", "officer-reply officer-reply-thanks") | {
    "accounts:set-password"
}
SIGN_IN = {"accounts:login", "accounts:password-reset"}
# A lapsed council offers no way to change anything: no page links to these there.
WRITE_PAGES = _names(
    "caseload",
    "case-create case-edit case-action-add case-refer referral-reply case-close case-reopen "
    "case-sharing constituent-create constituent-edit officer-create officer-import "
    "officer-edit surgery surgery-case admin-user-create admin-user-edit admin-user-access "
    "admin-category-edit admin-user-dpo",
) | {"correspondence:case-write", "correspondence:batch-new", "feedback:survey"}
WRITE_PAGES |= BF_FORMS | {"reminders:bf-rule-edit"}
COUNCIL_PAGES = "every route of the council's URLconf"
ALWAYS_OPEN_FORMS = (
    "form /billing/portal/",
    "form /account/",
    "form /admin-area/sign-in/",
    "form /data-exit/",  # the data exit stays open in a lapsed council (billing.middleware)
)
WRITE_PAGES |= _names(
    "privacy_casework", "constituent-erase constituent-correct subject-access-new"
)
PLATFORM_PUBLIC = _names("console", "trial-request trial-sent trial-confirm")


@dataclass
class Person:
    """Who signs in where, where they start, and which routes are theirs to reach."""

    key: str
    site: str  # "council", "lapsed" or "platform"
    role: str | None  # signs in as this role; None: signed out
    start: list[str] = field(default_factory=lambda: ["/"])
    not_theirs: set[str] = field(default_factory=set)
    only: set[str] | None = None  # signed-out visitors: just these routes
    per_route: int = 2

    @property
    def urlconf(self) -> str:
        return PLATFORM if self.site == "platform" else COUNCIL


PEOPLE = [
    Person(
        "councillor",
        "council",
        "councillor",
        not_theirs=ADMIN_AREA
        | DIRECTORY_UPKEEP
        | BILLING
        | SURVEY_RESULTS
        | FROM_EMAILS
        | SIGN_IN
        | TRIAGE
        | LETTERHEAD,
    ),
    Person(
        "staff",
        "council",
        "staff",
        not_theirs=ADMIN_AREA | BILLING | SURVEY | SURVEY_RESULTS | FROM_EMAILS | SIGN_IN,
    ),
    # Admins do not read casework: nothing links them to the case and constituent lists,
    # which answer them with an explanation.
    Person(
        "admin",
        "council",
        "admin",
        start=["/", "/cases/", "/constituents/"],
        not_theirs=CASEWORK | SURVEY | FROM_EMAILS | SIGN_IN | TRIAGE | DELEGATIONS,
    ),
    Person(
        "lapsed-councillor",
        "lapsed",
        "councillor",
        not_theirs=(
            ADMIN_AREA | DIRECTORY_UPKEEP | BILLING | SURVEY_RESULTS | FROM_EMAILS | SIGN_IN
        )
        | WRITE_PAGES
        | TRIAGE
        | LETTERHEAD,
        per_route=1,
    ),
    Person(
        "lapsed-staff",
        "lapsed",
        "staff",
        not_theirs=ADMIN_AREA
        | BILLING
        | SURVEY
        | SURVEY_RESULTS
        | FROM_EMAILS
        | SIGN_IN
        | WRITE_PAGES,
        per_route=1,
    ),
    Person(
        "lapsed-admin",
        "lapsed",
        "admin",
        start=["/", "/cases/", "/constituents/"],
        not_theirs=CASEWORK | SURVEY | FROM_EMAILS | SIGN_IN | WRITE_PAGES | TRIAGE | DELEGATIONS,
        per_route=1,
    ),
    Person(
        "central",
        "platform",
        "central",
        not_theirs={"accounts:set-password"} | SIGN_IN | PLATFORM_PUBLIC,
        per_route=3,  # onboarding jobs: running, failed, done
    ),
    Person(
        "visitor",
        "council",
        None,
        start=["/", "{set_password_path}"],
        only=SIGN_IN | {"accounts:set-password"},
    ),
    Person(
        "officer",
        "council",
        None,
        start=["{officer_reply_path}", "/officer-reply/thanks/"],
        # The header's home link takes an officer (who has no account) to sign-in.
        only=_names("correspondence_public", "officer-reply officer-reply-thanks") | SIGN_IN,
    ),
    Person(
        "platform-visitor",
        "platform",
        None,
        start=["/", "/start-trial/", "/start-trial/sent/", "{trial_confirm_path}"],
        only=SIGN_IN | PLATFORM_PUBLIC | {"console:home"},
    ),
]


def routes(urlconf: str) -> set[str]:
    """Every named route of a URLconf that is a page (the API and NOT_PAGES left out)."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> set[str]:
        found = set()
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                found |= walk(p, prefix + str(p.pattern), ns)
            elif (
                isinstance(p, URLPattern)
                and p.name
                and not (prefix + str(p.pattern)).startswith(NOT_PAGE_PREFIXES)
            ):
                found.add(f"{namespace}{p.name}")
        return found

    return walk(get_resolver(urlconf), "", "") - set(NOT_PAGES)


def _council(world: World, person: Person):
    return {"council": world.council, "lapsed": world.lapsed, "platform": None}[person.site]


def _report(person: Person, result: CrawlResult, seconds: float) -> str:
    slowest = max(result.checks, key=lambda c: c.seconds)
    return (
        f"BROWSER crawl {person.key}: {len(result.pages)} pages x 2 sizes = "
        f"{len(result.checks)} checks, {len(result.downloads)} downloads, "
        f"slowest {slowest.seconds:.2f} s ({slowest.url.split('/', 3)[-1]}), {seconds:.1f} s"
    )


@pytest.mark.parametrize("person", PEOPLE, ids=[p.key for p in PEOPLE])
def test_every_page(person: Person, browser, server, world, record_property) -> None:
    council = _council(world, person)
    origin = server.url(council, "")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        if person.role:
            sign_in(page, origin, world.email(person.role, council), PASSWORD)
        started = time.monotonic()
        crawler = Crawler(page, origin, person.urlconf, per_route=person.per_route)
        crawler.crawl([path.format(**vars(world)) for path in person.start])
        # Pages of theirs that no link reached in this data (a closed case's reopen page
        # when the sampled cases were open, the survey outside its monthly prompt): open
        # them directly, and follow their links too.
        if person.only is None:
            wanted = routes(person.urlconf) - person.not_theirs - set(crawler.result.routes)
            direct = world.direct_paths(council)
            crawler.crawl([direct[name] for name in sorted(wanted) if name in direct], direct=True)
        result = crawler.result
        seconds = time.monotonic() - started
    finally:
        context.close()
    print(f"\n{_report(person, result, seconds)}")
    record_property("crawl", {"pages": len(result.pages), "checks": len(result.checks)})

    failures = result.problems()
    reached = set(result.routes)
    expected = (
        person.only if person.only is not None else routes(person.urlconf) - person.not_theirs
    )
    if expected - reached:
        failures.append(f"never reached {sorted(expected - reached)}")
    if reached - expected:
        failures.append(f"reached what is not theirs: {sorted(reached - expected)}")
    if person.site == "lapsed":
        # Paying is how a lapsed council comes back: the billing portal button stays; so do
        # one's own sign-in security and an admin's unlocking and second-factor resets.
        failures += [
            f"write control on a read-only council's page {url}: {controls}"
            for url, controls in result.post_forms.items()
            if [c for c in controls if not c.startswith(ALWAYS_OPEN_FORMS)]
        ]
    assert not failures, f"{person.key}: {len(failures)} problems:\n" + "\n".join(failures)
