"""Four councils with marked casework, driven over HTTP through the stack `make run`
starts: the world of the load test (tests/localdev/test_load.py) and of the transaction-
pooling test (tests/core/test_transaction_pooling.py).

Every case and action carries its council's marker word, so a response that carries
another council's marker is a leak; every write is checked afterwards to be in its own
council and nowhere else."""

from __future__ import annotations

import random
import secrets
import statistics
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context
from knox.models import AuthToken

from caseload.models import Action, Case
from console.services import council_provision
from tenants.cloning import spare_pool_refill
from tenants.models import Council
from tests.caseload.conftest import make_case
from tests.factories import UserFactory
from tests.http_load import Request, Response, Run, Script, drive
from tests.server_stack import ServerStack

SLUGS = ("load-north", "load-south", "load-east", "load-west")
CASES_PER_COUNCIL = 40
SEARCH_WORDS = ("pothole", "streetlight", "housing", "bins")


@dataclass
class LoadCouncil:
    slug: str
    schema: str
    host: str
    marker: str
    case_ids: list[int]
    constituent_ids: list[int]
    tokens: list[str] = field(default_factory=list)
    created_titles: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


def _remove(councils: list[Council]) -> None:
    for council in councils:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{council.schema_name}" CASCADE')
        Council.objects.filter(pk=council.pk).delete()


