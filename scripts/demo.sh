#!/usr/bin/env bash
# Start the demo: database under var/, demo regency, translations, web server and task worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
if [ ! -s var/secret_key ]; then
  $BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
  chmod 600 var/secret_key
fi
export DJANGO_SETTINGS_MODULE=siaga.settings
export SECRET_KEY="$(cat var/secret_key)"
export DEBUG="${DEBUG:-false}" SIAGA_HTTPS="${SIAGA_HTTPS:-false}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export EMAIL_URL="${EMAIL_URL:-console:}"
ADDR="${SIAGA_ADDR:-127.0.0.1:8000}"

$BIN/siaga migrate --noinput -v0
$BIN/siaga compilemessages --ignore='.venv/*' -v0
$BIN/siaga collectstatic --noinput -v0
$BIN/siaga demo seed --scale "${SIAGA_DEMO_SCALE:-regency}" --seed "${SIAGA_DEMO_SEED:-2020}" --if-empty
$BIN/siaga demo roster --time-limit "${SIAGA_DEMO_ROSTER_SECONDS:-15}"
$BIN/siaga demo workday
$BIN/siaga demo outbreak
$BIN/siaga demo services
$BIN/siaga demo accounts

$BIN/siaga worker --no-reload --interval 1 -v0 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "Task worker started (pid $WORKER)."
$BIN/siaga serve "$ADDR"
