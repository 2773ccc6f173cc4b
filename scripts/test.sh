#!/usr/bin/env bash
# The whole suite twice — SQLite + in-process jobs, then PostgreSQL + Redis + a real arq worker —
# and the browser tests once (against a live server on the embedded default).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${KIZUNA_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kizuna_test}
REDIS_URL=${KIZUNA_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 2
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 2
fi
db=${PG_URL##*/}
psql -q -U postgres -h 127.0.0.1 -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
psql -q -U postgres -h 127.0.0.1 -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' \
  LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" >/dev/null

passed=0; failed=0; status=0
run() {
  local label=$1; shift
  echo; echo "=== $label"
  local out; out=$(mktemp)
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  local line; line=$(grep -E '[0-9]+ (passed|failed|errors?|deselected).* in [0-9.]+s' "$out" | tail -n 1)
  local p f e
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  e=$(grep -oE '[0-9]+ error' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + p)); failed=$((failed + f + e))
  if [ "$rc" -ne 0 ]; then status=1; [ "$((f + e))" -eq 0 ] && failed=$((failed + 1)); fi
  if [ "$p" -eq 0 ]; then echo "no test ran in: $label" >&2; status=1; fi
  rm -f "$out"
}

run "SQLite + in-process jobs" env KIZUNA_TEST_BACKEND=sqlite \
  $PY -m pytest -q -m "not e2e" -p no:cacheprovider
run "PostgreSQL + Redis + arq worker" env KIZUNA_TEST_BACKEND=postgres \
  KIZUNA_TEST_DATABASE_URL="$PG_URL" KIZUNA_TEST_REDIS_URL="$REDIS_URL" \
  $PY -m pytest -q -m "not e2e" -p no:cacheprovider
run "browser (Debian chromium, live server on the embedded default)" \
  $PY -m pytest -q -m e2e -p no:cacheprovider

echo
echo "$passed passed, $failed failed"
exit $status
