#!/usr/bin/env bash
# Create the virtual environment and install the pinned dependencies.
set -euo pipefail
PY="${1:-python3}"; VENV="${2:-.venv}"
if [ -z "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Siaga needs Python 3.11 or newer (python3.11). On Debian 12: apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python3-venv with apt-get…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv' and try again." >&2
    exit 1
  fi
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade "pip>=24" "setuptools==80.9.0"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements.lock
"$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
echo "Environment ready in $VENV"
