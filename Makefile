# ltcdesk developer commands.  `make run` and `make test` are all a user needs:
# they install system packages (apt, only if missing), create $(VENV) and
# pip-install the project the first time, and skip all of that afterwards.

VENV        ?= .venv
PYTHON      ?= python3
ARGS        ?=
PYTEST_ARGS ?=
BENCH_ARGS  ?=

SHELL    := /bin/bash
STAMPS   := .stamps
VENV_PY  := $(VENV)/bin/python
# Re-installed whenever pyproject.toml changes (or the venv is deleted).
VENV_OK  := $(VENV)/.ltcdesk-installed

.DEFAULT_GOAL := help
.PHONY: help run test lint bench deps clean

help:
	@echo "make run   [ARGS='--db file.db']   start the desktop app"
	@echo "make test  [PYTEST_ARGS='-k x']    run the test suite (offscreen Qt)"
	@echo "make lint                          ruff + mypy"
	@echo "make bench [BENCH_ARGS=...]        run the benchmarks in bench/"
	@echo "make clean                         remove the venv, stamps and caches"

run: $(STAMPS)/sysdeps-run $(VENV_OK)
	$(VENV_PY) -m ltcdesk gui $(ARGS)

test: $(STAMPS)/sysdeps-test $(VENV_OK)
	QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV_OK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy ltcdesk

# Runs every bench/*.py script (files starting with "_" are helpers).
bench: $(STAMPS)/sysdeps-test $(VENV_OK)
	@set -e; found=; for f in bench/[!_]*.py; do \
	    [ -e "$$f" ] || continue; found=1; \
	    echo "== $$f"; QT_QPA_PLATFORM=offscreen $(VENV_PY) "$$f" $(BENCH_ARGS); \
	done; [ -n "$$found" ] || echo "no benchmarks in bench/"

deps: $(STAMPS)/sysdeps-run $(STAMPS)/sysdeps-test $(VENV_OK)

$(STAMPS)/sysdeps-%: scripts/install-system-deps.sh
	@scripts/install-system-deps.sh $*
	@mkdir -p $(STAMPS) && touch $@

$(VENV_OK): pyproject.toml
	@test -x $(VENV_PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing ltcdesk and its Python dependencies into $(VENV) ..."
	@# (the grep drops pip's harmless "Location ... is ignored" notes for unused local index dirs)
	@set -o pipefail; $(VENV_PY) -m pip install -q --progress-bar off -e '.[test,dev]' 2>&1 \
	    | { grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory" || true; }
	@touch $@

clean:
	rm -rf $(VENV) $(STAMPS) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
