# Entities API contract toolkit. `make help` lists the targets.
# Every target installs what it needs first, so each one works on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
REDOCLY := node_modules/.bin/redocly
BENCH_STAMP := bench/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ENSURE_WRK := command -v wrk >/dev/null 2>&1 || $(SUDO) apt-get install -y wrk || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }

.DEFAULT_GOAL := help
.PHONY: help install serve test lint models check-models contract bench profile clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(PY_STAMP) $(NODE_STAMP) ## Create .venv and node_modules with every tool (idempotent)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

serve: $(PY_STAMP) ## Run the mock on http://127.0.0.1:9000 (ARGS="--seed 1 --admin-key ..." to pass options)
	$(BIN)/python -m mock_server $(ARGS)

lint: install ## Lint the Python code and the contract (openapi-spec-validator, Redocly recommended rules)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/openapi-spec-validator openapi.yaml
	$(REDOCLY) lint openapi.yaml --config redocly.yaml --format=stylish

models: $(PY_STAMP) ## Regenerate codegen/models.py from openapi.yaml
	$(BIN)/python -m codegen

check-models: $(PY_STAMP) ## Fail when codegen/models.py is stale (regenerate with `make models`)
	$(BIN)/python -m codegen --check

test: lint check-models ## Lint, check the generated models for drift, run the test suite
	$(BIN)/pytest

contract: $(PY_STAMP) ## Check a server against the contract: BASE_URL=… API_KEY=… [ADMIN_KEY=…] [ARGS="--junit out.xml"]
	@test -n "$(BASE_URL)" && test -n "$(API_KEY)" || { echo "usage: make contract BASE_URL=http://127.0.0.1:9000 API_KEY=… [ADMIN_KEY=…] [ARGS=…]" >&2; exit 2; }
	$(BIN)/python -m contract_tests $(ARGS)  # reads BASE_URL, API_KEY, ADMIN_KEY from the environment: no key in the log

bench: $(PY_STAMP) $(BENCH_STAMP) ## Benchmark the mock against Prism and a bare Starlette app (ARGS="--rounds 5 --duration 10")
	@$(ENSURE_WRK)
	$(BIN)/python -m bench.run $(ARGS)

profile: $(PY_STAMP) ## Profile the mock under the bench's load with py-spy (ARGS="--scenario create_message")
	@$(ENSURE_WRK)
	$(BIN)/python -m bench.profile $(ARGS)

$(BENCH_STAMP): bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

clean: ## Remove the virtualenv, node_modules and caches
	rm -rf $(VENV) node_modules bench/node_modules .pytest_cache .ruff_cache
