# Every target sets itself up: it creates .venv when missing and installs what it needs into it.
# Needs only python3 (>= 3.10), pip and make on the machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: rehearse test test-fast test-lowest lint format bench emulator clean

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed-base: pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) -e '.[test,dev]'
	touch $@ $(VENV)/.installed-base

## rehearse: run the whole runbook against the bundled emulator (no cloud account needed)
rehearse: $(VENV)/.installed-base
	$(PY) -m pytest runbook $(ARGS)

# pytest-xdist: one worker per core, at most 4; --dist loadfile keeps each test file in one worker
# (a module's fixtures — a standalone emulator, a venv — are started once, not once per worker).
# `make test XDIST=` runs in one process; ARGS come last, so `ARGS="-n 0"` does too.
XDIST ?= -n auto --maxprocesses 4 --dist loadfile

## test: run the whole test suite, in parallel (the runbook itself, make rehearse, never is)
test: $(VENV)/.installed-test
	$(PY) -m pytest $(XDIST) $(ARGS)

# The lowest versions pyproject.toml allows (uv's lowest-direct resolution of its dependencies),
# in a venv of their own; the test tools on top at whatever versions fit those.
LOWEST    ?= .venv-lowest
LOWEST_PY := $(LOWEST)/bin/python
UV        := $(LOWEST)/bin/uv

$(LOWEST)/.installed: pyproject.toml
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST_PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip compile --quiet --resolution lowest-direct --python $(LOWEST_PY) pyproject.toml -o $(LOWEST)/lowest.txt
	$(UV) pip install --quiet --python $(LOWEST_PY) -r $(LOWEST)/lowest.txt
	$(UV) pip install --quiet --python $(LOWEST_PY) -c $(LOWEST)/lowest.txt -e '.[test]'
	touch $@

## test-lowest: the emulator and plugin tests on the lowest supported versions of every dependency
# The emulator's fast tests, and every plugin test (each runs another project's pytest, so all are
# "slow" by rule) but the one that installs the wheel into a venv of its own beside older pins.
test-lowest: $(LOWEST)/.installed
	@grep -v '^ *#' $(LOWEST)/lowest.txt | tr '\n' ' ' | sed 's/^/lowest versions: /'; echo
	$(LOWEST_PY) -m pytest -p no:cacheprovider -m "not slow" tests/emulator $(ARGS)
	$(LOWEST_PY) -m pytest -p no:cacheprovider $(XDIST) tests/plugin \
	  --ignore=tests/plugin/test_installed_package.py $(ARGS)

## test-fast: the fast loop while working: every test not marked slow (tests/conftest.py)
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -m "not slow" -q $(ARGS)

## lint: ruff (lint + format check), mypy and the import contracts (lint-imports)
lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-test
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The benchmarks in a venv of their own: the bench extra installs pytest-httpserver, a pytest
# plugin, which must not load in the test suite's pytest runs (tests/plugin checks what they import).
BENCH    ?= .venv-bench
BENCH_PY := $(BENCH)/bin/python

$(BENCH)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH)
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

## bench: run the benchmarks and write docs/BENCHMARKS.md (load generator: wrk, if installed)
# wrk (the load generator of the throughput rows) is a system package: installed from Debian's
# archive when it is missing and this is root on a Debian/Ubuntu machine (as on our CI kind);
# elsewhere the throughput rows say they were skipped and how to install it. WRK=no skips it.
WRK ?= auto
bench: $(BENCH)/.installed
	@if [ "$(WRK)" = auto ] && ! command -v wrk >/dev/null && command -v apt-get >/dev/null \
	  && [ "$$(id -u)" = 0 ]; then \
	  echo "make bench: installing wrk (apt-get install wrk) for the throughput rows"; \
	  apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 \
	    && apt-get install -y -qq wrk >/dev/null 2>&1) || echo "make bench: could not install wrk"; \
	fi
	$(BENCH_PY) -m bench $(ARGS)

## emulator: the standalone emulator in the foreground (Ctrl-C stops it)
emulator: $(VENV)/.installed-base
	$(PY) -m emulator serve $(ARGS)

clean:
	rm -rf $(VENV) $(LOWEST) $(BENCH) .pytest_cache .mypy_cache .ruff_cache
