"""A thousand councils on one PostgreSQL: the walls schema-per-tenant hits, measured.

Councils are small but real: provisioned by console.services.council_provision (schema
from the template, domain, trial licence, invited admin), with the spare pool refilled
after each one as the refill task would, then a councillor and three cases through the
casework services. Printed (the lines of issue 18):

- scale_councils, scale_provision_all_seconds, provision_council_at_scale_seconds;
- migrate_noop_at_scale_seconds (a real migrate_schemas subprocess over all of them) and
  migrate_add_column_seconds_per_council (tests/migration_probe: a nullable column and an
  index on every council's cases table, each council in one transaction, 2 processes);
- catalog_relations_per_council (tables, indexes, sequences, TOAST tables and indexes);
- backend_cache_mb_all_councils: CacheMemoryContext and its children
  (pg_backend_memory_contexts) of one connection that has served a case list in every
  council; backend_cache_mb_policy: the most a connection holds under the shipped recycling
  policy (DATABASE_RECYCLE_AFTER_COUNCILS), measured when it has served that many councils;
- pg_dump_one_council_at_scale_seconds (the server's own major version of pg_dump);
- case_list_p95_ms_at_scale and case_list_scale_ratio: the same council's case list, timed
  at the start of this module (with the councils that exist then: 10 when run alone) and
  with all of them.

BENCH_SCALE_COUNCILS (default 1000) sets the number of councils.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, connections
from django.test import Client, override_settings
from django_tenants.utils import schema_context
from knox.models import AuthToken

from accounts.services import user_create
from caseload.services import case_open, constituent_create
from console.services import council_provision
from core.pgclient import client_program, conninfo, database_url, libpq_env
from tenants.cloning import spare_pool_refill
from tenants.models import Council
from tests.bench.conftest import bench, p95
from tests.conftest import host_for
from tests.migration_probe.world import migrate_with_probe, probe_remove, probe_state

SCALE = int(os.environ.get("BENCH_SCALE_COUNCILS", "1000"))
BASELINE_COUNCILS = 10
CASES = 3
REQUESTS = 200
WORKERS = 2
PREFIX = "scale"
ROOT = Path(__file__).resolve().parents[2]
TOPICS = ("Pothole on {}", "Missed bin collection at {}", "Streetlight out on {}")
STREETS = ("Main Street", "Station Road", "Kirk Wynd", "Harbour Brae", "Mill Lane")


def _seed(council: Council, n: int) -> str:
    """A councillor, two constituents and CASES cases through the services; returns an API
    token of the councillor's."""
    with schema_context(council.schema_name):
        councillor = user_create(email=f"cllr@{council.slug}.gov.uk", role="councillor")
        people = [
            constituent_create(
                actor=councillor,
                name=f"Resident {n}-{k}",
                address=f"{k + 1} {STREETS[(n + k) % len(STREETS)]}",
                postcode="KY1 1AA",
                allow_duplicate=True,
            )
            for k in range(2)
        ]
        for c in range(CASES):
            case_open(
                actor=councillor,
                constituent=people[c % 2],
                title=TOPICS[c % len(TOPICS)].format(STREETS[(n + c) % len(STREETS)]),
                description="Reported at a surgery.",
            )
        return AuthToken.objects.create(user=councillor)[1]


def _provision(n: int) -> tuple[Council, float]:
    slug = f"{PREFIX}-{n}"
    started = time.perf_counter()
    council = council_provision(slug=slug, name=f"Scale {n}").council
    # What the refill task does after a spare is taken (not run by a worker here).
    spare_pool_refill()
    return council, time.perf_counter() - started


def _provision_and_seed(n: int) -> tuple[int, str, float, float]:
    """One worker's job: a council provisioned (spare refill included) and seeded."""
    council, provision_seconds = _provision(n)
    started = time.perf_counter()
    token = _seed(council, n)
    if n % 200 == 0:
        print(f"scale bench: council {n} made, {_load()}", flush=True)
    return council.pk, token, provision_seconds, time.perf_counter() - started


