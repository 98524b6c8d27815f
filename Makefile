# The few commands people need. `make demo` and `make test` install what they need themselves.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TOOLS   := $(VENV)/.tools

.PHONY: demo test lint typecheck pytest catalog bench docs clean install tools

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Real clients from outside the project that the tests drive (swaks, openssl, curl).
$(TOOLS):
	bash .ci/install-tools
	mkdir -p $(VENV) && touch $(TOOLS)

tools: $(TOOLS)

demo: $(STAMP)
	$(BIN)/exolab demo

lint: $(STAMP)
	$(BIN)/ruff check emulator devices scenarios benchmarks tests
	$(BIN)/ruff format --check emulator devices scenarios benchmarks tests

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(TOOLS)
	$(BIN)/pytest

catalog: $(STAMP)
	$(BIN)/exolab run --quiet

test: lint typecheck pytest catalog

bench: $(STAMP)
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/exolab docs

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
