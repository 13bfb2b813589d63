# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Needs only Python 3.11, Node/npm (for bun) and git. Everything else is installed into the project.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUN_VERSION := 1.4.4
BUN := .tools/node_modules/.bin/bun
PORT ?= 8000

# Reflex builds its front end with the bun we install from the npm registry (it cannot download its own here).
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export PORT

.PHONY: run test migrate owner lint bench deps clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BUN):
	npm install --prefix .tools --no-audit --no-fund --silent bun@$(BUN_VERSION)
	$(BUN) --version >/dev/null

deps: $(BIN)/.installed $(BUN)

migrate: $(BIN)/.installed
	$(BIN)/alembic upgrade head

## Serve the production build at http://localhost:$(PORT) (SQLite in data/ unless DATABASE_URL says otherwise).
run: deps migrate
	$(BIN)/python -m accumulator owner-status
	$(BIN)/reflex run --env prod --loglevel warning

## The whole suite. Without DATABASE_URL / REDIS_URL the tests that need those servers are left out, and the run says so.
test: deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Create the owner account (or change its e-mail and password): make owner EMAIL=you@example.com
owner: deps migrate
	@test -n "$(EMAIL)" || (echo "usage: make owner EMAIL=you@example.com" >&2; exit 2)
	$(BIN)/python -m accumulator create-owner --email "$(EMAIL)"

## Benchmarks print their figures (they need wrk and chromium: apt-get install wrk chromium).
bench: deps
	$(BIN)/python bench/analytics_scale.py seed --database-url sqlite:///data/bench-analytics.db --views 1000000 --days 365
	$(BIN)/python bench/analytics_scale.py run --database-url sqlite:///data/bench-analytics.db
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/dashboard_latency.py
	$(BIN)/python bench/notes_search.py
	$(BIN)/python bench/paste_transfer.py
	$(BIN)/python bench/scaleout_load.py
	$(BIN)/python bench/listening_history.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf .web .states