def _client(council: Council, token: str) -> Client:
    return Client(HTTP_HOST=host_for(council), HTTP_AUTHORIZATION=f"Token {token}")


def _list_p95(council: Council, token: str) -> float:
    """p95 of REQUESTS case lists (first pages and filters) on a fresh connection."""
    connection.close()
    client = _client(council, token)
    rng = random.Random(18)
    paths = [
        rng.choice(["/api/v1/cases/", "/api/v1/cases/?status=open", "/api/v1/cases/?open=true"])
        for _ in range(REQUESTS)
    ]
    for path in paths[:10]:
        assert client.get(path).status_code == 200
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        assert len(response.json()["results"]) == CASES
    connection.set_schema_to_public()
    return p95(samples)


def cache_memory_bytes() -> int:
    """CacheMemoryContext and every context below it, for this connection's backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        version = cursor.fetchone()[0]
        if version >= 180000:
            # PostgreSQL 18 lists each context's ancestry (`path`, ids valid in one scan).
            cursor.execute(
                "WITH c AS MATERIALIZED (SELECT * FROM pg_backend_memory_contexts),"
                " root AS (SELECT path[array_length(path, 1)] AS id,"
                "          array_length(path, 1) AS depth"
                "          FROM c WHERE name = 'CacheMemoryContext')"
                " SELECT coalesce(sum(c.total_bytes), 0)::bigint FROM c, root"
                " WHERE c.path[root.depth] = root.id"
            )
            return int(cursor.fetchone()[0])
        # 14-17: rows come depth-first (a context, then its descendants), with their level.
        cursor.execute("SELECT name, level, total_bytes FROM pg_backend_memory_contexts")
        rows = cursor.fetchall()
    total = 0
    inside: int | None = None
    for name, level, size in rows:
        if inside is not None and level <= inside:
            break
        if inside is None and name == "CacheMemoryContext":
            inside = level
        if inside is not None:
            total += int(size)
    return total


def _walk(councils: list[tuple[Council, str]], *, measure_at: int | None = None) -> list[int]:
    """A case list in every council, one after another, on this process's connection.

    With `measure_at`, the cache is measured each time the connection has served that many
    councils (just before the policy would replace it) and at the end."""
    samples = []
    for council, token in councils:
        response = _client(council, token).get("/api/v1/cases/")
        assert response.status_code == 200
        if measure_at and len(connection.councils_served) == measure_at:
            samples.append(cache_memory_bytes())
    samples.append(cache_memory_bytes())
    connection.set_schema_to_public()
    return samples


def _relations(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, n.nspname = 'pg_toast', count(*)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s OR c.oid IN ("
            "   SELECT t.reltoastrelid FROM pg_class t JOIN pg_namespace tn"
            "   ON tn.oid = t.relnamespace WHERE tn.nspname = %s AND t.reltoastrelid <> 0"
            "   UNION SELECT i.indexrelid FROM pg_index i WHERE i.indrelid IN ("
            "     SELECT t.reltoastrelid FROM pg_class t JOIN pg_namespace tn"
            "     ON tn.oid = t.relnamespace WHERE tn.nspname = %s AND t.reltoastrelid <> 0))"
            " GROUP BY 1, 2",
            [schema, schema, schema],
        )
        names = {
            ("r", False): "tables",
            ("i", False): "indexes",
            ("S", False): "sequences",
            ("t", True): "toast_tables",
            ("i", True): "toast_indexes",
        }
        return {names.get((kind, toast), f"{kind}"): int(n) for kind, toast, n in cursor.fetchall()}


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def test_a_thousand_councils(committed, tmp_path) -> None:
    started_module = time.perf_counter()
    print(f"scale bench: start, {_load()}", flush=True)

    # -- baseline: the case list with the councils that exist now ---------------------------
    made: list[tuple[Council, str]] = []
    for n in range(BASELINE_COUNCILS):
        council, _seconds = _provision(n)
        made.append((council, _seed(council, n)))
    baseline_councils = Council.objects.count()
    baseline = _list_p95(*made[0])
    print(
        f"scale bench: baseline case list p95 {baseline:.1f} ms with {baseline_councils} "
        f"councils, {_load()}",
        flush=True,
    )

    # -- provisioning up to SCALE councils ----------------------------------------------------
    # WORKERS processes, as the Celery worker's concurrency on this machine: each provisions a
    # council (a spare taken) and refills the pool, as a signup request and the refill task
    # do; the wall time of all of it is the figure.
    target = max(SCALE - Council.objects.count(), 0) + BASELINE_COUNCILS
    numbers = list(range(BASELINE_COUNCILS, target))
    connections.close_all()  # the worker processes open their own
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(_provision_and_seed, numbers, chunksize=10)
    provision_wall = time.perf_counter() - started
    councils = Council.objects.in_bulk([council_id for council_id, *_rest in results])
    made += [(councils[council_id], token) for council_id, token, _p, _s in results]
    councils_total = Council.objects.count()
    bench("scale_councils", councils_total, "councils")
    bench("scale_provision_all_seconds", provision_wall, "s")
    print(
        f"scale bench: {len(numbers)} councils provisioned and seeded in {provision_wall:.1f} s "
        f"by {WORKERS} processes (provisioning with spare refills "
        f"{sum(r[2] for r in results):.1f} s of process time, seeding "
        f"{sum(r[3] for r in results):.1f} s), {_load()}",
        flush=True,
    )
    assert councils_total >= SCALE

    at_scale = []
    for i in range(10):
        spare_pool_refill()  # warm, as production keeps it
        started = time.perf_counter()
        council_provision(slug=f"{PREFIX}-more-{i}", name=f"Scale more {i}")
        at_scale.append(time.perf_counter() - started)
    bench("provision_council_at_scale_seconds", statistics.median(at_scale), "s")
    spare_pool_refill()

    # -- the catalog --------------------------------------------------------------------------
    schema = made[0][0].schema_name
    relations = _relations(schema)
    bench("catalog_relations_per_council", sum(relations.values()), "relations")
    print(f"scale bench: relations in one council schema: {relations}", flush=True)

    # -- catalog cache of one connection: every council, then under the policy -----------------
    connection.close()
    with override_settings(DATABASE_RECYCLE_AFTER_COUNCILS=0):
        started = time.perf_counter()
        everything = _walk(made)
        walk_seconds = time.perf_counter() - started
    bench("backend_cache_mb_all_councils", everything[-1] / 2**20, "MB")
    print(
        f"scale bench: one connection served a case list in each of {len(made)} councils in "
        f"{walk_seconds:.1f} s",
        flush=True,
    )
    connection.close()
    limit = int(settings.DATABASE_RECYCLE_AFTER_COUNCILS)
    recycled_before = connection.recycled
    policy = _walk(made, measure_at=limit)
    bench("backend_cache_mb_policy", max(policy) / 2**20, "MB")
    print(
        f"scale bench: policy DATABASE_RECYCLE_AFTER_COUNCILS={limit}: "
        f"{connection.recycled - recycled_before} connections replaced over {len(made)} "
        f"councils; cache at each replacement: "
        f"{', '.join(f'{b / 2**20:.1f}' for b in policy)} MB",
        flush=True,
    )
    connection.close()

    # -- pg_dump of one council ------------------------------------------------------------------
    url = database_url(connection.settings_dict)
    dump = tmp_path / f"{schema}.dump"
    dump_seconds, where = _pg_dump_timed(url, schema, dump)
    bench("pg_dump_one_council_at_scale_seconds", dump_seconds, "s")
    assert dump.stat().st_size > 0
    print(f"scale bench: where pg_dump's time goes: {where}", flush=True)
    # pg_dump's query for materialized views' refresh order (buildMatViewRefreshDependencies)
    # is planned as a nested loop over all of pg_depend for each view rule (the planner
    # expects one), which grows with every council's relations; without nested loops in
    # pg_dump's session it is a hash join (deploy/README.md, "Back up one council").
    tuned_seconds, where = _pg_dump_timed(url, schema, dump, options=PG_DUMP_OPTIONS)
    bench("pg_dump_one_council_at_scale_no_nestloop_seconds", tuned_seconds, "s")
    print(f"scale bench: pg_dump with {PG_DUMP_OPTIONS}: {where}", flush=True)

    # -- the case list at scale ------------------------------------------------------------------
    at_scale_p95 = _list_p95(*made[0])
    bench("case_list_p95_ms_at_scale", at_scale_p95, "ms")
    bench("case_list_scale_ratio", at_scale_p95 / baseline, "x")
    print(
        f"scale bench: case list baseline with {baseline_councils} councils, at scale with "
        f"{councils_total}; {_load()}",
        flush=True,
    )

    # -- migrations ------------------------------------------------------------------------------
    connection.close()
    noop = _migrate_noop()
    bench("migrate_noop_at_scale_seconds", noop, "s")
    result = migrate_with_probe()
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    migrated = int(re.search(r"(\d+) migrated, 0 failed", result.stdout).group(1))
    phase = float(re.search(r"councils migrated in ([\d.]+)s", result.stdout).group(1))
    assert migrated >= councils_total
    bench("migrate_add_column_seconds_per_council", phase / migrated, "s")
    print(
        f"scale bench: add-column migration: {migrated} councils in {phase:.1f} s "
        f"({settings.TENANT_MULTIPROCESSING_MAX_PROCESSES} processes), {_load()}",
        flush=True,
    )
    assert probe_state(schema).migrated
    probe_remove()
    print(
        f"scale bench: module took {time.perf_counter() - started_module:.0f} s, {_load()}",
        flush=True,
    )


# pg_dump's statements that take over a second leave their plan (estimates only: no
# per-row instrumentation, so the timing is not disturbed) in the server's log.
EXPLAIN_SLOW = (
    "-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=1000"
    " -c auto_explain.log_format=text"
)


PG_DUMP_OPTIONS = "-c enable_nestloop=off"


def _pg_dump_timed(url: str, schema: str, dump: Path, options: str = "") -> tuple[float, str]:
    """Dump one council (custom format) and time it; with --verbose, the slowest steps (each
    step's time runs from its message to the next) say which catalog reads grow with the
    number of councils."""
    command = [
        client_program("pg_dump", url=url),
        "--verbose",
        "--schema",
        schema,
        "--format=custom",
        "--file",
        str(dump),
    ]
    started = time.perf_counter()
    steps: list[tuple[str, float]] = []
    slowest_sql: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        # pg_dump's own statements, seen from another session: which query a slow step runs.
        with psycopg.connect(conninfo(url), autocommit=True) as watcher:
            while not done.wait(0.2):
                for query, seconds in watcher.execute(
                    "SELECT query, extract(epoch FROM clock_timestamp() - query_start)"
                    " FROM pg_stat_activity WHERE application_name = 'pg_dump'"
                    " AND state = 'active'"
                ):
                    key = " ".join(query.split())[:160]
                    slowest_sql[key] = max(slowest_sql.get(key, 0.0), float(seconds))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with subprocess.Popen(
        command,
        env={**libpq_env(url), "PGOPTIONS": f"{EXPLAIN_SLOW} {options}"},
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        last, label = time.perf_counter(), "connecting"
        for line in process.stderr:
            now = time.perf_counter()
            steps.append((label, now - last))
            last, label = now, line.strip().removeprefix("pg_dump: ")
        steps.append((label, time.perf_counter() - last))
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    assert process.returncode == 0, steps[-3:]
    total = sum(seconds for _label, seconds in steps)
    slowest = sorted(steps, key=lambda step: step[1], reverse=True)[:6]
    queries = sorted(slowest_sql.items(), key=lambda item: item[1], reverse=True)[:3]
    return elapsed, (
        f"{total:.1f} s in all; "
        + "; ".join(f"{label} {s:.2f} s" for label, s in slowest)
        + "; its slowest statements: "
        + "; ".join(f"[{s:.1f} s] {query}" for query, s in queries)
    )


def _migrate_noop() -> float:
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    command = [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--noinput"]
    subprocess.run(command, env=env, check=True, capture_output=True)  # warm
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started
