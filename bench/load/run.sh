#!/usr/bin/env bash
# The load test of a regency's morning on a temporary PostgreSQL server: bench/load/run.sh [--speed X]
set -euo pipefail
cd "$(dirname "$0")/../.."
unset DATABASE_URL
exec .venv/bin/python -m bench.load.run "$@"
