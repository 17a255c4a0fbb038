"""A small HTTP/1.1 load generator for the load test and the HTTP benchmark.

Each client is one keep-alive connection to a loopback port, sending its requests one after
another, as a browser tab or an API integration does. A client's script is a generator:
it yields a `Request`, is sent back the `Response`, and yields the next (so a script can
act on what it created). Everything runs on one asyncio loop with plain streams: about 30
microseconds of client CPU per request, so on a 2-core machine the client takes a small
share of what the server gets (`Run.client_cpu_seconds` says how much, measured).

Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass
class Request:
    kind: str
    method: str
    path: str
    host: str
    token: str | None = None
    json_body: Any = None

    def encode(self) -> bytes:
        body = b"" if self.json_body is None else json.dumps(self.json_body).encode()
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {self.host}",
            "Accept: application/json",
        ]
        if self.token:
            lines.append(f"Authorization: Token {self.token}")
        if self.json_body is not None or self.method in ("POST", "PUT", "PATCH"):
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


Script = Generator[Request, Response, None]


@dataclass
class Run:
    responses: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    def count(self, predicate: Callable[[int], bool]) -> int:
        return sum(n for status, n in self.statuses.items() if predicate(status))


class _Closed(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise _Closed(len(exc.partial)) from None
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    close = headers.get("connection", "").lower() == "close"
    return status, body, close


async def _client(
    host: str, port: int, script: Script, run: Run, deadline: float, on_response: Callable
) -> None:
    reader = writer = None
    fresh = True
    try:
        request = next(script)
        while time.monotonic() < deadline:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
                fresh = True
            assert reader is not None
            started = time.perf_counter()
            writer.write(request.encode())
            try:
                status, body, close = await _read_response(reader)
            except _Closed as closed:
                writer.close()
                reader = writer = None
                # A kept-alive connection the server had already closed (e.g. a worker
                # recycled by max_requests): nothing was read, so a GET is sent again.
                if not fresh and closed.args[0] == 0 and request.method == "GET":
                    continue
                run.errors.append(f"{request.kind}: connection closed by the server")
                return
            elapsed = time.perf_counter() - started
            fresh = False
            if close:
                writer.close()
                reader = writer = None
            run.responses += 1
            run.statuses[status] = run.statuses.get(status, 0) + 1
            run.by_kind.setdefault(request.kind, []).append(elapsed)
            response = Response(status=status, body=body, seconds=elapsed)
            on_response(request, response)
            try:
                request = script.send(response)
            except StopIteration:
                return
    except (OSError, asyncio.IncompleteReadError) as exc:
        run.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if writer is not None:
            writer.close()


def drive(
    *,
    port: int,
    scripts: list[Script],
    seconds: float,
    host: str = "127.0.0.1",
    on_response: Callable[[Request, Response], None] = lambda request, response: None,
) -> Run:
    """Run every script on its own keep-alive connection, concurrently, until each ends or
    `seconds` have passed."""
    if host not in LOOPBACK:
        raise ValueError(f"load is only ever sent to loopback, not {host!r}")
    run = Run()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_client(host, port, script, run, deadline, on_response) for script in scripts)
        )

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    asyncio.run(main())
    run.seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    run.client_cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return run
