# The book's commands. Each target creates .venv when it is missing or stale (its stamp holds a hash of
# requirements.txt and pyproject.toml), so a fresh clone needs only Python 3.11+ and make.
#   make lab      start JupyterLab on notebooks/
#   make test     the whole test suite: unit tests, strict nbval on every notebook, the exercises
#   make execute  re-execute every notebook in place, top to bottom in a fresh kernel (for authors)
#   make release  write the student version of the assignments to exercises/release/
#   make bench    print the benchmark table

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

.PHONY: venv lab test unit notebooks execute release bench clean

venv:
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(HASH)" ]; then \
	  if [ -z "$(PYTHON)" ]; then echo "make: Python 3.11 or newer is needed (python3 --version)"; exit 1; fi; \
	  echo "Creating $(VENV) with $(PYTHON) (requirements hash $(HASH))"; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt && \
	  echo $(HASH) > $(STAMP); \
	fi

lab: venv
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) $(LAB_ARGS)

test: venv
	$(BIN)/python -m pytest -n $(PYTEST_JOBS) --dist loadfile \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

execute: venv
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

release: venv
	$(BIN)/python tools/release_exercises.py

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
