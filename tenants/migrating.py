"""Migrating many council schemas: in parallel, each council in one transaction, resumable.

Why not django-tenants' executors? They run Django's `migrate` once per schema, and Django
commits each migration on its own: a process killed between two migrations of a council
leaves that council half-migrated (say, a column added but the index of the next migration
missing), and the multiprocessing executor stops at the first council that fails.

Here each council is migrated by one worker in **one transaction** (PostgreSQL DDL is
transactional; each migration is a savepoint inside it), so whatever kills the run (a
SIGKILL, a lost node, a lock timeout) every council is either fully migrated or untouched,
and a rerun (`migrate_schemas` reads what each council lacks) finishes the rest. A council
that fails is rolled back and reported; the others carry on, and the run ends nonzero
listing the failures. Concurrent runs are safe: each council's transaction first takes an
advisory lock on the council and looks again at what is applied.

While a run is going, councils not yet migrated keep serving with the release that is
running: migrations must be additive (expand now, contract in a later release) so that the
previous code works on both the old and the new schema (deploy/README.md, "Migrations").

Speed: a worker keeps one migration loader, and for councils that lack the same migrations
(the usual case: every council was cloned from the same template) computes the project
state before the plan once and clones it per council, instead of replaying the state of
every applied migration for each council. The `post_migrate` signal (content types and
permissions) only runs when the plan holds an operation that can add, rename or remove a
model or its permissions.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, transaction
from django.db.migrations import operations as ops
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from core.tenancy import tenant_connection
from tenants.cloning import expected_migrations

# Operations after which post_migrate (content types, permissions) has nothing to do.
_NO_MODEL_CHANGES = (
    ops.AddField,
    ops.RemoveField,
    ops.AlterField,
    ops.RenameField,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AddConstraint,
    ops.RemoveConstraint,
    ops.AlterUniqueTogether,
    ops.AlterIndexTogether,
    ops.AlterOrderWithRespectTo,
    ops.RunSQL,
)


@dataclass(frozen=True)
class CouncilOutcome:
    schema: str
    ok: bool
    applied: int = 0  # migrations applied by this run (0: already done by another run)
    seconds: float = 0.0
    error: str = ""


@dataclass
class MigrationReport:
    total: int
    outcomes: list[CouncilOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[CouncilOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def done(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def remaining(self) -> int:
        return self.total - len(self.outcomes)

    def progress_line(self) -> str:
        """One line a release tool can parse (deploy/release.py reads it from the Job log)."""
        return (
            f"migrate_schemas progress: {self.done} done, {self.remaining} remaining, "
            f"{len(self.failures)} failed"
        )


def migrate_processes() -> int:
    return max(1, int(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)))


def lock_timeout_seconds() -> float:
    return float(getattr(settings, "TENANT_MIGRATE_LOCK_TIMEOUT_SECONDS", 10.0))


class _CouncilRecorder(MigrationRecorder):
    """Django's recorder, asking "is there a django_migrations table here?" in O(1).

    Django answers it by listing every table visible to the connection, which evaluates
    pg_table_is_visible() over all of pg_class: the cost grows with every council in the
    database (1,000 councils hold about 340,000 relations), and Django asks it three times
    a council (ensure_schema, the loader, the executor). to_regclass() resolves the name
    through the search path instead: 0.25 ms against 123-150 ms measured at 45,000
    relations (deploy/SCALING.md).
    """

    _has_table: bool = False

    def has_table(self) -> bool:
        if self._has_table:
            return True
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.Migration._meta.db_table])
            row = cursor.fetchone()
        self._has_table = bool(row and row[0])
        return self._has_table


class _Migrator:
    """One per process: the migration graph read from disk once, and the pre-plan states
    it has computed. Each council then only reads its own django_migrations rows."""

    def __init__(self) -> None:
        self._states: dict[tuple[frozenset[tuple[str, str]], tuple[str, ...]], ProjectState] = {}
        # With no connection the loader reads the migration files and builds the graph
        # without touching the database; each council's applied set is filled in below.
        self._executor = MigrationExecutor(None)

    def _executor_for(self, conn: Any) -> MigrationExecutor:
        executor = self._executor
        executor.connection = conn
        executor.recorder = _CouncilRecorder(conn)
        # What Django's loader stores there too (the stubs type it as migrations).
        executor.loader.applied_migrations = executor.recorder.applied_migrations()  # type: ignore[assignment]
        return executor

    def _state_before(
        self, executor: MigrationExecutor, applied: frozenset[tuple[str, str]], plan: list
    ) -> ProjectState:
        key = (applied, tuple(f"{m.app_label}.{m.name}" for m, _ in plan))
        state = self._states.get(key)
        if state is None:
            # What Django computes per migrate call; once here per distinct plan.
            state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
            state.apps  # noqa: B018 -- render the models once, here, not per council
            self._states[key] = state
        return state.clone()

    def migrate(self, schema: str) -> int:
        """Migrate `schema` to every migration on disk in one transaction; returns how many
        were applied (0 when another run got there first)."""
        conn = tenant_connection()
        with transaction.atomic():
            with conn.cursor() as cursor:
                # One migrator per council at a time, whatever the runs; the loser of a race
                # waits here, then finds nothing left to apply.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"migrate_schemas:{schema}"]
                )
                # A council whose tables are busy is skipped (and reported), rather than
                # queueing every request to that council behind the migration's lock.
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    [f"{int(lock_timeout_seconds() * 1000)}ms"],
                )
            conn.set_schema(schema, include_public=False)
            _CouncilRecorder(conn).ensure_schema()
            conn.set_schema(schema)
            executor = self._executor_for(conn)
            applied = frozenset(executor.loader.applied_migrations)
            if expected_migrations() <= applied:
                conn.set_schema_to_public()
                return 0
            targets = executor.loader.graph.leaf_nodes()
            plan = executor.migration_plan(targets)
            state = self._state_before(executor, applied, plan)
            models_change = any(
                not isinstance(op, _NO_MODEL_CHANGES)
                for migration, _ in plan
                for op in migration.operations
            )
            if models_change:
                emit_pre_migrate_signal(0, False, conn.alias, apps=state.apps, plan=plan)
            post_state = executor.migrate(targets, plan=plan, state=state)
            if models_change:
                emit_post_migrate_signal(0, False, conn.alias, apps=post_state.apps, plan=plan)
            conn.set_schema_to_public()
            return len(plan)


_migrator: _Migrator | None = None


def council_migrate(schema: str) -> CouncilOutcome:
    """Migrate one council; never raises (a failure is an outcome, rolled back whole)."""
    global _migrator
    if _migrator is None:
        _migrator = _Migrator()
    started = time.perf_counter()
    try:
        applied = _migrator.migrate(schema)
    except Exception as exc:
        tenant_connection().set_schema_to_public()
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return CouncilOutcome(
            schema=schema, ok=False, seconds=time.perf_counter() - started, error=last
        )
    return CouncilOutcome(
        schema=schema, ok=True, applied=applied, seconds=time.perf_counter() - started
    )


def _worker_init() -> None:
    # Die with the parent: a killed run must not leave workers migrating on their own
    # (prctl(PR_SET_PDEATHSIG, SIGKILL); Linux only, elsewhere the pod's end does it).
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
    # The parent's connection (closed before forking) must not be shared.
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def councils_migrate(
    schemas: Iterable[str],
    *,
    processes: int | None = None,
    on_outcome: Callable[[CouncilOutcome, MigrationReport], None] | None = None,
) -> MigrationReport:
    """Migrate every schema (each atomically) with `processes` workers; returns the report.

    Outcomes arrive as councils finish (`on_outcome` is called for each, in this process).
    """
    schemas = list(schemas)
    report = MigrationReport(total=len(schemas))
    processes = min(processes or migrate_processes(), max(1, len(schemas)))

    def record(outcome: CouncilOutcome) -> None:
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome, report)

    if processes == 1:
        for schema in schemas:
            record(council_migrate(schema))
        return report
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=processes, initializer=_worker_init) as pool:
        for outcome in pool.imap_unordered(council_migrate, schemas):
            record(outcome)
    return report


def describe(outcome: CouncilOutcome) -> str:
    if outcome.ok:
        what = f"{outcome.applied} migrations" if outcome.applied else "already migrated"
        return f"migrate_schemas: {outcome.schema} ok ({what}, {outcome.seconds:.2f}s)"
    return f"migrate_schemas failed: {outcome.schema}: {outcome.error}"
