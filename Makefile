# 3CĐ — developer tasks. Run `make help` for the list.
#
# A fresh machine needs only python3 (>= 3.11) and make: `make run` creates .venv
# and installs the pinned requirements on first use. Extra arguments go through
# ARGS, e.g.  make test ARGS="-k login -n 4"   or   make run ARGS="--server.port 8600"

PY       ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
BENCHES  := $(filter-out benchmarks/_%,$(sort $(wildcard benchmarks/*.py)))
ARGS     ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DEBIAN_FRONTEND := noninteractive

# Prefix for commands that need root: empty when we are root, "sudo" when sudo exists,
# otherwise NOSUDO (recipes check for it and explain what to do).
AS_ROOT := $(shell if [ "$$(id -u)" = 0 ]; then :; \
             elif command -v sudo >/dev/null 2>&1; then echo sudo; else echo NOSUDO; fi)
APT_GET := $(AS_ROOT) apt-get -o DPkg::Lock::Timeout=600

.DEFAULT_GOAL := help
.PHONY: help venv browser postgres converter run test lint format bench bench-load copy-to-sheets copy-store demo-reset clean distclean

help:  ## List the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  make %-15s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# --------------------------------------------------------------------------- setup

venv: $(STAMP)  ## Create .venv and install requirements-dev.txt (again only if it changed)

# Create the virtualenv once. Debian/Ubuntu ship venv's pip separately (pythonX.Y-venv):
# if it is missing we install it when we can, and otherwise say what to install.
$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "3CĐ needs Python >= 3.11, but '$(PY)' is: $$($(PY) -V 2>&1)." >&2; \
	  echo "Point PY at a newer interpreter, e.g.  make PY=python3.12 run" >&2; exit 1; }
	@if ! $(PY) -c 'import ensurepip' 2>/dev/null; then \
	  pkg="python$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	  if command -v apt-get >/dev/null 2>&1 && [ "$(AS_ROOT)" != NOSUDO ]; then \
	    echo "Installing $$pkg (needed by python -m venv)..."; \
	    $(APT_GET) update && $(APT_GET) install -y "$$pkg"; \
	  else \
	    echo "'$(PY) -m venv' cannot install pip: install the $$pkg package (as root) and retry." >&2; \
	    exit 1; \
	  fi; \
	fi
	$(PY) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# Reinstall only when a requirements file is newer than the stamp. Order-only (|) so a
# freshly created interpreter does not by itself force a reinstall.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	@touch $@

browser:  ## Make sure Debian's chromium is at /usr/bin/chromium (e2e tests drive it)
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "No $(CHROMIUM) and no apt-get: install Chromium so that $(CHROMIUM) exists." >&2; \
	  exit 1; \
	fi; \
	if [ "$(AS_ROOT)" = NOSUDO ]; then \
	  echo "No $(CHROMIUM), and installing it needs root. Run as root:" >&2; \
	  echo "    apt-get update && apt-get install -y chromium" >&2; \
	  exit 1; \
	fi; \
	echo "Installing chromium (needed by the e2e tests)..."; \
	$(APT_GET) update && $(APT_GET) install -y chromium

postgres:  ## Make sure Debian's PostgreSQL server programs exist (tests start a throw-away cluster)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "No PostgreSQL server (initdb) and no apt-get: install PostgreSQL's server package." >&2; \
	  exit 1; \
	fi; \
	if [ "$(AS_ROOT)" = NOSUDO ]; then \
	  echo "No PostgreSQL server, and installing it needs root. Run as root:" >&2; \
	  echo "    apt-get update && apt-get install -y postgresql" >&2; \
	  exit 1; \
	fi; \
	echo "Installing postgresql (the tests start a throw-away server from it)..."; \
	$(APT_GET) update && $(APT_GET) install -y --no-install-recommends postgresql
# LibreOffice (PDF of documents) with metric-compatible serif fonts; `make run` never needs it.
SOFFICE := $(shell command -v soffice 2>/dev/null)
converter:  ## Make sure LibreOffice and the Liberation fonts are installed (PDF of documents)
	@if [ -n "$(SOFFICE)" ] && fc-list 2>/dev/null | grep -q LiberationSerif; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "No LibreOffice and no apt-get: install LibreOffice Writer and the Liberation fonts." >&2; \
	  exit 1; \
	fi; \
	if [ "$(AS_ROOT)" = NOSUDO ]; then \
	  echo "No LibreOffice, and installing it needs root. Run as root:" >&2; \
	  echo "    apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation2" >&2; \
	  exit 1; \
	fi; \
	echo "Installing LibreOffice Writer and fonts (needed by the PDF tests)..."; \
	$(APT_GET) update && $(APT_GET) install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation2

# --------------------------------------------------------------------------- daily use

run: venv  ## Start the app (http://localhost:8501)
	$(BIN)/streamlit run app.py $(ARGS)

test: venv browser postgres converter  ## Lint and type-check, then run the whole test suite (unit, PostgreSQL, documents, e2e)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --durations=20 $(ARGS)

lint: venv  ## Check style and types without changing files
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv  ## Fix what ruff can fix, then reformat
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv  ## Run every benchmarks/*.py in its quick mode (about 8 min; output in benchmarks/out/)
	@mkdir -p benchmarks/out
	@if [ -z "$(BENCHES)" ]; then echo "No benchmarks/*.py to run."; fi
	@set -e; for f in $(BENCHES); do \
	  echo "== $$f --quick"; PYTHONPATH=. $(BIN)/python "$$f" --quick; \
	done

bench-load: venv  ## The full load table: N = 1 … 200 sessions, the app and its baselines (≤ 30 min)
	@mkdir -p benchmarks/out
	PYTHONPATH=. $(BIN)/python benchmarks/load.py $(ARGS)

copy-to-sheets: venv  ## Copy the embedded store (or ARGS="--xlsx file") into the empty Google Sheet of the settings
	$(BIN)/python -m services.data.copy_to_sheets $(ARGS)

demo-reset: venv  ## Put the embedded store aside (renamed, not deleted) so the next run seeds a fresh demo
	$(BIN)/python -m services.demo.reset
copy-store: venv  ## Copy a whole store into an empty one: ARGS="--from sqlite --to postgresql" (or sheets, xlsx:FILE)
	$(BIN)/python -m services.data.copy_store $(ARGS)

# --------------------------------------------------------------------------- cleanup

clean:  ## Remove caches, screenshots and benchmark output (keeps .venv and data/)
	rm -rf .pytest_cache .ruff_cache shots benchmarks/out
	find . \( -path ./.venv -o -path ./.git \) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean  ## Also remove the virtualenv
	rm -rf $(VENV)
