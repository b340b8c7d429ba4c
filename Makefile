# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
# Test processes (pytest-xdist): one per core; each has its own database. TEST_WORKERS=0 runs in this process.
# Tests marked `timing` (wall-clock bounds) run afterwards in one process, so parallel load cannot fail them.
TEST_WORKERS ?= auto
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test setup lint bench bench-served bench-scale bench-history bench-timers bench-scripts bench-statistics test-postgres test-api-fuzz production test-production clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

setup: $(BIN)/activate  ## also the pinned front-end packages (npm ci) copied into app/static/vendor, and Pango + a CJK font for PDFs
	bash scripts/setup-pdf.sh
	bash scripts/build-assets.sh

run: setup  ## migrate the SQLite database, load demo data, serve on http://127.0.0.1:5000
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask deploy-processes
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup  ## the whole test suite on a throw-away SQLite database (browser tests use Debian's Chromium)
	bash scripts/setup-browser.sh
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m 'not production and not timing'
	$(BIN)/python -m pytest -q -m 'timing and not production'

lint: setup
	$(BIN)/ruff check .

test-postgres: setup  ## the suite again on a PostgreSQL server the script installs and starts if needed
	bash scripts/with-postgres.sh bash -c "$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m 'not production and not timing' && $(BIN)/python -m pytest -q -m 'timing and not production'"

test-api-fuzz: setup  ## schemathesis against the served API as a liaison and as the admin, on SQLite then PostgreSQL (README "Security")
	$(BIN)/python -m tests.fuzz_api
	bash scripts/with-postgres.sh $(BIN)/python -m tests.fuzz_api

production: setup  ## the production shape in the foreground: PostgreSQL, Redis, gunicorn, timer workers (README, "Operations")
	VENV=$(VENV) bash scripts/run-production.sh

test-production: setup  ## start the production shape itself and drive it over HTTP (needs root or sudo)
	$(BIN)/python -m pytest -q -m production tests/test_production.py

bench: bench-served bench-scale bench-history bench-timers bench-statistics  ## the benchmarks of README "Performance"

bench-served: setup  ## the case-transfer happy path over HTTP (gunicorn, PostgreSQL, 2 processes) and in-process
	bash scripts/with-postgres.sh $(BIN)/python -m bench.served

bench-timers: setup  ## one timer pass over 2,000 and 10,000 due deadlines, 1 and 2 workers, PostgreSQL and SQLite
	bash scripts/with-postgres.sh $(BIN)/python -m bench.timers

bench-history: setup  ## a step after 1, 10, 100, 1,000 loop rounds as a multiple of a fresh one, with and without compaction
	$(BIN)/python -m bench.history

bench-scripts: setup  ## what running diagram code in script processes costs, and what the limits stop (README "Security")
	$(BIN)/python -m bench.scripts --in-process

bench-statistics: setup  ## the statistics of a year, a half and a month over 3.5 years of a province's cases, SQLite and PostgreSQL
	$(BIN)/python -m bench.statistics

bench-scale: setup  ## every list and the dashboard at 175,000 instances and ~1M work items, SQLite and PostgreSQL
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) instance .pytest_cache
