#!/usr/bin/env bash
# Run pytest with the test environment (SQLite by default; wrap in scripts/with-postgres.sh for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=siaga.settings
export SECRET_KEY="test-only-secret-key-0123456789abcdefghijklmnop"
export DEBUG=false SIAGA_HTTPS=false ALLOWED_HOSTS="127.0.0.1,localhost,testserver"
export EMAIL_URL="${EMAIL_URL:-smtp://127.0.0.1:1}" TASKS_BACKEND="django_tasks_db.DatabaseBackend"
if [ -z "${SIAGA_VAR_DIR:-}" ]; then
  export SIAGA_VAR_DIR="$(mktemp -d /tmp/siaga-test.XXXXXX)"
  trap 'rm -rf "$SIAGA_VAR_DIR"' EXIT
  .venv/bin/siaga collectstatic --noinput -v0
  .venv/bin/siaga compilemessages --ignore='.venv/*' -v0  # the .mo files are built, not committed
fi
.venv/bin/pytest -p no:cacheprovider "$@"
