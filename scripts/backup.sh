#!/usr/bin/env bash
# Back up Siaga: the PostgreSQL database (pg_dump, custom format) and the uploads ($SIAGA_VAR_DIR/private),
# into DEST (default /var/backups/siaga), as siaga-STAMP.dump and private-STAMP.tar.gz, each with a
# SHA-256 sum; then delete backups older than BACKUP_KEEP_DAYS (default 14) days.
# Reads DATABASE_URL and SIAGA_VAR_DIR from the environment (the systemd unit loads /etc/siaga/siaga.env).
# Usage: scripts/backup.sh [DEST]          Restore with scripts/restore.sh (docs/deploy.md).
set -euo pipefail
umask 077
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${SIAGA_PYTHON:-$HERE/../.venv/bin/python}"
DEST="${1:-/var/backups/siaga}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
VAR_DIR="${SIAGA_VAR_DIR:?SIAGA_VAR_DIR is not set (source /etc/siaga/siaga.env first)}"
PGBIN="${PGBIN:-}"
[ -n "$PGBIN" ] || PGBIN="$(dirname "$(command -v pg_dump || echo /usr/bin/pg_dump)")"

eval "$("$PYTHON" "$HERE/pg-env.py")"
mkdir -p "$DEST"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
DUMP="$DEST/siaga-$STAMP.dump"
FILES="$DEST/private-$STAMP.tar.gz"

# Written under a temporary name and renamed when complete: a half-written file is never a "backup".
"$PGBIN/pg_dump" --format=custom --compress=6 --no-owner --no-privileges --file="$DUMP.part"
mv "$DUMP.part" "$DUMP"
mkdir -p "$VAR_DIR/private"
tar -C "$VAR_DIR" -czf "$FILES.part" private
mv "$FILES.part" "$FILES"
(cd "$DEST" && sha256sum "$(basename "$DUMP")" "$(basename "$FILES")" > "siaga-$STAMP.sha256")

find "$DEST" -maxdepth 1 -type f \( -name 'siaga-*.dump' -o -name 'private-*.tar.gz' -o -name 'siaga-*.sha256' \) \
  -mtime "+$KEEP_DAYS" -delete
find "$DEST" -maxdepth 1 -type f -name '*.part' -mmin +1440 -delete
echo "backup: $DUMP ($(du -h "$DUMP" | cut -f1)), $FILES ($(du -h "$FILES" | cut -f1))"
