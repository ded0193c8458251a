#!/usr/bin/env bash
# Follow docs/deploy.md in a temporary directory and check the result: code in DIR/opt/siaga, a virtual
# environment with the pinned dependencies, /etc/siaga/siaga.env made from deploy/siaga.env.example,
# a new PostgreSQL database, compilemessages, migrate, collectstatic, check --deploy, then gunicorn with
# deploy/gunicorn.conf.py on a loopback port and a worker run. Requests as nginx sends them (Host,
# X-Forwarded-Proto/-For) must get: /healthz 200 "ok", the login page 200 with HSTS and CSP, http → https
# redirect, /metrics from loopback. The systemd units of deploy/systemd/ pass `systemd-analyze verify`
# (with /opt/siaga pointing at the code under test). Then everything is stopped and removed.
#
# Usage: scripts/deploy-smoke.sh [--reuse-venv]
#   --reuse-venv  use this checkout and its .venv instead of a fresh copy and a fresh virtualenv (quick;
#                 what `make test` runs). Without it, the whole install takes a few minutes.
# Needs PostgreSQL: without DATABASE_URL it runs itself under scripts/with-postgres.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REUSE=false
[ "${1:-}" = "--reuse-venv" ] && REUSE=true
if [ -z "${DATABASE_URL:-}" ] || [[ "$DATABASE_URL" != postgres* ]]; then
  exec "$ROOT/scripts/with-postgres.sh" "$0" "$@"
fi
START=$SECONDS
step() { printf '== %3ds %s\n' $((SECONDS - START)) "$*"; }
fail() { echo "deploy-smoke: FAILED: $*" >&2; exit 1; }

