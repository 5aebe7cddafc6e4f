# Wijksim — make targets. Every target creates .venv from pyproject.toml when needed.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev

# Find a Python >= 3.12: python3.12, python3.13, pyenv's 3.12/3.13, then python3 if new enough.
PYTHON ?= $(shell for c in python3.12 python3.13 python3.14 \
	$$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3 \
	/root/.pyenv/versions/3.12*/bin/python3 python3; do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3,12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help venv dev run test lint bench freeze-baseline screenshots serve clean

help:
	@echo "make run     set up .venv and run the baseline scenario"
	@echo "make test    set up .venv with dev extras and run the test suite"
	@echo "make lint    ruff check"
	@echo "make bench   run the benchmark suite"
	@echo "make freeze-baseline   refresh tests/data/frozen_baseline.json ON PURPOSE"
	@echo "make serve   the model live in the browser (sim serve) on http://127.0.0.1:8765"
	@echo "make screenshots   regenerate docs/img/serve.png and serve-meeting.png (needs chromium)"

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Wijksim needs Python 3.12 or newer and none was found."; \
	  echo "  Install one (e.g. 'pyenv install 3.12', 'apt install python3.12', or from python.org)"; \
	  echo "  or point to it: make PYTHON=/path/to/python3.12 run"; exit 2; fi
	@echo "Creating .venv with $(PYTHON) (a few seconds)..."
	$(PYTHON) -m venv $(VENV)
	@echo "Upgrading pip in .venv (about 10 seconds)..."
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "Installing Wijksim and its dependencies into .venv: mesa, numpy, scipy, pandas,"
	@echo "matplotlib, geopandas, dask, solara and others (about 1-2 minutes on a first"
	@echo "install, depending on the network; later runs skip this step)..."
	$(VENV)/bin/python -m pip install --quiet -e .
	@echo "Installed. Running the baseline scenario next."
	touch $@

$(STAMP_DEV): pyproject.toml | $(VENV)/bin/python
	@echo "Installing Wijksim with its development tools (pytest, ruff, playwright ...) into"
	@echo ".venv (about 2-4 minutes on a first install; later runs skip this step)..."
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

venv: $(STAMP)
dev: $(STAMP_DEV)

run: $(STAMP)
	$(VENV)/bin/sim run baseline

# The browser tests (tests/test_serve_browser.py) drive the system's Chromium; without it
# they are skipped, and this says so and how to enable them.
test: $(STAMP_DEV)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  echo "note: Chromium not found: the browser tests of 'sim serve' will be SKIPPED. To run them: sudo apt-get install chromium"
	$(VENV)/bin/python -m pytest -q -n 2
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  echo "note: the browser tests of 'sim serve' were SKIPPED (no Chromium). To enable them: sudo apt-get install chromium"

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench.py

serve: $(STAMP)
	$(VENV)/bin/sim serve

screenshots: $(STAMP_DEV)
	$(VENV)/bin/python -m sim.serve.screenshots --out docs/img

freeze-baseline: $(STAMP)
	$(VENV)/bin/python -m sim.runs.frozen --write

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
