"""django-tenants' PostgreSQL backend, safe behind a transaction-mode pooler as well.

django-tenants points a connection at a council with a session-level `SET search_path`
before each statement. Behind PgBouncer in *transaction* mode a session is not one server
connection: each transaction may run on a different one, and PgBouncer 1.18 does not carry
`search_path` across (it tracks only a few reported parameters). A statement in autocommit
mode is its own transaction, so the SET and the query can land on different server
connections, and a council's query can run with another council's search path.

With `DATABASE_POOL_MODE=transaction` this backend therefore relies on no session state:
every statement runs inside a transaction whose first statement is
`SET LOCAL search_path` (it ends with the transaction, so nothing is left on the server
connection for the next client). A statement issued in autocommit mode is wrapped in a
transaction of its own (BEGIN; SET LOCAL; the statement; COMMIT); inside a transaction the
path is set once, again after a savepoint rollback (which undoes SET LOCAL) and whenever
the code switches council. Server-side cursors and prepared statements, which also live in
the session, are turned off in that mode by settings (config.settings.base).

In the default *session* mode it behaves exactly as django-tenants' backend.

Bounded catalog memory (both modes): a PostgreSQL backend caches the catalog entries of every
relation it has touched (CacheMemoryContext) and never gives them back; each council has its
own tables, so a connection that has served every council holds every council's entries
(tests/bench/test_scale_bench.py measures it). A connection is therefore closed (and
reopened on its next query) before it serves more than DATABASE_RECYCLE_AFTER_COUNCILS
distinct councils. The check sits where web requests (tenants.middleware) and Celery tasks
(tenant-schemas-celery) point the connection at a council, and only acts outside a
transaction. Behind a transaction-mode pooler the server connections serve every council
whatever the clients do: bound them with PgBouncer's `server_lifetime` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name

TRANSACTION = "transaction"
PUBLIC_SCHEMA = "public"
_OUTSIDE_ANY_TRANSACTION = re.compile(
    r"\s*(CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM|VACUUM|REINDEX"
    r"|CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY)",
    re.IGNORECASE,
)


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transaction_pooling = getattr(settings, "DATABASE_POOL_MODE", "") == TRANSACTION
        # The search path SET LOCAL in the open transaction (None: not set in this one).
        self._local_search_path: tuple[str, ...] | None = None
        # Councils (schemas other than public) the open server connection has been pointed at.
        self.councils_served: set[str] = set()
        self.recycled = 0  # connections closed by the policy (for tests and benchmarks)

    # -- bounded catalog cache: a connection serves at most N distinct councils -------------
    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        schema = tenant.schema_name
        if schema != PUBLIC_SCHEMA and schema not in self.councils_served:
            limit = int(getattr(settings, "DATABASE_RECYCLE_AFTER_COUNCILS", 0))
            if (
                limit
                and len(self.councils_served) >= limit
                and self.connection is not None
                and not self.in_atomic_block
            ):
                self.close()
                self.recycled += 1
            self.councils_served.add(schema)
        super().set_tenant(tenant, include_public)

    def connect(self) -> None:
        super().connect()
        # A new server connection: nothing cached yet, except the council it is for.
        self.councils_served = {self.schema_name} - {PUBLIC_SCHEMA}

    # -- session mode: django-tenants as it is; transaction mode: per transaction ---------
    def _handle_search_path(self, cursor: Any = None) -> None:
        if not self.transaction_pooling:
            super()._handle_search_path(cursor)

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        if self.transaction_pooling:
            return PooledCursorWrapper(cursor, self)
        return super().make_cursor(cursor)

    def make_debug_cursor(self, cursor: Any) -> CursorWrapper:
        if self.transaction_pooling:
            return PooledCursorDebugWrapper(cursor, self)
        return super().make_debug_cursor(cursor)

    @contextmanager
    def statement_in_transaction(self, sql: Any) -> Iterator[None]:
        """Run the statement inside a transaction that has this connection's search path."""
        if self.in_atomic_block or not self.get_autocommit():
            self._set_local_search_path()
            yield
        elif _OUTSIDE_ANY_TRANSACTION.match(str(sql)):
            # CREATE DATABASE, VACUUM and the like refuse a transaction block; they belong
            # to migrations and maintenance, which connect to PostgreSQL directly.
            yield
        else:
            # The driver's own transaction block: Django's state (autocommit, on_commit
            # hooks) is untouched, as for any statement in autocommit mode.
            with self.connection.transaction():
                self._execute_set_local(tuple(self._get_cursor_search_paths()))
                yield

    def _set_local_search_path(self) -> None:
        paths = tuple(self._get_cursor_search_paths())
        if self._local_search_path != paths:
            self._execute_set_local(paths)
            self._local_search_path = paths

    def _execute_set_local(self, paths: tuple[str, ...]) -> None:
        quoted = ",".join(quote_schema_name(path) for path in paths)
        # On the driver's cursor: not a statement of the application's (nor counted as one).
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL search_path = {quoted}")

    # Where a transaction ends or a savepoint rollback undoes SET LOCAL, forget it.
    def _commit(self) -> None:
        self._local_search_path = None
        super()._commit()

    def _rollback(self) -> None:
        self._local_search_path = None
        super()._rollback()

    def _savepoint_rollback(self, sid: str) -> None:
        self._local_search_path = None
        super()._savepoint_rollback(sid)

    def _set_autocommit(self, autocommit: bool) -> None:
        self._local_search_path = None
        super()._set_autocommit(autocommit)

    def close(self) -> None:
        self._local_search_path = None
        super().close()


class _InTransaction:
    db: DatabaseWrapper

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.db.statement_in_transaction(sql):
            return super().execute(sql, params)  # type: ignore[misc]

    def executemany(self, sql: Any, param_list: Any) -> Any:
        with self.db.statement_in_transaction(sql):
            return super().executemany(sql, param_list)  # type: ignore[misc]

    def callproc(self, procname: str, params: Any = None, kparams: Any = None) -> Any:
        with self.db.statement_in_transaction(procname):
            return super().callproc(procname, params, kparams)  # type: ignore[misc]


class PooledCursorWrapper(_InTransaction, CursorWrapper):
    pass


class PooledCursorDebugWrapper(_InTransaction, CursorDebugWrapper):
    pass
