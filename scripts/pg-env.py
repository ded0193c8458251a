"""Print shell exports of libpq's PG* variables for DATABASE_URL (used by backup.sh and restore.sh).

Siaga's own parser reads the URL, so the scripts accept exactly what the application accepts, and the
password travels in PGPASSWORD (never on a command line, where `ps` would show it).
"""

from __future__ import annotations

import os
import shlex
import sys

from siaga.env import parse_database_url


def main() -> int:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        print("DATABASE_URL is not set (source /etc/siaga/siaga.env first).", file=sys.stderr)
        return 2
    db = parse_database_url(url)
    if not db["ENGINE"].endswith("postgresql"):
        print("DATABASE_URL is not a PostgreSQL database; see docs/deploy.md for SQLite backups.", file=sys.stderr)
        return 2
    exports = {
        "PGDATABASE": db["NAME"],
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
        "PGHOST": db["HOST"],
        "PGPORT": db["PORT"],
        "PGSSLMODE": db["OPTIONS"].get("sslmode", ""),
        "PGSSLROOTCERT": db["OPTIONS"].get("sslrootcert", ""),
    }
    for name, value in exports.items():
        if value:
            print(f"export {name}={shlex.quote(str(value))}")
        else:
            print(f"unset {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
