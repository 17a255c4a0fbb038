# Two commands on a fresh machine: `make run` and `make test`.
# Both create and reuse .venv/; the install step reruns only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format typecheck install clean-data frontend chromium pgbouncer screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# uv installs the same requirements as pip in seconds instead of minutes (CI starts
	# from a clean checkout every time); pip stays in the venv for the packaging tests.
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m localdev.launcher

test: $(STAMP) chromium pgbouncer
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# The thousand-council bench runs first and in a database of its own, so that its baseline
# (the case list with 10 councils) is not taken among the other benches' councils.
BENCH_PYTEST := $(VENV)/bin/pytest -p no:cacheprovider -s -q --durations=0 -o addopts="-p localdev.pytest_plugin" -o norecursedirs=
bench: $(STAMP)
	$(PY) -m localdev.services -- sh -c '$(BENCH_PYTEST) tests/bench/test_scale_bench.py && $(BENCH_PYTEST) tests/bench --ignore=tests/bench/test_scale_bench.py'

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

# $(call apt_install_if_missing,COMMAND,DEBIAN_PACKAGE,WHAT_SKIPS): installs the package
# with apt-get when COMMAND is on neither PATH nor /usr/sbin and we are root; otherwise says
# that WHAT_SKIPS will skip.
define apt_install_if_missing
command -v $(1) >/dev/null 2>&1 || test -x /usr/sbin/$(1) || { \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    echo "Installing Debian's $(2) for $(3)..."; \
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)) \
      || echo "$(2) could not be installed: $(3) will skip"; \
  else \
    echo "$(1) is missing and cannot be installed here (needs root and apt-get): $(3) will skip"; \
  fi; }
endef

# The browser tests (tests/browser) drive Debian's Chromium through Playwright (never
# `playwright install`, which downloads a browser of its own). Installed here when missing
# and we are root with apt-get; otherwise the browser tests skip and say why (and fail
# where CASELOAD_REQUIRE_BROWSER=1, as .ci/run sets).
chromium:
	@$(call apt_install_if_missing,chromium,chromium,the browser tests)

# tests/core/test_transaction_pooling.py runs a real PgBouncer (Debian's package) in
# transaction mode; installed here like chromium, skipped with the reason where it cannot be
# (and failed where CASELOAD_REQUIRE_PGBOUNCER=1, as .ci/run sets).
pgbouncer:
	@$(call apt_install_if_missing,pgbouncer,pgbouncer,the transaction-pooling test)

# Regenerates docs/screenshots/ (shown in README) from the demo data, in Chromium.
screenshots: $(STAMP) chromium
	CASELOAD_SCREENSHOTS=docs/screenshots $(VENV)/bin/pytest tests/browser/test_screenshots.py -q -p no:cacheprovider

# Rebuilds the committed CSS/JS in platform/static/ and the browser tests' axe-core from
# frontend/ (needs Node and npm; `make run` and `make test` do not: the output is committed).
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build
