# Siaga: `make demo` starts the demo, `make test` runs every check and test.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test lint bench messages clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@scripts/bootstrap.sh "$(PY)" "$(VENV)"
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: install
	@scripts/demo.sh

test: install
	@scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check siaga bench scripts conftest.py
	$(BIN)/mypy siaga
	$(BIN)/bandit -q -c pyproject.toml -r siaga -b bandit-baseline.json

bench: install
	@scripts/bench.sh

messages: install
	DEBUG=1 $(BIN)/siaga makemessages -l id -l en --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='*/tests/*' --ignore='tests/*' --ignore='bench/*'
	DEBUG=1 $(BIN)/siaga compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