@contextmanager
def load_councils_committed(*, clients: int) -> Iterator[list[LoadCouncil]]:
    """Four councils with a councillor, marked cases and one API token per client, committed
    (the caller unblocks the database outside any test transaction), so that server
    processes see them; removed afterwards whatever happens."""
    assert connection.settings_dict["NAME"].startswith("test_"), "only the test database"
    made: list[Council] = []
    fast_hasher = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with fast_hasher, ExitStack() as cleanup:
        # Registered first, so it runs last: the spare schemas this took are replaced.
        cleanup.callback(spare_pool_refill)
        cleanup.callback(_remove, made)
        out = []
        for n, slug in enumerate(SLUGS):
            council = council_provision(slug=slug, name=f"Load {slug}", actor="tests").council
            made.append(council)
            marker = f"mrk{n}{secrets.token_hex(3)}"
            with schema_context(council.schema_name):
                user = UserFactory(role="councillor", email=f"councillor@{slug}.gov.uk")
                cases = [
                    make_case(
                        user,
                        title=f"{marker} {random.choice(SEARCH_WORDS)} case {i}",
                        description=f"Raised with {marker}",
                    )
                    for i in range(CASES_PER_COUNCIL)
                ]
                per_council = -(-clients // len(SLUGS))
                tokens = [AuthToken.objects.create(user)[1] for _ in range(per_council)]
            out.append(
                LoadCouncil(
                    slug=slug,
                    schema=council.schema_name,
                    host=f"{slug}.{django_settings.PLATFORM_DOMAIN}",
                    marker=marker,
                    case_ids=[c.pk for c in cases],
                    constituent_ids=[c.constituent_id for c in cases],
                    tokens=tokens,
                )
            )
        yield out


def _script(council: LoadCouncil, token: str, client: int, rng: random.Random) -> Script:
    """One client's traffic: 35% lists, 20% searches, 25% reads, 10% new cases, 10% new
    actions (on its own new cases, or the seeded ones)."""
    mine: list[int] = []
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.35:
            request = Request("list", "GET", "/api/v1/cases/", council.host, token)
        elif roll < 0.55:
            word = rng.choice((*SEARCH_WORDS, council.marker))
            request = Request("search", "GET", f"/api/v1/cases/?q={word}", council.host, token)
        elif roll < 0.80:
            case_id = rng.choice(mine or council.case_ids)
            request = Request("read", "GET", f"/api/v1/cases/{case_id}/", council.host, token)
        elif roll < 0.90:
            title = f"{council.marker} new {client}-{n}"
            request = Request(
                "create",
                "POST",
                "/api/v1/cases/",
                council.host,
                token,
                {"constituent": rng.choice(council.constituent_ids), "title": title},
            )
        else:
            case_id = rng.choice(mine or council.case_ids)
            text = f"{council.marker} note {client}-{n}"
            request = Request(
                "action",
                "POST",
                f"/api/v1/cases/{case_id}/actions/",
                council.host,
                token,
                {"kind": "note", "text": text},
            )
        response: Response = yield request
        if request.kind == "create" and response.status == 201:
            created = response.json()["id"]
            mine.append(created)
            council.created_ids.append(created)
            council.created_titles.append(request.json_body["title"])
        elif request.kind == "action" and response.status == 201:
            council.notes.append((case_id, request.json_body["text"]))


def _bounded(script: Script, client: int, clients: int, requests: int) -> Script:
    """Stop each client after its share of `requests` (the last response still reaches the
    script, which records what it wrote)."""
    share = requests // clients + (1 if client < requests % clients else 0)
    request = next(script)
    for sent in range(1, share + 1):
        response = yield request
        request = script.send(response)
        if sent == share:
            return


@dataclass
class LoadResult:
    run: Run
    leaks: list[str]
    unexpected: list[str]
    log_tail: str
    sizing: str

    def summary(self, clients: int) -> str:
        latencies = [s for samples in self.run.by_kind.values() for s in samples]
        run = self.run
        return (
            f"requests={run.responses} clients={clients} seconds={run.seconds:.1f} "
            f"rps={run.responses / run.seconds:.0f} "
            f"p50_ms={statistics.median(latencies) * 1000:.0f} "
            f"p95_ms={statistics.quantiles(latencies, n=20)[18] * 1000:.0f} "
            f"5xx={run.count(lambda s: s >= 500)} leaks={len(self.leaks)} "
            f"by_kind={ {k: len(v) for k, v in run.by_kind.items()} } sizing=({self.sizing})"
        )


def drive_load(
    councils: list[LoadCouncil],
    *,
    clients: int,
    requests: int,
    database_url: str,
    workdir: Path,
    env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Start the stack on `database_url`, drive `clients` keep-alive clients (spread over
    the councils) for `requests` requests, and record every leak and unexpected status."""
    markers = {c.host: c.marker.encode() for c in councils}
    others = {host: [m for h, m in markers.items() if h != host] for host in markers}
    leaks: list[str] = []
    unexpected: list[str] = []

    def check(request: Request, response: Response) -> None:
        expected = 201 if request.method == "POST" else 200
        if response.status != expected:
            unexpected.append(f"{request.kind} {request.path} -> {response.status}")
        for marker in others[request.host]:
            if marker in response.body:
                leaks.append(f"{request.kind} {request.path} on {request.host}")

    rng = random.Random(20261205)
    scripts = []
    for i in range(clients):
        council = councils[i % len(councils)]
        token = council.tokens[i // len(councils)]
        script = _script(council, token, i, random.Random(rng.random()))
        scripts.append(_bounded(script, i, clients, requests))
    with ServerStack(database_url=database_url, workdir=workdir, env=env) as stack:
        run = drive(port=stack.port, scripts=scripts, seconds=240, on_response=check)
        log_tail = stack.log_tail()
    return LoadResult(run, leaks, unexpected, log_tail, stack.sizing.describe())


def assert_every_write_in_its_own_council(councils: list[LoadCouncil]) -> None:
    for council in councils:
        with schema_context(council.schema):
            titles = set(
                Case.objects.filter(pk__in=council.created_ids).values_list("title", flat=True)
            )
            assert titles == set(council.created_titles)
            assert len(titles) == len(council.created_ids)
            saved = set(
                Action.objects.filter(kind="note", text__startswith=council.marker).values_list(
                    "case_id", "text"
                )
            )
            assert set(council.notes) <= saved
            assert len(saved) == len(council.notes)
            for other in councils:
                if other is not council:
                    assert not Case.objects.filter(title__startswith=other.marker).exists()
