#!/usr/bin/env bash
# The API against its own OpenAPI schema, as another system would call it: schemathesis generates
# requests from the live schema (/api/schema/) of a gunicorn serving a seeded demo database, as a
# district administrator's API key, and fails on any 5xx or any answer the schema does not describe
# (body, status code, content type). Two runs: a fixed seed (reproducible) and a random one (printed,
# so a failure can be replayed with SCHEMATHESIS_SEED=<seed>); then the integrity app's operations,
# closed to a district administrator, as a discipline inspector's key (fixed seed). Bounded: about
# 3,300 cases in all.
#
#   DATABASE_URL=postgres://…/portal_ci .ci/schemathesis.sh      (called by .ci/run; runs on its own too)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
BIN=$(cd "$(dirname "$PY")" && pwd)
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-7}        # per operation and run: ~205 operations × 2 runs ≈ 3,000 cases
FIXED_SEED=19
RANDOM_SEED=${SCHEMATHESIS_SEED:-$(( (RANDOM << 15) | RANDOM ))}
PORT=${SCHEMATHESIS_PORT:-18199}

base=${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server}
db="${base##*/}_schemathesis"
export DATABASE_URL="${base%/*}/$db"
export DJANGO_SETTINGS_MODULE=governance.settings.local DJANGO_DEBUG=0
# Throttling is not under test here; CELERY runs eagerly (no REDIS_URL), the cache is in memory.
export API_THROTTLE_USER=1000000/min API_THROTTLE_ANON=1000000/min
export DJANGO_LOG_LEVEL=ERROR   # 4xx are expected by the thousand; a 5xx is still logged
unset REDIS_URL
started=$(date +%s)
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

psql_url="${base%/*}/postgres"
psql "$psql_url" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
psql "$psql_url" -qc "CREATE DATABASE \"$db\"" >/dev/null
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --households "${SCHEMATHESIS_HOUSEHOLDS:-60}" >/dev/null
key=$("$PY" manage.py create_api_key "schemathesis-$$" --role district_admin --division "${PORTAL_DISTRICT_CODE:-431302}" | tail -n1)
# The integrity app is closed to everyone but discipline staff (a district administrator gets 404 on
# all of it), so its operations are fuzzed by a third run as a discipline inspector's key.
inspector_key=$("$PY" manage.py create_api_key "schemathesis-inspector-$$" --role discipline_inspector \
  --division "${PORTAL_DISTRICT_CODE:-431302}" | tail -n1)
echo "seeded in $(( $(date +%s) - started )) s"

"$BIN/gunicorn" governance.wsgi -b "127.0.0.1:$PORT" -w 2 --timeout 30 --log-level error \
  --limit-request-line 0 &   # long generated query strings reach Django (gunicorn would answer 414 itself)
server=$!
for _ in $(seq 1 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/schema/" && break
  sleep 0.5
done

run() {  # run <seed> [key] [schemathesis options…]; from the scratch directory, where it keeps its cache
  local seed=$1 auth=${2:-$key}
  shift; [ $# -gt 0 ] && shift
  (cd "$work" && "$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/schema/?format=json" \
    -H "Authorization: Api-Key $auth" "$@" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --phases fuzzing --max-examples "$EXAMPLES" --seed "$seed" --workers 1 --request-timeout 10 \
    --generation-database none --no-color --report junit --report-dir "$work/report-$seed-${auth:3:8}")
}
status=0
echo "== schemathesis, fixed seed $FIXED_SEED"
run "$FIXED_SEED" || status=1
echo "== schemathesis, random seed $RANDOM_SEED (replay: SCHEMATHESIS_SEED=$RANDOM_SEED .ci/schemathesis.sh)"
run "$RANDOM_SEED" || status=1
echo "== schemathesis, integrity operations as a discipline inspector, fixed seed $FIXED_SEED"
run "$FIXED_SEED" "$inspector_key" --include-path-regex '^/api/v1/integrity/' || status=1
echo "schemathesis: $(( $(date +%s) - started )) s in all"
psql "$psql_url" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true
exit $status
