# gkstats: `make run` serves the API on SQLite with the examples loaded; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOWEST := .venv-lowest
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-test install-lint test test-lowest lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-lint: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[test,regions]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-lint: $(VENV)/.installed-lint

run: install
	$(BIN)/gkstats migrate
	$(BIN)/gkstats ingest examples/
	$(BIN)/gkstats synth --reports 2000 --seed 1 --if-empty
	@echo "dashboard on http://$(HOST):$(PORT)/ (OpenAPI docs at http://$(HOST):$(PORT)/docs)"
	$(BIN)/gkstats serve --host $(HOST) --port $(PORT)

# The suite runs on SQLite, then again on PostgreSQL when TEST_POSTGRES_URL names a database.
test: install-test
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "--- the suite again on PostgreSQL"; \
		TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/python -m pytest; \
	fi

# The suite again with every dependency at the lowest version pyproject.toml allows (uv's
# lowest-direct resolution, in a venv of its own): the lower bounds are promises.
test-lowest: install-test
	$(BIN)/python -m pip install --quiet uv
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e ".[test]"
	$(LOWEST)/bin/python -m pytest
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "--- the suite again on PostgreSQL"; \
		TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(LOWEST)/bin/python -m pytest; \
	fi

# The whole tree: ruff's rules and formatting, and mypy (strict) on app, tests and bench.
lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LOWEST) data .pytest_cache .mypy_cache .ruff_cache
