#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: initdb into a temporary directory (as the
# postgres user when run as root), listen on a unix socket and loopback only, stop and delete it after.
# Usage: scripts/with-postgres.sh COMMAND [ARGS…]   (DATABASE_URL is set for the command)
set -euo pipefail
PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for v in 17 16 15; do [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && PGBIN="/usr/lib/postgresql/$v/bin" && break; done
fi
if [ -z "$PGBIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PGBIN=/usr/lib/postgresql/15/bin
  else
    echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1
  fi
fi
DIR=$(mktemp -d /tmp/siaga-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$DIR"; chmod 700 "$DIR"
  AS=(runuser -u postgres --)
fi
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" start >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (temporary)"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
"$@"
