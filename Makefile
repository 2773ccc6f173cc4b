# Kizuna — the two commands of the README.
.PHONY: run test

.venv/installed: pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q -e ".[test]"
	touch .venv/installed

# The app on the embedded default (SQLite under var/, in-process jobs) at http://127.0.0.1:8000
run: .venv/installed
	.venv/bin/python app.py

# The whole suite on SQLite, again on PostgreSQL + Redis + arq, then the browser tests
test: .venv/installed
	bash scripts/test.sh
