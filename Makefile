# Two commands are the contract: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1:8000
HOUSEHOLDS ?= 2000
PYTEST_ARGS ?=

.PHONY: install run test bench lint format worker beat messages clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Serve the portal with demo data at http://127.0.0.1:8000 (embedded PostgreSQL unless DATABASE_URL is set).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --households $(HOUSEHOLDS)
	$(BIN)/python manage.py runserver $(HOST)

## Run the whole test suite.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## Run the benchmarks in bench/ (each prints what it measured).
bench: install
	$(BIN)/python bench/run.py

# Typed and checked by mypy (django-stubs): every service, selector and task module.
MYPY_FILES = $(sort $(wildcard */services.py */services/*.py */selectors.py */selectors/*.py */*/selectors.py */tasks.py governance/querysets.py governance/write_path.py governance/calendar.py governance/notices.py governance/webhooks.py governance/second_factor.py integrity/crypto.py governance/imports.py governance/import_jobs.py governance/cells.py governance/import_sets.py governance/import_columns.py governance/db_router.py governance/fanout.py */district_jobs.py governance/rollups.py governance/rollup_reader.py governance/rollup_verify.py security/partitions.py civility/partitions.py))

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_FILES)
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## A Celery worker and beat (needs REDIS_URL).
worker: install
	$(BIN)/celery -A governance worker --loglevel INFO

beat: install
	$(BIN)/celery -A governance beat --loglevel INFO

## Compile the project's zh_Hans catalogue (governance/locale; the .mo is committed, so only after editing the .po).
messages: install
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) .data .pytest_cache staticfiles
