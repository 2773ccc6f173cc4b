# Kizuna: the README's commands. `make run` serves the app, `make test` runs every test.
.PHONY: run test lint

PYTHON ?= python3

# The app alone (what `make run` needs); reinstalled when pyproject.toml changes.
.venv/.installed-app: pyproject.toml
	test -x .venv/bin/python || $(PYTHON) -m venv .venv
	.venv/bin/pip install -q -e .
	touch $@

# The app with the test and lint tools (pytest, Playwright's Python package, ruff, mypy).
.venv/.installed-test: pyproject.toml
	test -x .venv/bin/python || $(PYTHON) -m venv .venv
	.venv/bin/pip install -q -e ".[test]"
	touch $@ .venv/.installed-app

# axe-core for the accessibility browser tests, from npm at the locked version.
tests/e2e/node_modules/.package-lock.json: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund

# The embedded default (SQLite under var/, in-process jobs) at http://127.0.0.1:8000
run: .venv/.installed-app
	.venv/bin/python app.py

# The whole suite on SQLite, again on PostgreSQL + Redis + arq, then the browser tests
test: .venv/.installed-test tests/e2e/node_modules/.package-lock.json
	bash scripts/test.sh

# What CI checks besides the tests: lint, format, translations, types, the architecture.
lint: .venv/.installed-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python scripts/i18n.py check
	.venv/bin/mypy core accounts community events engagement crm
	.venv/bin/lint-imports
