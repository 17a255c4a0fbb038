"""The apps' layers, kept by reading every module's imports (README → Layout draws them).

An app may import only apps in a lower layer: never one above it, never one beside it.
Imports inside functions and under `if TYPE_CHECKING:` count like any other, so a cycle
cannot hide in a function body. Where a lower app must set off something above it, it
sends a Django signal, queues a task by name, or calls a registry the upper app fills in
at ready().
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Top to bottom. Apps in the same layer may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("config",),  # settings, URLs, the Celery app: wiring only
    ("localdev",),  # make run, embedded servers, demo seeding
    ("console",),  # the central body's site: onboarding, directory, comparison, billing pages
    ("dataexit", "privacy"),  # over every council app: the data exit; retention and erasure
    ("correspondence", "reminders", "feedback"),  # council apps built on casework
    ("caseload",),  # casework: cases, constituents, officers, referrals
    ("billing",),  # licences, seats, Stripe
    ("mailer",),  # the outbox; its sweep reads the council list
    ("tenants",),  # councils, domains, schemas; a council's last sign-in
    ("accounts",),  # users in whichever schema the connection is in
    ("audit",),  # the append-only audit log every app above writes to
    ("core",),  # errors, links, web/API/task plumbing, health
]
RANK = {app: depth for depth, layer in enumerate(LAYERS) for app in layer}


def app_folder(app: str) -> Path:
    inside_platform = ROOT / "platform" / app
    return inside_platform if inside_platform.is_dir() else ROOT / app


@dataclass(frozen=True)
class Import:
    source: Path
    line: int
    module: str  # absolute dotted name
    in_function: bool

    @property
    def app(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        source = self.source.relative_to(ROOT) if self.source.is_relative_to(ROOT) else self.source
        return f"{source}:{self.line} imports {self.module}{where}"


def _package_of(path: Path, app: str) -> str:
    parts = path.relative_to(app_folder(app).parent).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1])


def imports_of(path: Path, package: str) -> Iterator[Import]:
    """Every import in the module at `path`, which lives in `package` (for relative ones)."""
    tree = ast.parse(path.read_text(), filename=str(path))

    def walk(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(path, child.lineno, alias.name, in_function)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                yield Import(path, child.lineno, module, in_function)
            yield from walk(child, nested)

    yield from walk(tree, False)


def app_modules(app: str) -> Iterator[Path]:
    for path in sorted(app_folder(app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def cross_app_imports() -> list[tuple[str, Import]]:
    found = []
    for app in RANK:
        for path in app_modules(app):
            for imp in imports_of(path, _package_of(path, app)):
                if imp.app in RANK and imp.app != app:
                    found.append((app, imp))
    return found


def test_every_app_has_a_layer() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    include = pyproject.split("include = [", 1)[1].split("]", 1)[0]
    packages = {name.strip().strip('"*') for name in include.split(",") if name.strip()}
    assert packages == set(RANK), "add the new app to LAYERS (and README's Layout)"


def test_apps_import_only_apps_below_them() -> None:
    wrong = [
        f"{imp} ({app} is {'beside' if RANK[imp.app] == RANK[app] else 'below'} {imp.app})"
        for app, imp in cross_app_imports()
        if RANK[imp.app] <= RANK[app]
    ]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of apps that reach each other (strongly connected), each as a cycle."""

    def reach(start: str) -> dict[str, list[str]]:
        paths, todo = {start: [start]}, [start]
        while todo:
            app = todo.pop()
            for target in sorted(graph.get(app, ())):
                if target not in paths:
                    paths[target] = [*paths[app], target]
                    todo.append(target)
        return paths

    cycles, seen = [], set()
    for app in sorted(graph):
        if app in seen:
            continue
        there = reach(app)
        group = {other for other in there if other != app and app in reach(other)}
        if group:
            seen |= group | {app}
            back = reach(min(group))
            cycles.append([*there[min(group)], *back[app][1:]])
    return cycles


def test_no_import_cycle_between_apps() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for app, imp in cross_app_imports():
        graph[app].add(imp.app)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles between apps:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert import_cycles(graph) == [["a", "b", "c", "a"]]


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path) -> None:
    # The checks above must be able to fail: what a module hides is found.
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..selectors import access\n"
        "if TYPE_CHECKING:\n    from reminders.models import BF\n"
        "def f():\n    from console.services import x\n"
    )
    found = [
        (imp.module, imp.in_function)
        for imp in imports_of(module, "caseload.services")
        if imp.app != "typing"
    ]
    assert found == [
        ("caseload.selectors", False),
        ("reminders.models", False),
        ("console.services", True),
    ]
