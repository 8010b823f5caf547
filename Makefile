# Salesdesk: `make run` serves the app with demo data, `make test` runs every check.
SHELL := /bin/bash
# The interpreter .venv is made with (scripts/python.sh says why it prefers the system's python3.11).
PYTHON ?= $(shell bash scripts/python.sh)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 3
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test lint messages migrate demo system-deps bench clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the project needs: gettext (compiling translations), Chromium (browser
# tests), Noto CJK fonts (Chinese PDFs). Installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

messages: $(VENV)/.installed
	@if ! ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then echo "no translations to compile"; \
	elif command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore='.venv/*' --ignore='node_modules/*' -v 0; \
	else echo "msgfmt not found: translations not compiled (run 'make system-deps')"; fi

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --no-input -v 0

run: system-deps $(VENV)/.installed node_modules/.installed messages migrate
	$(PY) manage.py load_demo
	$(PY) manage.py expire_documents
	@echo
	@echo "  Salesdesk is running at http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (user/password): admin/admin, manager/manager, sales/sales, sales2/sales2,"
	@echo "  sales3/sales3, warehouse/warehouse, accountant/accountant"
	@echo "  API docs: http://127.0.0.1:$(PORT)/api/docs/"
	@echo
	exec $(VENV)/bin/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - --log-level warning

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: system-deps $(VENV)/.dev-installed node_modules/.installed messages lint
	$(PY) manage.py makemigrations --check --dry-run -v 0
	@echo "=== pytest on SQLite ==="
	$(VENV)/bin/pytest -n 2 -p no:cacheprovider
	@echo "=== pytest on PostgreSQL ==="
	bash scripts/with-postgres.sh $(VENV)/bin/pytest -n 2 -p no:cacheprovider

# Benchmarks on generated data, SQLite then a throwaway PostgreSQL: var/bench/results.json and a
# table. BENCH_SCALE=S (default 1), BENCH_QUICK=1 (a small run), BENCH_ONLY=cycle,lists.
bench: $(VENV)/.dev-installed node_modules/.installed messages
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) node_modules var/static
