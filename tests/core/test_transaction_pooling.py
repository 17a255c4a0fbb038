"""Behind PgBouncer in transaction mode, no council's request or write reaches another's.

A real PgBouncer (Debian's 1.18, which does not carry `search_path` between server
connections) runs on loopback in transaction mode with fewer server connections than the
web threads and clients using it. The stack `make run` starts (gunicorn, worker, beat)
connects through it with DATABASE_POOL_MODE=transaction, and 4 councils x 16 clients
read and write. Asserted: no 5xx, no response carrying another council's marker, every
write in its own council's schema and in no other.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.load_world import (
    LoadCouncil,
    assert_every_write_in_its_own_council,
    drive_load,
    load_councils_committed,
)
from tests.server_stack import free_port

CLIENTS = 64  # 4 councils x 16
REQUESTS = 2_400
SERVER_CONNECTIONS = 6  # per database and user: far fewer than clients and web threads

REQUIRED = os.environ.get("CASELOAD_REQUIRE_PGBOUNCER") == "1"


def _pgbouncer() -> str:
    path = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if path is None:
        reason = "pgbouncer is not installed (Debian package pgbouncer; make test installs it)"
        if REQUIRED:
            pytest.fail(f"CASELOAD_REQUIRE_PGBOUNCER=1 but {reason}")
        pytest.skip(reason)
    return path


class PgBouncer:
    """PgBouncer in transaction mode in front of the test database, on 127.0.0.1."""

    def __init__(self) -> None:
        self.binary = _pgbouncer()
        # Not under pytest's tmp_path: its parents are private to root, and PgBouncer runs as
        # the postgres user, which must read its configuration and write its log here.
        self.workdir = Path(tempfile.mkdtemp(prefix="caseload-pgbouncer-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        settings = connection.settings_dict
        self.dbname = settings["NAME"]
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or "5432"
        user = settings["USER"] or "postgres"
        self.server = f"host={host} port={port} user={user} dbname={self.dbname}"

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def __enter__(self) -> PgBouncer:
        # PgBouncer refuses to run as root: it is started as another system user instead.
        self.workdir.chmod(0o777)
        config = self.workdir / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"{self.dbname} = {self.server}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = any\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {SERVER_CONNECTIONS}\n"
            "min_pool_size = 0\n"
            "reserve_pool_size = 0\n"
            "max_client_conn = 500\n"
            "server_reset_query =\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.workdir / 'pgbouncer.log'}\n"
            f"pidfile = {self.workdir / 'pgbouncer.pid'}\n"
        )
        config.chmod(0o644)
        command = [self.binary, str(config)]
        if os.geteuid() == 0:
            command[1:1] = ["-u", self._os_user()]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2, prepare_threshold=None):
                    return self
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.log()
                    self.__exit__()
                    raise RuntimeError(f"pgbouncer did not start:\n{log}") from None
                time.sleep(0.2)

    def _os_user(self) -> str:
        """The system user PgBouncer runs as: the owner of the server's socket directory
        (the embedded server's own user, which alone may use it), else postgres."""
        host = connection.settings_dict["HOST"] or ""
        if host.startswith("/") and Path(host).is_dir():
            return pwd.getpwuid(Path(host).stat().st_uid).pw_name
        return "postgres"

    def log(self) -> str:
        path = self.workdir / "pgbouncer.log"
        out = path.read_text(errors="replace") if path.exists() else ""
        if self.process is not None and self.process.stdout and self.process.poll() is not None:
            out += self.process.stdout.read().decode(errors="replace")
        return out[-4000:]

    def __exit__(self, *exc: object) -> None:
        self._stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _stop(self) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="module")
def load_councils(councils, django_db_blocker) -> Iterator[list[LoadCouncil]]:
    with django_db_blocker.unblock(), load_councils_committed(clients=CLIENTS) as made:
        yield made


@pytest.mark.worker
@pytest.mark.django_db
def test_transaction_pooling_serves_each_council_its_own_data(
    load_councils: list[LoadCouncil], tmp_path: Path
) -> None:
    with PgBouncer() as pooler:
        result = drive_load(
            load_councils,
            clients=CLIENTS,
            requests=REQUESTS,
            database_url=pooler.url(),
            workdir=tmp_path / "stack",
            env={"DATABASE_POOL_MODE": "transaction"},
        )
        pooler_log = pooler.log()
    run = result.run
    print(
        f"\nBENCH pgbouncer_tx_requests {run.responses} requests"
        f"\nBENCH pgbouncer_tx_leaks {len(result.leaks)} responses"
        f"\nPGBOUNCER transaction mode, {SERVER_CONNECTIONS} server connections:"
        f" {result.summary(CLIENTS)}"
    )
    assert run.errors == [], run.errors[:5]
    assert run.count(lambda s: s >= 500) == 0, (result.unexpected[:10], result.log_tail)
    assert run.responses >= REQUESTS, run.responses
    assert result.leaks == [], result.leaks[:10]
    assert result.unexpected == [], (result.unexpected[:10], result.log_tail, pooler_log)
    assert_every_write_in_its_own_council(load_councils)
