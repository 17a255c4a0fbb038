# Two commands on a fresh machine: `make run` and `make test`.
# Both create and reuse .venv/; the install step reruns only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format typecheck install clean-data frontend

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m localdev.launcher

test: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) -m localdev.services -- $(VENV)/bin/pytest tests/bench -p no:cacheprovider -s -q -o addopts="-p localdev.pytest_plugin" -o norecursedirs=

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

clean-data:
	rm -rf .data

# Rebuilds the committed CSS/JS in platform/static/ from frontend/ (needs Node and npm;
# `make run` and `make test` do not, because the output is committed).
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build
