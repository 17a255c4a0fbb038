"""The one environment reader shared by the settings modules."""

from pathlib import Path

import environ

env = environ.Env()
# The checkout's root: project-level assets live under BASE_DIR / "platform". An installed
# copy (the container image) has no checkout around site-packages, so it names the folder
# it copied those assets to (deploy/docker/Dockerfile sets /app).
BASE_DIR = Path(env.str("DJANGO_BASE_DIR", default="") or Path(__file__).resolve().parents[3])
