#!/usr/bin/env python
"""Django's command-line utility.

`platform/` is added to sys.path here as well as by the editable install, so that
`python manage.py` works from a checkout before `pip install -e .` has run.
"""

import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent
    # Append, never prepend: the stdlib's `platform` must keep winning the import.
    platform_dir = str(root / "platform")
    if platform_dir not in sys.path:
        sys.path.append(platform_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    from localdev.services import ensure_services_env

    ensure_services_env()

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
