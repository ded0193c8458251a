#!/usr/bin/env bash
# Restore a Siaga backup made by scripts/backup.sh: the database dump into the (empty) database of
# DATABASE_URL, and the uploads archive into $SIAGA_VAR_DIR/private. Stop siaga-web and siaga-worker first.
# Usage: scripts/restore.sh [--force] DUMP [UPLOADS.tar.gz]
#   --force  also restore over a database that has tables (they are dropped and replaced) and over existing
#            uploads (moved aside to private.before-restore-STAMP, not deleted).
# Afterwards run `siaga migrate` when the code is newer than the backup (docs/deploy.md).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${SIAGA_PYTHON:-$HERE/../.venv/bin/python}"
PGBIN="${PGBIN:-}"
[ -n "$PGBIN" ] || PGBIN="$(dirname "$(command -v pg_restore || echo /usr/bin/pg_restore)")"
FORCE=false
if [ "${1:-}" = "--force" ]; then FORCE=true; shift; fi
DUMP="${1:-}"; FILES="${2:-}"
if [ -z "$DUMP" ] || [ $# -gt 2 ]; then
  echo "usage: $0 [--force] DUMP [UPLOADS.tar.gz]" >&2; exit 2
fi
for f in "$DUMP" ${FILES:+"$FILES"}; do
  [ -r "$f" ] || { echo "restore: cannot read $f" >&2; exit 1; }
done

# The checksums written by backup.sh, when they are next to the files.
SUMS="$(dirname "$DUMP")/$(basename "$DUMP" .dump).sha256"
if [ -r "$SUMS" ]; then
  (cd "$(dirname "$DUMP")" && grep -F -e "$(basename "$DUMP")" ${FILES:+-e "$(basename "$FILES")"} "$(basename "$SUMS")" \
    | sha256sum --check --quiet) || { echo "restore: checksum mismatch: the backup is damaged" >&2; exit 1; }
  echo "restore: checksums match"
fi

eval "$("$PYTHON" "$HERE/pg-env.py")"
TABLES="$("$PGBIN/psql" -X -q -t -A -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$TABLES" != "0" ] && ! $FORCE; then
  echo "restore: database $PGDATABASE already has $TABLES tables; restore into a new empty database" \
    "(createdb) or pass --force to replace them" >&2
  exit 1
fi
# One transaction: the public schema is emptied (with --force, what was there goes) and the dump's SQL
# replayed; any error rolls all of it back. Emptying the schema, rather than pg_restore --clean, also
# works for the month-partitioned tables, whose partitions' inherited keys cannot be dropped one by one.
{
  echo "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
  "$PGBIN/pg_restore" --no-owner --no-privileges --file=- "$DUMP"
} | "$PGBIN/psql" -X -q --single-transaction -v ON_ERROR_STOP=1 --dbname="$PGDATABASE" >/dev/null
echo "restore: database $PGDATABASE restored from $(basename "$DUMP")"

if [ -n "$FILES" ]; then
  VAR_DIR="${SIAGA_VAR_DIR:?SIAGA_VAR_DIR is not set (source /etc/siaga/siaga.env first)}"
  mkdir -p "$VAR_DIR"
  if [ -d "$VAR_DIR/private" ] && [ -n "$(ls -A "$VAR_DIR/private")" ]; then
    if ! $FORCE; then
      echo "restore: $VAR_DIR/private is not empty; pass --force to move it aside" >&2; exit 1
    fi
    ASIDE="$VAR_DIR/private.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    mv "$VAR_DIR/private" "$ASIDE"
    echo "restore: the uploads there before are in $ASIDE"
  fi
  TMP="$(mktemp -d "$VAR_DIR/.restore.XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  tar -C "$TMP" -xzf "$FILES" private
  rm -rf "$VAR_DIR/private"
  mv "$TMP/private" "$VAR_DIR/private"
  echo "restore: uploads restored into $VAR_DIR/private ($(find "$VAR_DIR/private" -type f | wc -l) files)"
fi
