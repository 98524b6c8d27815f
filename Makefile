# The few commands people need. `make demo` and `make test` install what they need themselves.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TOOLS   := $(VENV)/.tools

.PHONY: demo test test-dates lint typecheck pytest catalog bench bytecode docs screenshots torture clean install tools

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# The project's compiled bytecode, written once: Python then loads it instead of compiling
# every module at every start (and never writes it itself where PYTHONDONTWRITEBYTECODE is set).
bytecode:
	$(BIN)/python -m compileall -q -j 0 exolab emulator devices scenarios benchmarks

install: $(STAMP)

# Real clients from outside the project that the tests drive (swaks, openssl, curl).
$(TOOLS):
	bash .ci/install-tools
	mkdir -p $(VENV) && touch $(TOOLS)

tools: $(TOOLS)

demo: $(STAMP) bytecode
	$(BIN)/exolab demo

lint: $(STAMP)
	$(BIN)/ruff check exolab emulator devices scenarios benchmarks tests
	$(BIN)/ruff format --check exolab/*.py exolab/cli emulator devices scenarios benchmarks tests

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(TOOLS)
	$(BIN)/pytest

catalog: $(STAMP) bytecode
	$(BIN)/exolab run --quiet

test: lint typecheck pytest catalog

# The suite again on lab dates past the basic-auth default-off (2026-12-31) and
# further out, so no test passes only because of today's date.
LATER_DATES := 2027-02-01 2029-01-01
test-dates: $(STAMP) $(TOOLS)
	@for d in $(LATER_DATES); do \
		echo "== pytest with EXOLAB_AS_OF=$$d"; \
		EXOLAB_AS_OF=$$d $(BIN)/pytest -q -p no:cacheprovider || exit 1; \
	done

# Every speed figure with its ratio and target; bench-record also writes them, with the
# machine, to docs/reference/benchmarks.md (make passes no flags: `make bench --record` cannot).
bench: $(STAMP) bytecode
	$(BIN)/python -m benchmarks

bench-record: $(STAMP) bytecode
	$(BIN)/python -m benchmarks --record

# The hostile-input suite in full (a few minutes): one table, non-zero on any loss,
# split, injection, crash or reply outside the catalog. `make test` runs its short version.
torture: $(STAMP)
	$(BIN)/python -m tests.torture

docs: $(STAMP)
	$(BIN)/exolab docs
	@echo "the console's pictures in docs/guide/screens: make screenshots (Chromium and a Japanese font)"

# Photographs the console (en, ja) for the trainer guides: a lab on a fixed date, simulated scans, Debian's Chromium.
screenshots: $(STAMP) $(TOOLS)
	$(BIN)/exolab docs --screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
