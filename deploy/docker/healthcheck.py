"""Health check for the image's processes: exit 0 when healthy, 1 when not.

    python healthcheck.py web      GET http://127.0.0.1:$PORT/healthz answers 200
    python healthcheck.py worker   this pod's Celery worker answers a ping over the broker
    python healthcheck.py beat     beat has written its schedule file recently
    python healthcheck.py          works out which of the three this container runs

Kubernetes probes the web pods with httpGet on /healthz and runs this script (with the mode)
for worker and beat. Docker's HEALTHCHECK runs it without a mode.
"""

from __future__ import annotations

import glob
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_BEAT_SCHEDULE = "/tmp/celerybeat-schedule"  # noqa: S108 -- the image's only writable dir
# Beat writes its schedule file at start-up and then at most every 3 minutes after a tick;
# ticks come at least every 5 minutes (beat's max interval), so a file older than
# 5 + 3 minutes plus slack means beat is stuck.
DEFAULT_BEAT_MAX_AGE_SECONDS = 10 * 60


def check_web() -> tuple[bool, str]:
    port = os.environ.get("PORT", "8000")
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200, f"{url} {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} {exc.code}"
    except OSError as exc:
        return False, f"{url} {type(exc).__name__}: {exc}"


def check_worker() -> tuple[bool, str]:
    # The entrypoint names the worker worker@<hostname>; the pod's hostname is its name.
    node = f"worker@{socket.gethostname()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery_app import app

    timeout = float(os.environ.get("WORKER_PING_TIMEOUT", "5"))
    replies = app.control.ping(destination=[node], timeout=timeout)
    answered = any(node in reply for reply in replies)
    return answered, f"{node} {'answered' if answered else 'did not answer'} ping"


def check_beat() -> tuple[bool, str]:
    schedule = os.environ.get("CELERY_BEAT_SCHEDULE_FILE", DEFAULT_BEAT_SCHEDULE)
    max_age = float(os.environ.get("BEAT_MAX_AGE_SECONDS", DEFAULT_BEAT_MAX_AGE_SECONDS))
    # The dbm module behind shelve decides the file names (schedule, schedule.db, .dat ...).
    files = glob.glob(glob.escape(schedule) + "*")
    if not files:
        return False, f"no schedule file {schedule}*"
    age = time.time() - max(os.path.getmtime(f) for f in files)
    return age <= max_age, f"schedule written {age:.0f}s ago (limit {max_age:.0f}s)"


CHECKS = {"web": check_web, "worker": check_worker, "beat": check_beat}


def detect_mode(proc: Path = Path("/proc")) -> str | None:
    """Which process this container runs, from the command lines of its processes."""
    for cmdline_file in sorted(proc.glob("[0-9]*/cmdline")):
        try:
            argv = cmdline_file.read_bytes().split(b"\0")
        except OSError:
            continue
        words = [Path(a.decode(errors="replace")).name for a in argv if a]
        if any(w.startswith("gunicorn") for w in words):
            return "web"
        if any(w == "celery" or w.startswith("celery") for w in words[:2]):
            if "worker" in words:
                return "worker"
            if "beat" in words:
                return "beat"
    return None


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else detect_mode()
    if mode is None:
        # A one-off container (migrate, manage, a shell): nothing long-running to check.
        print("healthcheck: no web, worker or beat process here")
        return 0
    if mode not in CHECKS:
        print(f"healthcheck: unknown mode {mode!r}; expected one of {sorted(CHECKS)}")
        return 2
    try:
        healthy, detail = CHECKS[mode]()
    except Exception as exc:  # a probe reports, it never crashes with a traceback
        healthy, detail = False, f"{type(exc).__name__}: {exc}"
    print(f"healthcheck {mode}: {'ok' if healthy else 'FAIL'} ({detail})")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
