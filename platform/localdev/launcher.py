"""`make run`: embedded servers (unless configured), migrations, demo data, then web, worker and
beat together. Ctrl-C stops every process it started, then the embedded servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from localdev.demo_councils import DEMO_COUNCILS, DEMO_PASSWORD
from localdev.services import DATA_DIR, ROOT, ensure_services_env, stop_services

BIN = Path(sys.executable).parent


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    domain = os.environ.setdefault("PLATFORM_DOMAIN", "localhost")
    # Links in emails (officer replies, digests, welcome) must reach this server's port.
    os.environ.setdefault("PLATFORM_URL_PORT", port)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    print("Starting services (embedded where DATABASE_URL / REDIS_URL are unset)...", flush=True)
    ensure_services_env()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        stop_services()

    try:
        _manage("migrate_schemas", "--noinput", "-v", "0", env=env)
        _manage("seed_demo", env=env)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "runserver",
                    f"0.0.0.0:{port}",
                    "--noreload",
                ],
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "worker", "-l", "INFO", "-c", "2"],
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "beat",
                    "-l",
                    "INFO",
                    "--schedule",
                    str(DATA_DIR / "celerybeat-schedule"),
                ],
                env=env,
            )
        )
        lines = [
            "",
            "The platform is running. Open:",
            f"  Central body:  http://{domain}:{port}/   (central@{domain} / {DEMO_PASSWORD})",
        ]
        for slug, name, _ in DEMO_COUNCILS:
            lines.append(f"  {name + ':':<28} http://{slug}.{domain}:{port}/")
        lines += [
            f"  Logins on each council: admin@<slug>.example.gov.uk, councillor@<slug>..., "
            f"staff@<slug>... / {DEMO_PASSWORD}",
            f"  Health: curl -H 'Host: fife.{domain}' localhost:{port}/healthz",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
