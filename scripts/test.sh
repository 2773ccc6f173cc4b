#!/usr/bin/env bash
# The README's test command (`make test`): the whole suite twice — SQLite + in-process jobs, and
# PostgreSQL + Redis + a real burst arq worker, both at once — then the browser tests, against
# a live server on the embedded default (SQLite). Ends with one line: "N passed, M failed".
#
# KIZUNA_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/kizuna_test) and
# KIZUNA_TEST_REDIS_URL (default redis://127.0.0.1:6379/15) choose the PostgreSQL run's services.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PG_URL=${KIZUNA_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kizuna_test}
REDIS_URL=${KIZUNA_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
PG_DB=${PG_URL##*/}
PG_DB=${PG_DB%%\?*}
PG_ADMIN_URL=${PG_URL%/*}/postgres

die() { echo "scripts/test.sh: $*" >&2; echo "0 passed, 1 failed"; exit 2; }

command -v psql >/dev/null || die "psql (PostgreSQL client) is not installed"
command -v redis-cli >/dev/null || die "redis-cli (Redis client) is not installed"
pg_isready -q -d "$PG_ADMIN_URL" ||
  die "PostgreSQL is not reachable at ${PG_URL%/*} (start it, or set KIZUNA_TEST_DATABASE_URL)"
[ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = "PONG" ] ||
  die "Redis is not reachable at $REDIS_URL (start it, or set KIZUNA_TEST_REDIS_URL)"
exists=$(psql -d "$PG_ADMIN_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") ||
  die "cannot query PostgreSQL at $PG_ADMIN_URL"
if [ "$exists" != "1" ]; then
  # A UTF-8 database: pg_trgm only sees Japanese characters with a UTF-8 ctype.
  psql -q -d "$PG_ADMIN_URL" -c "CREATE DATABASE \"$PG_DB\" TEMPLATE template0 ENCODING 'UTF8' \
    LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" || die "cannot create the database $PG_DB"
fi

passed=0 failed=0 skipped=0 status=0
# pytest's closing line, e.g. "140 passed, 3 deselected in 12.3s" (framed by "=" without -q).
SUMMARY='^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed)\b.* in [0-9.]+s'
count() { grep -oE "[0-9]+ $1" <<<"$2" | grep -oE '[0-9]+' || echo 0; }

# One pytest run's output and exit code, its figures added to the totals. A run that fails, or
# that runs no test (pytest's exit code 5, or a summary with nothing passed), fails the whole
# command.
tally() {
  local label=$1 out=$2 rc=$3 line p f e s
  line=$(grep -E "$SUMMARY" "$out" | tail -n 1)
  p=$(count passed "$line")
  f=$(count failed "$line")
  e=$(count 'errors?' "$line")
  s=$(count skipped "$line")
  passed=$((passed + p)) failed=$((failed + f + e)) skipped=$((skipped + s))
  if [ "$rc" -ne 0 ]; then
    status=1
    # Collection errors, crashes, timeouts: count the run as one failure when pytest counted none.
    [ $((f + e)) -eq 0 ] && failed=$((failed + 1))
    echo "*** $label: pytest exited with $rc" >&2
  elif [ "$p" -eq 0 ]; then
    status=1 failed=$((failed + 1))
    echo "*** $label: no test ran" >&2
  fi
}

# A pytest run shown as it goes.
run() {
  local label=$1 out rc
  shift
  printf '\n=== %s\n' "$label"
  out=$(mktemp)
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  tally "$label" "$out" "$rc"
  rm -f "$out"
}

# Two runs at once, shown when both are done. The SQLite and the PostgreSQL passes share
# nothing (their own temporary directory, database, Redis database, ports and SMTP sink), and
# each spends much of its time waiting on its database, so together they take about two thirds
# of their time one after the other.
run_together() {
  local label_a=$1 label_b=$2 out_a out_b pid_a pid_b rc_a rc_b
  shift 2
  out_a=$(mktemp) out_b=$(mktemp)
  printf '\n=== %s, and at the same time %s\n' "$label_a" "$label_b"
  env "${PASS_A[@]}" "$@" >"$out_a" 2>&1 &
  pid_a=$!
  env "${PASS_B[@]}" "$@" >"$out_b" 2>&1 &
  pid_b=$!
  wait "$pid_a"
  rc_a=$?
  wait "$pid_b"
  rc_b=$?
  printf '\n=== %s\n' "$label_a"
  cat "$out_a"
  tally "$label_a" "$out_a" "$rc_a"
  printf '\n=== %s\n' "$label_b"
  cat "$out_b"
  tally "$label_b" "$out_b" "$rc_b"
  rm -f "$out_a" "$out_b"
}

PYTEST=("$PY" -m pytest -q -p no:cacheprovider --durations=5)
PASS_A=(KIZUNA_TEST_BACKEND=sqlite)
PASS_B=(KIZUNA_TEST_BACKEND=postgres KIZUNA_TEST_DATABASE_URL="$PG_URL"
  KIZUNA_TEST_REDIS_URL="$REDIS_URL")
run_together "SQLite + in-process jobs" \
  "PostgreSQL ($PG_DB) + Redis ($REDIS_URL) + burst arq worker" "${PYTEST[@]}" -m "not e2e"
run "browser tests (Debian chromium; live server on the embedded default, SQLite)" \
  env KIZUNA_TEST_BACKEND=sqlite "${PYTEST[@]}" -m e2e tests/e2e

echo
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
