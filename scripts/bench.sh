#!/usr/bin/env bash
# Benchmarks (bench/): each prints a table of figures and the ratio to its baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=siaga.settings
export SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnop" DEBUG=false SIAGA_HTTPS=false
export ALLOWED_HOSTS=127.0.0.1 EMAIL_URL="smtp://127.0.0.1:1"
.venv/bin/python -m bench "$@"
