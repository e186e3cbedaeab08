# Telemed: `make run` for the app with demo data, `make test` for the whole suite.
# Needs Python 3.11+ only; the database is an embedded PostgreSQL when DATABASE_URL is unset.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.telemed-installed
MANAGE := DEBUG=$${DEBUG:-1} $(BIN)/python manage.py
# For commands that never touch the database: a URL that is parsed but not connected to, so no
# embedded PostgreSQL starts just to compile translations.
NODB   := DEBUG=$${DEBUG:-1} DATABASE_URL=$${DATABASE_URL:-postgresql://localhost/unused} \
          $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrate seed messages compilemessages clean-data bench screenshots lock

help:
	@echo "make run         start database, web server and Celery with demo data (Ctrl-C stops all)"
	@echo "make test        lint (ruff, mypy) and the whole test suite, browser tests included"
	@echo "make lint        ruff check, ruff format --check and mypy (types)"
	@echo "make format      ruff format and ruff check --fix"
	@echo "make migrate     apply migrations"
	@echo "make seed        load the demo data (idempotent)"
	@echo "make messages    update the Danish/English .po files and compile them"
	@echo "make clean-data  delete .data (embedded database, broker) after asking"
	@echo "make lock        renew requirements-dev.lock from pyproject.toml (with hashes)"
	@echo "make screenshots refresh docs/images/ from the browser tests (make test writes them to test-results/)"
	@echo "make bench       benchmarks at national scale (docs/PERFORMANCE.md; ARGS=\"--patients 1000\")"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Telemed needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }

# Reinstall only when pyproject.toml changed since the last install. The pip that venv bundles
# (23+ on Debian 12) installs editable pyproject projects, so it is not upgraded first.
# Installs exactly the versions and hashes in requirements-dev.lock (`make lock` renews it), then
# the project itself without dependencies.
$(STAMP): pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# Renew the lock file from pyproject.toml (newest versions that satisfy it), for Python 3.11 on
# Linux x86_64, with hashes; commit the result.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu -o requirements-dev.lock

# axe-core for the accessibility checks in the browser tests; skipped when npm is absent
# (those checks then fail in CI and skip locally, saying why).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: accessibility checks need it (apt-get install npm)"; \
	fi

# Compile translations when there are any and gettext is installed.
compilemessages: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		if command -v msgfmt >/dev/null 2>&1; then \
			$(NODB) compilemessages --ignore=.venv --ignore=node_modules -v 0; \
		else \
			echo "gettext not found: using the compiled .mo files as they are (apt-get install gettext)"; \
		fi; \
	fi

run: $(STAMP) compilemessages
	$(BIN)/python -m telemed.devrun

test: $(STAMP) node_modules/.package-lock.json compilemessages lint
	$(BIN)/pytest

# The role guides in docs/ show these; make test writes its screenshots to test-results/.
screenshots: $(STAMP) node_modules/.package-lock.json compilemessages
	TELEMED_SCREENSHOTS_DIR=$(CURDIR)/docs/images $(BIN)/pytest tests/browser

# mypy reads the settings through django-stubs: a database URL that is parsed, never connected.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 DATABASE_URL=postgresql://localhost/unused $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(MANAGE) migrate

seed: $(STAMP)
	$(MANAGE) seed_demo

messages: $(STAMP)
	$(NODB) makemessages -l da -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(NODB) compilemessages --ignore=.venv --ignore=node_modules

clean-data:
	@if [ -f .data/pgdata/postmaster.pid ] && kill -0 "$$(head -1 .data/pgdata/postmaster.pid)" 2>/dev/null; then \
		echo "The embedded PostgreSQL in .data is running: stop make run (Ctrl-C) first."; exit 1; \
	fi; \
	if [ "$(CONFIRM)" != "yes" ]; then \
		printf "Delete .data (database, broker queue, beat schedule)? [y/N] "; read answer; \
		case "$$answer" in [yY]*) ;; *) echo "Kept .data."; exit 0;; esac; \
	fi; \
	rm -rf .data && echo "Deleted .data; the next make run starts with a fresh database and demo data."

# Benchmarks (docs/PERFORMANCE.md): builds its own data set once in .data/bench-pgdata, then
# reuses it. The load generator is wrk when installed (apt-get install wrk), else Python.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)
