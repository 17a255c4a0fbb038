"""The image installs the project with `pip install .` (not editable). Build that wheel,
install it into a folder of its own, lay out /app as the Dockerfile does, and check that
the installed copy has every file the checkout has: templates, static files, migrations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SKIP_DIRS = {
    ".git", ".venv", ".data", "node_modules", "frontend", "staticfiles", "build", "dist",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__",
}  # fmt: skip


def _package_roots(root: Path = ROOT) -> dict[str, Path]:
    """{top-level package: its folder in the tree at `root`}, as setuptools finds them."""
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    roots = {}
    for pattern in find["include"]:
        name = pattern.rstrip("*").rstrip(".")
        for where in find["where"]:
            folder = root / where / name
            if (folder / "__init__.py").exists():
                roots[name] = folder
    return roots


def _source_files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder.parent))
        for p in folder.rglob("*")
        if p.is_file()
        and not SKIP_DIRS.intersection(p.relative_to(folder.parent).parts)
        and p.suffix not in (".pyc", ".pyo")
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the checkout: the build writes into its source tree, and the wheel is
    compared with exactly the files it was built from."""
    src = tmp_path_factory.mktemp("wheel") / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.egg-info", "*.pyc"))
    return src


@pytest.fixture(scope="module")
def wheel(source: Path) -> Path:
    work = source.parent
    src = source
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), "."],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    [built] = (work / "dist").glob("*.whl")
    return built


def test_wheel_contains_every_file_of_every_package(wheel: Path, source: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = {n for n in zf.namelist() if ".dist-info/" not in n}
    roots = _package_roots(source)
    assert {"config", "core", "tenants", "caseload", "billing"} <= set(roots)
    missing = set()
    for folder in roots.values():
        missing |= _source_files(folder) - in_wheel
    assert not missing, (
        "files the installed image would lack (add their pattern to "
        f"[tool.setuptools.package-data]): {sorted(missing)}"
    )
    # The stdlib owns `platform`: the source folder is never a package of its own.
    assert not any(n.startswith("platform/") for n in in_wheel)


def test_installed_copy_runs_with_the_image_layout(
    wheel: Path, source: Path, tmp_path: Path
) -> None:
    """Settings, templates and collectstatic from the installed wheel, with DJANGO_BASE_DIR
    holding only the project-level assets the Dockerfile copies (platform/templates,
    platform/static): the same layout as /app in the image."""
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    app = tmp_path / "app"
    for rel in ("platform/templates", "platform/static"):
        if (source / rel).exists():
            shutil.copytree(source / rel, app / rel)

    templates = sorted(
        str(p.relative_to(folder))
        for root in [*_package_roots(source).values(), source / "platform"]
        for folder in root.rglob("templates")
        if folder.is_dir() and "node_modules" not in folder.parts
        for p in folder.rglob("*.html")
    )
    assert "base.html" in templates
    code = f"""
import json, sys
from pathlib import Path
site = Path({str(site)!r})
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.template.loader import get_template
import config, tenants, caseload, billing
outside = [m.__name__ for m in (config, tenants, caseload, billing)
           if not Path(m.__file__).is_relative_to(site)]
for name in {templates!r}:
    get_template(name)
call_command("collectstatic", "--noinput", verbosity=0)
manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
print(json.dumps({{"outside": outside, "static": sorted(manifest["paths"])}}))
"""
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_BASE_DIR": str(app),
        "DJANGO_STATIC_ROOT": str(tmp_path / "staticfiles"),
        "DJANGO_MANIFEST_STATIC": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["outside"] == [], "imported from the checkout, not the installed copy"
    # Every static file in the checkout (apps' static/ folders and platform/static) is
    # collected into the hashed manifest.
    expected = set()
    for root in _package_roots(source).values():
        for folder in root.rglob("static"):
            if folder.is_dir():
                expected |= {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    if (source / "platform/static").exists():
        expected |= {
            str(p.relative_to(source / "platform/static"))
            for p in (source / "platform/static").rglob("*")
            if p.is_file()
        }
    assert expected, "expected some static files"
    assert expected <= set(result["static"]), sorted(expected - set(result["static"]))
