"""The image's entrypoint and health check, run for real from the checkout.

APP_HOME points the entrypoint at the repository instead of /app, and the venv's bin is
first on PATH, so each mode starts the same command it starts in the container."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.deploy.conftest import (
    DOCKER,
    ROOT,
    free_port,
    process_env,
    test_database_url,
)

ENTRYPOINT = DOCKER / "entrypoint.sh"
HEALTHCHECK = DOCKER / "healthcheck.py"


def _modes() -> dict[str, str]:
    """{mode: the command line its branch execs}, parsed from the case statement."""
    text = ENTRYPOINT.read_text()
    branches = re.findall(r"^\s{4}(\w+)\)\n(.*?);;", text, flags=re.S | re.M)
    modes = {}
    for mode, body in branches:
        execs = re.findall(r"exec (.*?)(?:\n\s*\n|\Z|\"\$@\")", body, flags=re.S)
        assert execs, f"mode {mode} has no exec"
        modes[mode] = " ".join(execs[0].replace("\\\n", " ").split())
    return modes


def _healthcheck(mode: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait_for(predicate, *, timeout: float, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"{what}: process exited with {proc.returncode}\n{output[-3000:]}")
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"{what}: not ready after {timeout}s")


def test_every_mode_names_a_command_that_exists() -> None:
    modes = _modes()
    assert set(modes) == {"web", "worker", "beat", "migrate", "manage"}

    assert modes["web"].startswith("gunicorn config.wsgi:application --config")
    import gunicorn  # noqa: F401 -- the web process

    import config.wsgi

    assert callable(config.wsgi.application)

    for mode in ("worker", "beat"):
        assert modes[mode].startswith(f"celery --app config {mode}")
    import config
    from config.celery_app import app

    # `celery --app config` finds the app as config.celery_app (celery's own lookup order).
    assert config.celery_app is app

    assert modes["migrate"] == "python manage.py migrate_schemas --noinput"
    # Our fast migrate_schemas (tenants), not django-tenants' stock one.
    assert get_commands()["migrate_schemas"] == "tenants"
    assert modes["manage"] == "python manage.py"
    assert (ROOT / "manage.py").exists()


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_refuses_to_start_without_real_services(missing: str) -> None:
    """Otherwise manage.py would try to start embedded servers the image does not ship."""
    env = process_env(DATABASE_URL="postgres://x@127.0.0.1:9/x", REDIS_URL="redis://x:9/0")
    env.pop(missing)
    out = subprocess.run(
        [str(ENTRYPOINT), "migrate"], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 64
    assert f"{missing} must be set" in out.stderr


def test_other_commands_run_as_given() -> None:
    env = process_env(DATABASE_URL="postgres://x@127.0.0.1:9/x", REDIS_URL="redis://x:9/0")
    out = subprocess.run(
        [str(ENTRYPOINT), "python", "-c", "import os; print(os.getcwd())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(ROOT)  # APP_HOME


def test_web_serves_healthz_on_any_host(db, stop_processes) -> None:
    port = free_port()
    env = process_env(
        DATABASE_URL=test_database_url(),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PLATFORM_DOMAIN="caseload.example.org",
    )
    proc = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop_processes.append(proc)

    def answers() -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    _wait_for(answers, timeout=60, proc=proc, what="gunicorn")

    # A probe from the kubelet carries the pod IP as Host: still answered.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "10.42.0.17:8000"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- local http
        body = json.loads(response.read())
    assert response.status == 200
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"

    # Any other path on a host outside ALLOWED_HOSTS is refused.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", headers={"Host": "evil.example.net"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 -- local http
    assert refused.value.code == 400

    checked = _healthcheck("web", env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # gunicorn's config came from the file the entrypoint names: two workers.
    proc.terminate()
    output, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, output[-3000:]
    assert len(re.findall(r"Booting worker with pid", output)) == 2


def test_web_healthcheck_fails_when_nothing_listens() -> None:
    checked = _healthcheck("web", process_env(PORT=str(free_port())))
    assert checked.returncode == 1
    assert "FAIL" in checked.stdout


@pytest.mark.worker
def test_worker_answers_its_liveness_probe(db, stop_processes) -> None:
    # A queue of its own, so this worker never takes another test's tasks.
    env = process_env(
        DATABASE_URL=test_database_url(),
        CELERY_QUEUES=f"deploy-test-{uuid.uuid4().hex[:8]}",
        CELERY_CONCURRENCY="1",
    )
    probe_env = {**env, "WORKER_PING_TIMEOUT": "2"}
    before = _healthcheck("worker", probe_env)
    assert before.returncode == 1, "no worker yet: the probe must fail"

    proc = subprocess.Popen(
        [str(ENTRYPOINT), "worker", "--pool=solo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop_processes.append(proc)
    _wait_for(
        lambda: _healthcheck("worker", probe_env).returncode == 0,
        timeout=90,
        proc=proc,
        what="celery worker",
    )


def _spare_redis_db(url: str) -> str:
    """The same Redis server, another database: beat may send a due task while it runs,
    and no worker of the test run must pick that up."""
    match = re.match(r"^(redis://[^/]*)/(\d+)$", url)
    if not match:
        return url
    return f"{match.group(1)}/{(int(match.group(2)) + 8) % 16}"


def test_beat_writes_its_schedule_and_passes_its_probe(db, stop_processes, tmp_path: Path) -> None:
    import os

    schedule = tmp_path / "celerybeat-schedule"
    env = process_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=_spare_redis_db(os.environ["REDIS_URL"]),
        CELERY_BEAT_SCHEDULE_FILE=str(schedule),
    )
    assert _healthcheck("beat", env).returncode == 1, "no schedule file yet"
    proc = subprocess.Popen(
        [str(ENTRYPOINT), "beat"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop_processes.append(proc)
    _wait_for(
        lambda: _healthcheck("beat", env).returncode == 0,
        timeout=60,
        proc=proc,
        what="celery beat",
    )
    # The same file, judged stale, fails: the probe really looks at its age.
    time.sleep(1.1)
    stale = _healthcheck("beat", {**env, "BEAT_MAX_AGE_SECONDS": "1"})
    assert stale.returncode == 1
    assert "limit 1s" in stale.stdout


def test_migrate_mode_is_a_quick_no_op_on_a_migrated_database(db) -> None:
    """The release Job's command: on an up-to-date database it changes nothing."""
    from django.db import connection

    def applied() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM public.django_migrations")
            (count,) = cursor.fetchone()
        return int(count)

    before = applied()
    env = process_env(DATABASE_URL=test_database_url())
    started = time.monotonic()
    out = subprocess.run(
        [str(ENTRYPOINT), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stdout + out.stderr
    assert applied() == before
    # Process start-up dominates (about 1 s here); a per-council walk would not fit.
    assert elapsed < 30, elapsed


def test_healthcheck_detects_the_process_from_proc(tmp_path: Path) -> None:
    sys.path.insert(0, str(DOCKER))
    try:
        import healthcheck
    finally:
        sys.path.remove(str(DOCKER))

    def fake_proc(*argvs: list[str]) -> Path:
        root = tmp_path / uuid.uuid4().hex
        for pid, argv in enumerate(argvs, start=1):
            (root / str(pid)).mkdir(parents=True)
            (root / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv))
        return root

    venv = "/opt/venv/bin"
    assert (
        healthcheck.detect_mode(
            fake_proc(["/bin/sh", "/app/deploy/entrypoint.sh"], [f"{venv}/python", "x.py"])
        )
        is None
    )
    assert (
        healthcheck.detect_mode(
            fake_proc([f"{venv}/python", f"{venv}/gunicorn", "config.wsgi:application"])
        )
        == "web"
    )
    assert (
        healthcheck.detect_mode(
            fake_proc([f"{venv}/python", f"{venv}/celery", "--app", "config", "worker"])
        )
        == "worker"
    )
    assert (
        healthcheck.detect_mode(
            fake_proc([f"{venv}/python", f"{venv}/celery", "--app", "config", "beat"])
        )
        == "beat"
    )
    assert healthcheck.main(["healthcheck.py", "nonsense"]) == 2
