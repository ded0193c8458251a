"""``siaga partitions``: the month partitions of presence and the audit log (PostgreSQL).

    siaga partitions                               list the partitions with their row counts
    siaga partitions --ensure [--months-ahead 3]   create the coming months' partitions
    siaga partitions --drop-expired                drop the months older than the retention settings
    siaga partitions --ensure --drop-expired --dry-run   say what would be done, change nothing

The worker does ``--ensure --drop-expired`` once a day by itself (see docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siaga.core import partitions


class Command(BaseCommand):
    help = "List, create and drop the month partitions of presence and the audit log (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ensure", action="store_true", help="Create the partitions of the coming months.")
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=partitions.MONTHS_AHEAD,
            help=f"Months after the current one to create (default {partitions.MONTHS_AHEAD}).",
        )
        parser.add_argument(
            "--drop-expired",
            action="store_true",
            help="Drop the month partitions older than PRESENCE_RETENTION_MONTHS / AUDIT_RETENTION_MONTHS.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.enabled():
            raise CommandError("Partitions exist on PostgreSQL only; this database is not PostgreSQL.")
        if options["months_ahead"] < 0 or options["months_ahead"] > 120:
            raise CommandError("--months-ahead must be between 0 and 120.")
        dry_run = options["dry_run"]
        verb = "would " if dry_run else ""
        changes: list[partitions.Change] = []
        if options["ensure"]:
            changes += partitions.ensure_partitions(options["months_ahead"], dry_run=dry_run)
        if options["drop_expired"]:
            changes += partitions.drop_expired(dry_run=dry_run)
        for change in changes:
            if change.action == "create":
                moved = f" ({change.rows} rows moved in from the default partition)" if change.rows else ""
                self.stdout.write(f"{verb}create {change.partition}{moved}")
            else:
                self.stdout.write(f"{verb}drop {change.partition} ({change.rows} rows)")
        if (options["ensure"] or options["drop_expired"]) and not changes:
            self.stdout.write("nothing to do")
        for spec in partitions.SPECS:
            found = partitions.partitions(spec)
            if not found:
                self.stdout.write(f"{spec.table}: not partitioned")
                continue
            self.stdout.write(f"{spec.table} (by {spec.column}; kept {partitions.retention_of(spec)} months)")
            for part in found:
                month = "default" if part.month is None else f"{part.month:%Y-%m}"
                self.stdout.write(f"  {part.name:<40} {month:<8} {part.rows:>12,} rows")
