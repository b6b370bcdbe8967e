# RonR: `make demo` to see it work, `make test` to check it. Both create .venv as needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/ronr demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check bot connectors tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy --strict bot connectors

# The browser tests drive Debian's chromium through Playwright (never `playwright install`).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

unit: $(TEST_STAMP) | $(CHROMIUM)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(TEST_STAMP)
	$(BIN)/python -m bench --write-docs

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
