"""Central body console: refreshing the comparison figures of 100 councils with demo-sized
casework, and serving the comparison page for those 100 councils."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import LoginEvent, User
from accounts.services import user_create
from console.services import council_figures_refresh
from feedback.models import SurveyResponse
from reminders.models import BF
from tests.bench.conftest import bench, p95
from tests.conftest import force_sign_in

COUNCILS = 100
PAGE_SAMPLES = 40
# Demo-sized, like `seed_demo`'s councils: 10 councillors, 160 constituents, 250 cases with
# their history over six months, referrals and BFs; plus sign-ins and survey answers.
COUNCILLORS = 10
CONSTITUENTS = 160
CASES = 250
CATEGORIES = [
    "Roads and pavements",
    "Housing repairs",
    "Waste and recycling",
    "Planning",
    "Parks",
    "Social work",
    "Council tax",
    "Antisocial behaviour",
    "Street lighting",
    "General enquiries",
]


def _seed(slug: str, index: int, hashed: str) -> None:
    from caseload.models import Action, Case, Category, Constituent, Officer, Referral, Ward
    from console.services import council_provision

    council = council_provision(slug=slug, name=f"Bench Council {index}", seats=12).council
    rng = random.Random(f"bench-{slug}")
    now = timezone.now()
    with schema_context(council.schema_name), transaction.atomic():
        people = [
            User(
                email=f"cllr{n}@{slug}.example.gov.uk",
                name=f"Councillor {n}",
                role="councillor",
                ward=f"Ward {n % 6}",
                password=hashed,
                created_at=now - timedelta(days=200),
            )
            for n in range(COUNCILLORS)
        ] + [
            User(email=f"staff@{slug}.example.gov.uk", name="Staff", role="staff", password=hashed)
        ]
        User.objects.bulk_create(people)
        councillors = list(User.objects.filter(role="councillor"))
        User.objects.filter(role="councillor").update(created_at=now - timedelta(days=200))
        staff = User.objects.get(role="staff")
        wards = Ward.objects.bulk_create(
            Ward(name=f"Ward {n}", code=f"S1300{index:02d}{n:02d}") for n in range(6)
        )
        categories = [Category.objects.get_or_create(name=n)[0] for n in CATEGORIES]
        officer = Officer.objects.create(name="Duty Officer", email=f"duty@{slug}.gov.uk")
        constituents = Constituent.objects.bulk_create(
            Constituent(
                owner=rng.choice(councillors),
                created_by=staff,
                name=f"Person {n}",
                ward=rng.choice(wards),
            )
            for n in range(CONSTITUENTS)
        )
        cases = []
        for n in range(CASES):
            opened = now - timedelta(days=rng.uniform(0, 180))
            closed = opened + timedelta(days=rng.uniform(0, 60))
            done = rng.random() < 0.7 and closed < now
            cases.append(
                Case(
                    reference=f"B{index}-{n:05d}",
                    year=2026,
                    number=n + 1,
                    constituent=rng.choice(constituents),
                    title=f"Case {n}",
                    category=rng.choice(categories),
                    ward=rng.choice(wards),
                    owner=rng.choice(councillors),
                    created_by=staff,
                    opened_at=opened,
                    status="closed" if done else "open",
                    outcome="resolved" if done else "",
                    closed_at=closed if done else None,
                )
            )
        cases = Case.objects.bulk_create(cases)
        actions, referrals = [], []
        for case in cases:
            actions.append(
                Action(
                    case=case,
                    kind="status_change",
                    author=staff,
                    occurred_at=case.opened_at,
                    text="Case opened",
                )
            )
            end = case.closed_at or now
            for _ in range(rng.randint(1, 5)):
                actions.append(
                    Action(
                        case=case,
                        kind=rng.choice(["note", "call", "email_out", "letter"]),
                        author=case.owner,
                        occurred_at=case.opened_at + (end - case.opened_at) * rng.random(),
                        time_spent_minutes=rng.choice([None, 10, 15, 30, 45]),
                        text="Bench action",
                    )
                )
            if case.closed_at:
                actions.append(
                    Action(
                        case=case,
                        kind="status_change",
                        author=case.owner,
                        occurred_at=case.closed_at,
                        text="Closed",
                        time_spent_minutes=rng.choice([None, 5, 10]),
                    )
                )
            if rng.random() < 0.35:
                sent = case.opened_at + timedelta(days=1)
                target = (sent + timedelta(days=14)).date()
                replied = sent + timedelta(days=rng.uniform(2, 25)) if rng.random() < 0.75 else None
                if replied and replied > now:
                    replied = None
                referrals.append(
                    Referral(
                        case=case,
                        officer=officer,
                        created_by=case.owner,
                        sent_at=sent,
                        working_days=10,
                        target_date=target,
                        original_target_date=target,
                        replied_at=replied,
                        target_met=None if replied is None else replied.date() <= target,
                    )
                )
        Action.objects.bulk_create(actions, batch_size=2000)
        Referral.objects.bulk_create(referrals)
        bfs = []
        for case in cases:
            if rng.random() < 0.6:
                due = (case.opened_at + timedelta(days=rng.randint(3, 40))).date()
                done = rng.random() < 0.6
                bfs.append(
                    BF(
                        case=case,
                        due_date=due,
                        reason="Chase",
                        owner=case.owner,
                        done=done,
                        done_at=now - timedelta(days=rng.uniform(0, 90)) if done else None,
                    )
                )
        BF.objects.bulk_create(bfs)
        LoginEvent.objects.bulk_create(
            LoginEvent(user=c, at=now - timedelta(days=rng.uniform(0, 180)))
            for c in councillors
            for _ in range(rng.randint(20, 60))
        )
        months = sorted({(now - timedelta(days=30 * m)).date().replace(day=1) for m in range(6)})
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                user=c,
                month=month,
                quicker=rng.randint(2, 5),
                engagement=rng.randint(2, 5),
                easy=rng.randint(2, 5),
            )
            for c in councillors
            for month in months
            if rng.random() < 0.7
        )


def test_comparison_refresh_and_page(committed) -> None:
    hashed = make_password("bench-password-1")
    slugs = [f"cmp-{i}" for i in range(COUNCILS)]
    started = time.perf_counter()
    for index, slug in enumerate(slugs):
        _seed(slug, index, hashed)
    seeded = time.perf_counter() - started
    print(f"seeded {COUNCILS} councils in {seeded:.1f} s", flush=True)
    from caseload.models import Action, Case

    with schema_context("cmp_0"):
        print(
            f"per council: {Case.objects.count()} cases, {Action.objects.count()} actions",
            flush=True,
        )

    started = time.perf_counter()
    months = sum(council_figures_refresh(schema_name=slug.replace("-", "_")) for slug in slugs)
    refresh = time.perf_counter() - started
    assert months >= COUNCILS
    bench("comparison_refresh_seconds", refresh, "s")

    with schema_context("public"):
        central = user_create(email="bench-central@localhost", role="central", name="Bench")
    client = Client(HTTP_HOST="localhost")
    force_sign_in(client, None, central)  # with the second factor central staff must give
    url = "/comparison/?councils=" + ",".join(slugs)
    for _ in range(3):  # warm-up: templates compiled, connections open
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(PAGE_SAMPLES):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    assert response.content.count(b"Bench Council") >= COUNCILS
    bench("comparison_page_p95_ms", p95(samples), "ms")
    print(f"comparison page median {statistics.median(samples):.1f} ms", flush=True)
    # The first view after a refresh adds up the figures afresh (nothing remembered yet).
    from console.models import CouncilMonthlyFigures

    cold = []
    for i in range(5):
        CouncilMonthlyFigures.objects.filter(pk=CouncilMonthlyFigures.objects.first().pk).update(
            computed_at=timezone.now() + timedelta(seconds=i + 1)
        )
        t0 = time.perf_counter()
        assert client.get(url).status_code == 200
        cold.append((time.perf_counter() - t0) * 1000)
    bench("comparison_page_after_refresh_ms", statistics.median(cold), "ms")
    assert refresh < 60
    assert p95(samples) < 200
