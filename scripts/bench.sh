#!/usr/bin/env bash
# Benchmarks (bench/): each prints a table of figures and the ratio to its baseline, on SQLite and
# on a temporary PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=siaga.settings
export SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnop" DEBUG=false SIAGA_HTTPS=false
export ALLOWED_HOSTS=127.0.0.1 EMAIL_URL="smtp://127.0.0.1:1"
unset DATABASE_URL
scripts/with-postgres.sh bash -c 'BENCH_POSTGRES_URL="$DATABASE_URL"; unset DATABASE_URL; export BENCH_POSTGRES_URL; exec .venv/bin/python -m bench "$@"' bench "$@"