DIR="$(mktemp -d /tmp/siaga-smoke.XXXXXX)"
DB="siaga_smoke_$RANDOM$RANDOM"
SERVER_URL="$DATABASE_URL"
WEB_PID=""
cleanup() {
  if [ -n "$WEB_PID" ] && kill -0 "$WEB_PID" 2>/dev/null; then kill -TERM "$WEB_PID"; wait "$WEB_PID" || true; fi
  psql -X -q "$SERVER_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if $REUSE; then
  CODE="$ROOT"
  step "code and virtualenv: this checkout ($CODE/.venv)"
else
  CODE="$DIR/opt/siaga"
  step "code: the committed tree into $CODE"
  mkdir -p "$CODE"
  git -C "$ROOT" archive HEAD | tar -x -C "$CODE"
  step "virtualenv with the pinned dependencies (scripts/bootstrap.sh)"
  "$CODE/scripts/bootstrap.sh" "${PYTHON:-python3}" "$CODE/.venv" >"$DIR/bootstrap.log" 2>&1 \
    || { cat "$DIR/bootstrap.log" >&2; fail "scripts/bootstrap.sh"; }
fi
BIN="$CODE/.venv/bin"

step "systemd units: systemd-analyze verify deploy/systemd/*"
if ! command -v systemd-analyze >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
fi
command -v systemd-analyze >/dev/null 2>&1 || fail "systemd-analyze not found: apt-get install systemd"
mkdir -p "$DIR/units"
for unit in "$ROOT"/deploy/systemd/*; do
  sed "s|/opt/siaga/|$CODE/|g" "$unit" > "$DIR/units/$(basename "$unit")"
done
# It exits 0 on some mistakes (an unknown Type= is only "ignoring"): any message at all is a failure.
VERIFY=$(cd "$DIR/units" && systemd-analyze verify --man=no ./*.service ./*.timer 2>&1) || fail "systemd-analyze: $VERIFY"
[ -z "$VERIFY" ] || fail "systemd-analyze: $VERIFY"
echo "   $(ls "$DIR/units" | tr '\n' ' ')verified"

step "database $DB"
psql -X -q "$SERVER_URL" -c "CREATE DATABASE $DB" >/dev/null
DB_URL="${SERVER_URL%/*}/$DB"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "configuration $DIR/etc/siaga/siaga.env from deploy/siaga.env.example"
mkdir -p "$DIR/etc/siaga" "$DIR/var/lib/siaga" "$DIR/run"
SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$SECRET|" \
    -e "s|^ALLOWED_HOSTS=.*|ALLOWED_HOSTS=siaga.test|" \
    -e "s|^SIAGA_BASE_URL=.*|SIAGA_BASE_URL=https://siaga.test|" \
    -e "s|^SIAGA_VAR_DIR=.*|SIAGA_VAR_DIR=$DIR/var/lib/siaga|" \
    -e "s|^DATABASE_URL=.*|DATABASE_URL=$DB_URL|" \
    -e "s|^EMAIL_URL=.*|EMAIL_URL=smtp://127.0.0.1:1|" \
    -e "s|^WEB_WORKERS=.*|WEB_WORKERS=2|" \
    "$ROOT/deploy/siaga.env.example" > "$DIR/etc/siaga/siaga.env"
echo "WEB_BIND=127.0.0.1:$PORT" >> "$DIR/etc/siaga/siaga.env"
# Like systemd's EnvironmentFile and siaga-admin: only the file's variables, nothing of the caller's.
run() { env -i PATH="$PATH" HOME="$DIR" LANG=C.UTF-8 sh -c 'set -a; . "$0"; set +a; cd "$1"; shift; exec "$@"' \
  "$DIR/etc/siaga/siaga.env" "$DIR/var/lib/siaga" "$@"; }

step "compilemessages, migrate, collectstatic, check --deploy"
run "$BIN/siaga" compilemessages --ignore='.venv/*' -v0 >/dev/null 2>&1 || fail "compilemessages"
run "$BIN/siaga" migrate -v0 || fail "migrate"
run "$BIN/siaga" collectstatic --noinput -v0 || fail "collectstatic"
CHECK=$(run "$BIN/siaga" check --deploy --fail-level WARNING 2>&1) || fail "check --deploy: $CHECK"
echo "   $CHECK"
run "$BIN/siaga" government create 33.11 "Kabupaten Sukoharjo" --kind kabupaten --zone WIB >/dev/null \
  || fail "government create"

step "gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:$PORT"
run env PROMETHEUS_MULTIPROC_DIR="$DIR/run/metrics" "$BIN/gunicorn" --config "$CODE/deploy/gunicorn.conf.py" \
  > "$DIR/web.log" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  kill -0 "$WEB_PID" 2>/dev/null || { cat "$DIR/web.log" >&2; fail "gunicorn exited"; }
  sleep 0.2
done
# What nginx sends (deploy/nginx/siaga.conf): the host, the scheme, the client's address.
AS_NGINX=(-H "Host: siaga.test" -H "X-Forwarded-Proto: https" -H "X-Forwarded-For: 36.72.10.5")

step "requests through the nginx headers"
HEALTH=$(curl -s -w '\n%{http_code}' "${AS_NGINX[@]}" "http://127.0.0.1:$PORT/healthz")
[ "$(tail -n1 <<<"$HEALTH")" = 200 ] || fail "/healthz: $HEALTH"
grep -q '"status": "ok"' <<<"$HEALTH" || fail "/healthz body: $HEALTH"
echo "   /healthz: $(head -n1 <<<"$HEALTH")"
HEADERS=$(curl -s -D - -o "$DIR/login.html" "${AS_NGINX[@]}" "http://127.0.0.1:$PORT/login/")
grep -q '^HTTP/1.1 200' <<<"$HEADERS" || fail "/login/: $HEADERS"
grep -qi '^Strict-Transport-Security: max-age=31536000' <<<"$HEADERS" || fail "no HSTS on /login/"
grep -qi "^Content-Security-Policy: default-src 'self'" <<<"$HEADERS" || fail "no CSP on /login/"
grep -qi '^Set-Cookie: csrftoken=.*; Secure' <<<"$HEADERS" || fail "the CSRF cookie is not Secure"
grep -q 'name="password"' "$DIR/login.html" || fail "/login/ has no password field"
STATIC=$(grep -o '/static/[^"]*\.css' "$DIR/login.html" | head -n1)
[ -n "$STATIC" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "${AS_NGINX[@]}" "http://127.0.0.1:$PORT$STATIC")" = 200 ] \
  || fail "static file $STATIC"
echo "   /login/: 200 with HSTS, CSP, a Secure CSRF cookie; $STATIC: 200"
REDIRECT=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: siaga.test" -H "X-Forwarded-Proto: http" \
  "http://127.0.0.1:$PORT/login/")
[ "$REDIRECT" = "301 https://siaga.test/login/" ] || fail "plain http is not redirected: $REDIRECT"
echo "   http://…/login/: $REDIRECT"
METRICS=$(curl -s -H "Host: siaga.test" "http://127.0.0.1:$PORT/metrics")
grep -q '^siaga_http_requests_total{status="2xx",view="login"} 1.0$' <<<"$METRICS" \
  || fail "/metrics did not count the login page: $(grep siaga_http_requests_total <<<"$METRICS")"
grep -q '^siaga_tasks_oldest_due_seconds ' <<<"$METRICS" || fail "/metrics has no task gauge"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${AS_NGINX[@]}" "http://127.0.0.1:$PORT/metrics")" = 404 ] \
  || fail "/metrics answered a client on the Internet"
echo "   /metrics: 200 from loopback (login counted), 404 for a client behind nginx"

step "worker: one batch"
run "$BIN/siaga" worker --batch -v0 || fail "siaga worker --batch"

step "stop"
kill -TERM "$WEB_PID"; wait "$WEB_PID" || true; WEB_PID=""
echo "deploy-smoke: OK in $((SECONDS - START)) s"
