# The two commands a newcomer needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test install install-test serve clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

# Installs, migrates, generates the demo county once, starts web app + worker, prints logins.
demo: install
	$(BIN)/python -m microcredit migrate --noinput
	$(BIN)/python -m microcredit demo-data --seed 1 --if-empty
	$(BIN)/python -m microcredit demo-logins
	$(BIN)/python -m microcredit worker & echo $$! > var/worker.pid
	$(BIN)/python -m microcredit serve --port $(PORT); kill `cat var/worker.pid` 2>/dev/null || true

# The whole suite; uses PostgreSQL when DATABASE_URL is set. The layer contracts first (pyproject.toml).
test: install-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
