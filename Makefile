# Entities API contract toolkit. `make help` lists the targets.
# Every target installs what it needs first, so each one works on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs into the one .venv, each redone only when the packaging changes: `make serve` needs the
# base install (the mock's runtime), every other target the dev extra (a superset of it).
SERVE_STAMP := $(VENV)/.installed-serve
DEV_STAMP := $(VENV)/.installed-dev
PACKAGING := pyproject.toml setup.py MANIFEST.in
NODE_STAMP := node_modules/.installed
REDOCLY := node_modules/.bin/redocly
BENCH_STAMP := bench/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# A Debian package, installed with apt when its command is missing: $(call ensure,COMMAND,PACKAGES)
ensure = command -v $(1) >/dev/null 2>&1 || $(SUDO) apt-get install -y $(2) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y $(2); }
ENSURE_WRK := $(call ensure,wrk,wrk)

.DEFAULT_GOAL := help
.PHONY: help install serve test lint models check-models contract fuzz bench profile clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(DEV_STAMP) $(NODE_STAMP) ## Create .venv (the dev extra: every tool) and node_modules (idempotent)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SERVE_STAMP): $(PACKAGING) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The dev extra holds the base install, so it counts as the serve install too.
$(DEV_STAMP): $(PACKAGING) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(SERVE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@$(call ensure,npm,nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

serve: $(SERVE_STAMP) ## Run the mock on http://127.0.0.1:9000, installing only its runtime (ARGS="--seed 1 --admin-key ...")
	$(BIN)/python -m mock_server $(ARGS)

lint: install ## Lint the Python code, the contract and the control plane's document (openapi-spec-validator, Redocly recommended rules)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/openapi-spec-validator openapi.yaml mock_server/control_plane.yaml
	$(REDOCLY) lint openapi.yaml mock_server/control_plane.yaml --config redocly.yaml --format=stylish

models: $(DEV_STAMP) ## Regenerate codegen/models.py from openapi.yaml
	$(BIN)/python -m codegen

check-models: $(DEV_STAMP) ## Fail when codegen/models.py is stale (regenerate with `make models`)
	$(BIN)/python -m codegen --check

test: lint check-models ## Lint, check the generated models for drift, run the test suite (with real redis-servers)
	@$(call ensure,chromium,chromium)
	@$(call ensure,redis-server,redis-server)
	$(BIN)/pytest

contract: $(DEV_STAMP) ## Check a server against the contract: BASE_URL=… API_KEY=… [ADMIN_KEY=…] [ARGS="--junit out.xml"]
	@test -n "$(BASE_URL)" && test -n "$(API_KEY)" || { echo "usage: make contract BASE_URL=http://127.0.0.1:9000 API_KEY=… [ADMIN_KEY=…] [ARGS=…]" >&2; exit 2; }
	$(BIN)/python -m contract_tests $(ARGS)  # reads BASE_URL, API_KEY, ADMIN_KEY from the environment: no key in the log

fuzz: $(DEV_STAMP) ## Hostile input and Schemathesis' negative mode against a live mock (ARGS="--sessions 100000")
	$(BIN)/python -m fuzz.run $(ARGS)

bench: $(DEV_STAMP) $(BENCH_STAMP) ## Benchmark the mock against Prism, Mockoon and bare Starlette, on memory and Redis, and its streams (ARGS="--rounds 5")
	@$(ENSURE_WRK)
	@$(call ensure,redis-server,redis-server)
	$(BIN)/python -m bench.run $(ARGS)

profile: $(DEV_STAMP) ## Profile the mock under the bench's load with py-spy (ARGS="--scenario create_message")
	@$(ENSURE_WRK)
	$(BIN)/python -m bench.profile $(ARGS)

$(BENCH_STAMP): bench/package.json bench/package-lock.json
	@$(call ensure,npm,nodejs npm)
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

clean: ## Remove the virtualenv, node_modules, caches and build artefacts
	rm -rf $(VENV) node_modules bench/node_modules .pytest_cache .ruff_cache dist build *.egg-info
