# Servicenivåportalen. Quick start: `make run` (demo on SQLite, tasks in-process), `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo region (skane, halland, norrbotten): `make run REGION=halland` on a fresh database.
REGION ?= skane
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

# Development server on the embedded default: SQLite file, Celery tasks in-process, demo region.
run: install
	@echo "make run: utvecklingsläge, DJANGO_DEBUG=1 — felsidor med detaljer, demoinloggningarna öppna, e-post"
	@echo "          skrivs i terminalen. Aldrig så i produktion (docs/deployment.md)."
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --if-empty --region $(REGION)
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	DJANGO_DEBUG=1 $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks (not part of `make test`): needs PostgreSQL; see docs/performance.md.
bench: install
	$(PY) tests/perf/bench.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
