# Canopy's everyday commands. `make run` and `make test` are all a newcomer needs.

VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run serve scheduler test test-sqlite test-postgres lint i18n bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate, seed the demo and serve on http://127.0.0.1:5000 (SQLite)
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

## serve: the production web server (gunicorn, gthread workers)
serve: $(STAMP)
	$(FLASK) db upgrade
	$(BIN)/gunicorn --worker-class gthread --workers 2 --threads 4 \
		--limit-request-line 8190 --bind 127.0.0.1:5000 wsgi:app

## scheduler: the one scheduler process, beside `make run` or `make serve`
scheduler: $(STAMP)
	$(FLASK) scheduler

## test: the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: $(STAMP) test-sqlite test-postgres

test-sqlite: $(STAMP)
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -m "not postgres"

test-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(BIN)/python -m pytest -m "not browser"; \
	else \
		echo "TEST_DATABASE_URL is unset: the PostgreSQL run is skipped."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

## i18n: extract every user-facing string, update the catalogs and compile them
i18n: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords N_ --no-location \
		--sort-output --omit-header --output-file app/translations/messages.pot .
	$(BIN)/pybabel update --input-file app/translations/messages.pot \
		--output-dir app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --directory app/translations --use-fuzzy

## screenshots: the key screens, saved under docs/screenshots/ (needs Chromium)
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots

## bench: the benchmarks on SQLite and PostgreSQL, printed as one table
bench: $(STAMP)
	$(BIN)/python -m bench.run
