# Kizuna: the README's commands. `make run` serves the app, `make test` runs every test.
.PHONY: run test test-fast lint typecheck lock

PYTHON ?= python3
# Every install is pinned by constraints.txt (pip-compile of pyproject.toml; `make lock`).
PIP_INSTALL = .venv/bin/pip install -q -c constraints.txt

# The app alone (what `make run` needs); reinstalled when the dependencies change.
.venv/.installed-app: pyproject.toml constraints.txt
	test -x .venv/bin/python || $(PYTHON) -m venv .venv
	$(PIP_INSTALL) -e .
	touch $@

# The app with the test and lint tools (pytest, Playwright's Python package, ruff, mypy).
.venv/.installed-test: pyproject.toml constraints.txt
	test -x .venv/bin/python || $(PYTHON) -m venv .venv
	$(PIP_INSTALL) -e ".[test]"
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

# The quick loop: the suite on SQLite with in-process jobs, no PostgreSQL, Redis or browser.
test-fast: .venv/.installed-test
	KIZUNA_TEST_BACKEND=sqlite .venv/bin/python -m pytest -q -p no:cacheprovider -m "not e2e"

# What CI checks besides the tests and types: lint, format, translations, the architecture.
lint: .venv/.installed-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python scripts/i18n.py check
	.venv/bin/lint-imports

typecheck: .venv/.installed-test
	.venv/bin/mypy core accounts community events content renewals engagement success crm app.py worker.py domains.py settings.py

# Re-pin every dependency to its newest release allowed by pyproject.toml (then run `make test`).
lock:
	test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install -q pip-tools)
	.venv-lock/bin/pip-compile -q --upgrade --extra test --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o constraints.txt pyproject.toml
