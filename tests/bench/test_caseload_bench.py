"""Case list and search latency: one council with 100,000 cases, nine with 1,000.

Data is bulk-loaded with COPY (cases, constituents, actions, shares), search vectors are
built by the same SQL the services use, then each council is ANALYZEd. Requests go through
Django's test client with the council's Host header and a real API token, so middleware,
authentication, the visibility filter, pagination and serialisation are all in the figure.

Printed: case_list_p95_ms and case_search_p95_ms for the big council (the headline
figures), the same for a small council, and the big/small ratio of each.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from knox.models import AuthToken

from accounts.models import User
from accounts.services import user_create
from caseload.demo_seeder import TOPICS
from caseload.models import Category, Delegation, Ward
from caseload.services.search import _SEARCH_SQL
from console.services import council_provision
from tenants.models import Council
from tests.bench.conftest import bench, p95
from tests.conftest import host_for

BIG = 100_000
SMALL = 1_000
COUNCILS = 10
REQUESTS = 200
WARDS = 5
COUNCILLORS = 10

SURNAMES = [
    "Smith",
    "Brown",
    "Wilson",
    "Campbell",
    "Stewart",
    "Thomson",
    "Robertson",
    "Anderson",
    "Macdonald",
    "Scott",
    "Reid",
    "Murray",
    "Taylor",
    "Clark",
    "Ross",
    "Watson",
    "Morrison",
    "Paterson",
    "Young",
    "Mitchell",
    "Walker",
    "Fraser",
    "Miller",
    "McDonald",
    "Gray",
    "Henderson",
    "Hamilton",
    "Johnston",
    "Duncan",
    "Graham",
    "Ferguson",
    "Kerr",
    "Davidson",
    "Bell",
    "Cameron",
    "Kelly",
    "Martin",
    "Hunter",
    "Allan",
    "Grant",
    "Simpson",
    "Mackenzie",
    "Black",
    "Maclean",
    "Wallace",
]
FIRST = [
    "Agnes",
    "Morag",
    "Jean",
    "Isla",
    "Ewan",
    "Callum",
    "Fraser",
    "Iain",
    "Moira",
    "Kirsty",
    "Hamish",
    "Alan",
    "Fiona",
    "Ruth",
]
STREETS = [
    "Street",
    "Road",
    "Avenue",
    "Crescent",
    "Drive",
    "Place",
    "Terrace",
    "Gardens",
    "Court",
    "Wynd",
    "Brae",
    "Loan",
]
SEARCHES = [
    "pothole",
    "damp mould",
    "missed bin",
    "streetlight",
    "fly tipping",
    "council tax",
    "noise",
    "care package",
    "planning objection",
    "henderson",
    "overgrown trees",
    "repair",
]


def _provision(slug: str) -> Council:
    existing = Council.objects.filter(slug=slug).first()
    return existing or council_provision(slug=slug, name=slug, seats=COUNCILLORS + 2).council


def _load(council: Council, cases: int, rng: random.Random) -> tuple[User, User]:
    """Users, reference data and `cases` cases with constituents, actions and shares."""
    with schema_context(council.schema_name):
        wards = [Ward.objects.create(name=f"Ward {w}") for w in range(WARDS)]
        categories = [Category.objects.get_or_create(name=t.category)[0] for t in TOPICS]
        admin = user_create(email=f"admin@{council.slug}.gov.uk", role="admin")
        councillors = [
            user_create(
                email=f"cllr{i}@{council.slug}.gov.uk",
                role="councillor",
                ward=wards[i % WARDS].name,
            )
            for i in range(COUNCILLORS)
        ]
        staff = user_create(email=f"staff@{council.slug}.gov.uk", role="staff")
        Delegation.objects.create(
            staff=staff, councillor=councillors[0], granted_by=admin, confirmed_at=timezone.now()
        )
        now = timezone.now()
        n_constituents = max(100, cases // 3)
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY caseload_constituent (id, created_at, updated_at, owner_id, created_by_id,"
                " name, address, postcode, postcode_normalised, ward_id, phone,"
                " phone_normalised, email, preferred_contact, consent_to_share, notes)"
                " FROM STDIN"
            ) as copy:
                for k in range(1, n_constituents + 1):
                    owner = councillors[k % COUNCILLORS]
                    name = f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}"
                    copy.write_row(
                        (
                            k,
                            now,
                            now,
                            owner.pk,
                            owner.pk,
                            name,
                            "1 High Street",
                            "KY1 1AA",
                            "KY11AA",
                            wards[k % COUNCILLORS % WARDS].pk,
                            "",
                            "",
                            "",
                            "any",
                            False,
                            "",
                        )
                    )
            year = now.year
            with cursor.copy(
                "COPY caseload_case (id, created_at, updated_at, reference, year, number,"
                " constituent_id, title, description, category_id, ward_id, priority, status,"
                " outcome, owner_id, created_by_id, sharing, opened_at, closed_at) FROM STDIN"
            ) as copy:
                shares = []
                for c in range(1, cases + 1):
                    k = rng.randint(1, n_constituents)
                    owner = councillors[k % COUNCILLORS]
                    topic_index = rng.randrange(len(TOPICS))
                    topic = TOPICS[topic_index]
                    title, description = rng.choice(topic.cases)
                    street = f"{rng.choice(SURNAMES)} {rng.choice(STREETS)}"
                    opened = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
                    updated = opened + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
                    closed = rng.random() < 0.6
                    sharing = rng.choices(["private", "ward", "named"], weights=[70, 20, 10])[0]
                    if sharing == "named":
                        shares.append((c, councillors[(k + 1) % COUNCILLORS].pk))
                    copy.write_row(
                        (
                            c,
                            opened,
                            updated,
                            f"BENCH-{year}-{c:06d}",
                            year,
                            c,
                            k,
                            title.format(street=street),
                            description.format(street=street),
                            categories[topic_index].pk,
                            wards[k % COUNCILLORS % WARDS].pk,
                            rng.choice(["low", "normal", "normal", "high"]),
                            "closed"
                            if closed
                            else rng.choice(["open", "referred", "reply_received"]),
                            "resolved" if closed else "",
                            owner.pk,
                            owner.pk,
                            sharing,
                            opened,
                            updated if closed else None,
                        )
                    )
            with cursor.copy(
                "COPY caseload_caseshare (case_id, user_id, created_at) FROM STDIN"
            ) as copy:
                for case_id, user_id in shares:
                    copy.write_row((case_id, user_id, now))
            with cursor.copy(
                "COPY caseload_action (case_id, kind, text, author_id, occurred_at, data,"
                " created_at) FROM STDIN"
            ) as copy:
                for c in range(1, cases + 1):
                    author = councillors[c % COUNCILLORS].pk
                    copy.write_row((c, "status_change", "Case opened", author, now, "{}", now))
                    copy.write_row(
                        (
                            c,
                            rng.choice(["call", "note", "email_in"]),
                            rng.choice(
                                [
                                    "Rang back, left a message",
                                    "Constituent emailed photos",
                                    "Neighbour also affected",
                                    "Chased the contractor",
                                ]
                            ),
                            author,
                            now,
                            "{}",
                            now,
                        )
                    )
            for table in ("caseload_constituent", "caseload_case"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            cursor.execute(_SEARCH_SQL, [list(range(1, cases + 1))])
            for table in (
                "caseload_case",
                "caseload_action",
                "caseload_constituent",
                "caseload_caseshare",
            ):
                cursor.execute(f"ANALYZE {table}")
        return councillors[0], staff


def _client(council: Council, user: User) -> Client:
    with schema_context(council.schema_name):
        _, token = AuthToken.objects.create(user=user)
    return Client(HTTP_HOST=host_for(council), HTTP_AUTHORIZATION=f"Token {token}")


def _measure(client: Client, paths: list[str]) -> list[float]:
    for path in paths[:10]:  # warm caches and connections
        assert client.get(path).status_code == 200
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    return samples


def _list_paths(client: Client, rng: random.Random) -> list[str]:
    """First pages, filtered pages, and later pages reached by following cursors. The same
    mix for both council sizes (the small council has about six pages for this user)."""
    deep = []
    path = "/api/v1/cases/?page_size=25"
    for _ in range(5):
        nxt = client.get(path).json()["next"]
        if not nxt:
            break
        path = nxt[nxt.index("/api/") :]
        deep.append(path)
    base = [
        "/api/v1/cases/",
        "/api/v1/cases/?status=open",
        "/api/v1/cases/?open=true",
        "/api/v1/cases/?status=closed,referred",
        "/api/v1/cases/?page_size=50",
    ]
    return [rng.choice(base + deep) for _ in range(REQUESTS)]


def _search_paths(rng: random.Random) -> list[str]:
    out = []
    for _ in range(REQUESTS):
        q = rng.choice(SEARCHES).replace(" ", "+")
        extra = rng.choice(["", "", "&status=open", "&open=true"])
        out.append(f"/api/v1/cases/?q={q}{extra}")
    return out


@pytest.fixture(scope="module")
def case_bench_councils(django_db_setup, django_db_blocker):
    """The councils of this module's benchmarks (one of BIG cases, the others SMALL), with
    each council's (councillor, staff). Loaded once, committed."""
    rng = random.Random(20261125)
    with django_db_blocker.unblock():
        started = time.perf_counter()
        councils = [_provision(f"bench-cases-{i}") for i in range(COUNCILS)]
        users = [
            _load(council, BIG if i == 0 else SMALL, rng) for i, council in enumerate(councils)
        ]
        bench("case_bench_load_seconds", time.perf_counter() - started, "s")
        yield councils, users


