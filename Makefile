# HMR developer commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test fuzz bench lint setup services chromium clean

# The Python client library (clients/python, `hmr_client`) is installed beside the server: the
# suite runs its own tests and uses it for the end-to-end checks (tests/client).
$(STAMP): pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' -e clients/python
	touch $(STAMP)

setup: $(STAMP)

## Run the server on the embedded defaults (SQLite, local-memory cache, eager Celery).
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py collectstatic --no-input -v0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py bootstrap
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $${HMR_LISTEN:-127.0.0.1:8000}

## Run the whole test suite on PostgreSQL and Redis (started if they are down), browser tests included.
test: $(STAMP) services chromium
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=hmr_site.settings.test
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

## Schemathesis over every API operation with many examples each (several minutes; make test runs 3).
fuzz: $(STAMP) services
	mkdir -p var
	HMR_FUZZ_EXAMPLES=$${HMR_FUZZ_EXAMPLES:-40} HMR_FUZZ_REPORT=var/fuzz-report.txt \
		$(BIN)/pytest -n 0 tests/fuzz -q; status=$$?; cat var/fuzz-report.txt; exit $$status

services:
	@scripts/ensure-services

## Headless Chromium and chromedriver for the browser tests (apt-get install when missing, as root).
chromium:
	@scripts/ensure-chromium

## Read-path benchmark against nginx (several minutes; see bench/README.md).
bench: $(STAMP) services
	bench/run
	bench/soak

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
