# Entities API contract toolkit. `make help` lists the targets.
# Every target installs what it needs first, so each one works on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
REDOCLY := node_modules/.bin/redocly

.DEFAULT_GOAL := help
.PHONY: help install serve test lint models check-models clean

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

clean: ## Remove the virtualenv, node_modules and caches
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
