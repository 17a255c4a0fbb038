"""`platform/` is a source folder, not a package: the stdlib's `platform` must keep working
in the test, web and worker processes (stripe, celery and uuid import it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def test_platform_is_stdlib_in_test_process() -> None:
    import platform

    import celery
    import stripe

    assert Path(platform.__file__).parent == Path(os.__file__).parent  # the stdlib's
    assert platform.python_version().count(".") == 2
    assert stripe.VERSION
    assert celery.__version__
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_platform_is_stdlib_in_web_process() -> None:
    code = (
        "import config.wsgi, platform, stripe, celery, json;"
        "print(json.dumps({'python': platform.python_version(), 'stripe': stripe.VERSION}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd="/",  # not the repo: prove the editable install makes platform/ an import root
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["python"].count(".") == 2
    assert data["stripe"]


@pytest.mark.worker
def test_platform_is_stdlib_in_worker_process() -> None:
    """A real `celery worker` process runs a task that imports platform and stripe."""
    from config.celery_app import app

    queue = f"test-diag-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd="/",
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = app.send_task("core.diagnostics", queue=queue).get(timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert result["python"].count(".") == 2
    assert result["stripe"]
    assert result["schema"] == "public"
