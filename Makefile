# The book's commands. Each target creates .venv when it is missing or stale (its stamp holds a hash of
# requirements.txt and pyproject.toml), so a fresh clone needs only Python 3.11+ and make.
#   make lab      start JupyterLab on the repository, opened at the preface (chapters and exercises reachable)
#   make test     the fast suite: unit tests, oracle parity, strict nbval on every notebook, hygiene, exercises
#   make test-all the slow real-client tests: the widgets in JupyterLab/Chromium, real nbgrader
#   make execute  re-execute every notebook in place, top to bottom in a fresh kernel (for authors)
#   make release  write the student version of the assignments to exercises/release/
#                 (make release VARIANT=7: the instructor variant drawn from seed 7; the committed one is 0)
#   make bench    print the benchmark table
#   make lint     ruff's lint rules and format check (pyproject.toml [tool.ruff]) on the code; changes nothing

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-hash
# The first of these interpreters that is Python 3.11 or newer creates the environment.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
HASH := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
PYTEST_JOBS ?= 2
PORT ?= 8888
# JupyterLab refuses to start as root without --allow-root (containers and cloud machines run as root).
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_JOBS) --dist loadfile

.PHONY: venv lab test test-all execute release bench lint clean

venv:
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(HASH)" ]; then \
	  if [ -z "$(PYTHON)" ]; then echo "make: Python 3.11 or newer is needed (python3 --version)"; exit 1; fi; \
	  echo "Creating $(VENV) with $(PYTHON) (requirements hash $(HASH))"; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt && \
	  echo $(HASH) > $(STAMP); \
	fi

# tools/lab-overrides.json turns off JupyterLab's news prompt and update check for this environment.
lab: venv
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter lab --ServerApp.root_dir=. --port=$(PORT) $(ALLOW_ROOT) $(LAB_ARGS) notebooks/00_preface.ipynb

test: venv
	$(PYTEST) -m "not browser and not nbgrader" \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

test-all: venv
	$(PYTEST) -m "browser or nbgrader" tests $(PYTEST_ARGS)

execute: venv
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

release: venv
	$(BIN)/python tools/release_exercises.py $(if $(VARIANT),--variant $(VARIANT))

bench: venv
	$(BIN)/python benchmarks/run_all.py

LINT_PATHS := gdlib tests benchmarks tools

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

clean:
	rm -rf $(VENV) build *.egg-info