def test_case_list_and_search_latency(case_bench_councils, committed) -> None:
    rng = random.Random(20261126)
    councils, users = case_bench_councils
    figures = {}
    for label, index in (("big", 0), ("small", 5)):
        client = _client(councils[index], users[index][0])
        figures[label] = (
            p95(_measure(client, _list_paths(client, rng))),
            p95(_measure(client, _search_paths(rng))),
        )
        # A staff member acting for the councillor sees the same cases: same figures.
        staff = _client(councils[index], users[index][1])
        assert staff.get("/api/v1/cases/").json()["results"]

    # Context for reading the figures: other work on this 2-core machine inflates them.
    print(f"load average during the case bench: {os.getloadavg()[0]:.1f}", flush=True)
    big_list, big_search = figures["big"]
    small_list, small_search = figures["small"]
    bench("case_list_p95_ms", big_list, "ms")
    bench("case_search_p95_ms", big_search, "ms")
    bench("case_list_small_council_p95_ms", small_list, "ms")
    bench("case_search_small_council_p95_ms", small_search, "ms")
    bench("case_list_big_to_small_ratio", big_list / small_list, "x")
    bench("case_search_big_to_small_ratio", big_search / small_search, "x")
    assert big_list < 50
    assert big_search < 100


# -- Over HTTP, against gunicorn as `make run` serves ---------------------------------------
HTTP_CLIENTS = 16
HTTP_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))


