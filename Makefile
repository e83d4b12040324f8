# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck venv serve backup restore bench loadtest

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Local site on SQLite with the whole plan loaded and a demo account (DEBUG only).
run: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py createcachetable
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_plan
	DJANGO_DEBUG=1 $(BIN)/python manage.py ensure_demo_users
	DJANGO_DEBUG=1 PESEM_PUBLIC_PORTAL=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite, one process per core (pytest-xdist; TEST_WORKERS=0 for one process), then
# the 15 slowest tests. DATABASE_URL=postgres://... runs it against PostgreSQL; CI runs there
# only PYTEST_ARGS="-m postgres": the tests marked `postgres` (SQL, locking, transactions, the
# data version, imports, the API, fuzzing; every non-browser transactional test), which
# tests/conftest.py lists. Tests are dealt out in their order (--dist load): a worker never
# runs a plain database test after a transactional one, which empties the database (the
# plan is loaded once per worker). PYTHONDONTWRITEBYTECODE is cleared for pytest alone: its
# cache of rewritten test modules halves each worker's collection time.
TEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: venv
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=pesem.test_settings
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load --maxschedchunk=1 \
		--durations=15 $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Strict mypy with the django-stubs plugin on the typed modules ([tool.mypy] files).
typecheck: venv
	$(BIN)/mypy

# Production-like: gunicorn (PESEM_WORKERS), whitenoise static files, DEBUG off, DATABASE_URL.
serve: venv
	@test -n "$$DJANGO_SECRET_KEY" || { echo "DJANGO_SECRET_KEY no está definido: no se inicia el servidor de producción." >&2; exit 1; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py refresh_statuses
	$(BIN)/gunicorn -c pesem/gunicorn.conf.py pesem.wsgi

# Everything (plan, values, history, users) to backups/pesem-<date>.json.gz, and back.
backup: venv
	$(BIN)/python manage.py backup

restore: venv
	@test -n "$(FILE)" || { echo "Uso: make restore FILE=backups/pesem-AAAAMMDD-HHMMSS.json.gz" >&2; exit 1; }
	$(BIN)/python manage.py restore "$(FILE)"

# Benchmark in a separate database (SQLite file): in process, then through gunicorn + wrk with
# the database cache and Redis (BENCH_WRK_SECONDS per page, default 5; needs `apt-get install wrk`).
bench: venv
	$(BIN)/python bench/bench.py --http
	$(BIN)/python bench/sector_bench.py --http

# Load test against gunicorn + PostgreSQL on 127.0.0.1 (LOADTEST_SECONDS, default 60); with
# LOADTEST_REDIS_URL=redis://127.0.0.1:6379/15 the page cache is that Redis database (flushed).
loadtest: venv
	$(BIN)/python bench/loadtest.py
