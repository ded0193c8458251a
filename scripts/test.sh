#!/usr/bin/env bash
# Every check and test: lint, types, migrations, translations, pytest on SQLite and on PostgreSQL,
# browser tests in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=siaga.settings
export SECRET_KEY="test-only-secret-key-0123456789abcdefghijklmnop"
export DEBUG=false SIAGA_HTTPS=false ALLOWED_HOSTS="127.0.0.1,localhost,testserver"
export EMAIL_URL="smtp://127.0.0.1:1" TASKS_BACKEND="django_tasks_db.DatabaseBackend"
export SIAGA_VAR_DIR="$(mktemp -d /tmp/siaga-test.XXXXXX)"
trap 'rm -rf "$SIAGA_VAR_DIR"' EXIT
unset DATABASE_URL

step() { printf '\n== %s\n' "$*"; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (browser tests, PDF and signature checks, the nginx site check, translations, the Redis queue)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} — run: sudo apt-get install ${missing[*]}" >&2; exit 1
  fi
fi

step "ruff"
$BIN/ruff check .
step "mypy"
$BIN/mypy siaga
step "bandit (reviewed findings in bandit-baseline.json)"
$BIN/bandit -q -c pyproject.toml -r siaga -b bandit-baseline.json
step "pip-audit of requirements.lock (PyPI vulnerability data)"
$BIN/python scripts/pip_audit.py
step "migrations are up to date"
$BIN/siaga makemigrations --check --dry-run
step "translations"
$BIN/python scripts/check_messages.py
$BIN/siaga compilemessages --ignore='.venv/*' -v0
$BIN/siaga collectstatic --noinput -v0

step "pytest on SQLite (with browser tests)"
scripts/pytest.sh -q "$@"

step "pytest on PostgreSQL"
scripts/with-postgres.sh scripts/pytest.sh -q -m "not browser" "$@"