def _http_phase(port: int, host: str, token: str | None, paths: list[str], kind: str):
    """HTTP_CLIENTS keep-alive clients, each cycling through `paths`, for HTTP_SECONDS."""
    from tests.http_load import Request, drive

    def script(offset: int):
        i = offset
        while True:
            yield Request(kind, "GET", paths[i % len(paths)], host, token)
            i += 1

    return drive(
        port=port,
        scripts=[script(n * 7) for n in range(HTTP_CLIENTS)],
        seconds=HTTP_SECONDS,
    )


def test_http_case_list_and_search_throughput(case_bench_councils, committed, tmp_path) -> None:
    """Case list and search on the 100,000-case council, 16 concurrent keep-alive clients,
    against gunicorn with the container's config and make run's sizing; and, in the same
    server and run, the floor: /_bench/floor (one indexed primary-key lookup, no tenancy,
    authentication or serializer). Every response must be a 2xx."""
    from core.pgclient import database_url
    from tests.server_stack import ServerStack

    rng = random.Random(20261127)
    councils, users = case_bench_councils
    big, (councillor, _staff) = councils[0], users[0]
    with schema_context(big.schema_name):
        _, token = AuthToken.objects.create(user=councillor)
    client = _client(big, councillor)
    list_paths = sorted(set(_list_paths(client, rng)))
    search_paths = sorted(set(_search_paths(rng)))
    host = host_for(big)
    url = database_url(connection.settings_dict)
    with ServerStack(
        database_url=url,
        workdir=tmp_path / "stack",
        env={"HTTP_FLOOR_ENDPOINT": "1"},
        processes=("web",),
    ) as stack:
        # Warm every worker's connections and caches.
        _http_phase(stack.port, host, token, list_paths + search_paths, "warm")
        runs = {
            "floor": _http_phase(stack.port, "localhost", None, ["/_bench/floor"], "floor"),
            "list": _http_phase(stack.port, host, token, list_paths, "list"),
            "search": _http_phase(stack.port, host, token, search_paths, "search"),
        }
        sizing = stack.sizing.describe()

    print(
        f"load average during the HTTP bench: {os.getloadavg()[0]:.1f}; server: {sizing}",
        flush=True,
    )
    rps = {name: run.responses / run.seconds for name, run in runs.items()}
    for name, run in runs.items():
        # How much of the machine the load generator itself used (2 cores in all).
        print(
            f"{name}: {run.responses} responses in {run.seconds:.1f} s, client CPU "
            f"{run.client_cpu_seconds / run.seconds * 100:.0f}% of one core",
            flush=True,
        )
    bench("http_case_list_rps", rps["list"], "req/s")
    bench("http_case_list_p95_ms", p95(runs["list"].by_kind["list"]) * 1000, "ms")
    bench("http_case_search_rps", rps["search"], "req/s")
    bench("http_case_search_p95_ms", p95(runs["search"].by_kind["search"]) * 1000, "ms")
    bench("http_floor_rps", rps["floor"], "req/s")
    bench("http_case_list_floor_ratio", rps["list"] / rps["floor"], "x")
    errors = sum(run.count(lambda s: not 200 <= s < 300) + len(run.errors) for run in runs.values())
    bench("http_errors", errors, "responses")
    assert errors == 0
