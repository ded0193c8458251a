"""``siaga outbreak contacts|sources`` on presence and case files (also ``python -m siaga.engines.tracing``).

Exit codes: 0 success (the output file is written); 1 a file has bad rows, or there is no index case to
rank sources for (every bad row is listed with its line number, nothing is written); 2 wrong usage: an
unknown option or value, an unknown time zone, a file that cannot be read or written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from siaga.engines.tracing.contacts import close_contacts
from siaga.engines.tracing.data import LEVELS, Case, DataError, Presence, parse_cases, parse_presence
from siaga.engines.tracing.scan import DEFAULT_REPLICATES, space_time_scan
from siaga.engines.tracing.sources import NoCasesError, rank_places, sources_document


class _UsageError(Exception):
    """Wrong usage or a file that cannot be read or written; the message says which."""


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _UsageError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _UsageError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"{path}: {exc.strerror or exc}") from None


def _load(args: argparse.Namespace) -> tuple[list[Presence], list[Case]]:
    """Both files, reporting the bad rows of both before giving up."""
    errors: list[str] = []
    presence: list[Presence] = []
    cases: list[Case] = []
    presence_text, cases_text = _read(args.presence), _read(args.cases)
    try:
        presence = parse_presence(presence_text, args.presence)
    except DataError as exc:
        errors.extend(exc.errors)
    try:
        cases = parse_cases(cases_text, args.cases)
    except DataError as exc:
        errors.extend(exc.errors)
    if errors:
        raise DataError(errors)
    return presence, cases


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siaga outbreak", description="Close contacts and source ranking from presence and case files."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, default_level: str) -> None:
        p.add_argument("--presence", metavar="PRESENCE.csv", required=True)
        p.add_argument("--cases", metavar="CASES.csv", required=True)
        p.add_argument("--level", choices=LEVELS, default=default_level, help=f"default {default_level}")
        p.add_argument("--tz", default="Asia/Jakarta", metavar="ZONE", help="IANA time zone (default Asia/Jakarta)")

    con = sub.add_parser("contacts", help="Close contacts of every probable and confirmed case.")
    common(con, "room")
    con.add_argument("-o", "--output", metavar="CONTACTS.csv", required=True)
    con.add_argument("--min-minutes", type=_non_negative, default=15, metavar="N", help="default 15")
    con.add_argument("--before-days", type=_non_negative, default=2, metavar="N", help="default 2")
    con.add_argument("--after-days", type=_non_negative, default=14, metavar="N", help="default 14")
    src = sub.add_parser("sources", help="Rank the places most likely to be the source of the cluster.")
    common(src, "floor")
    src.add_argument("-o", "--output", metavar="SOURCES.json", required=True)
    src.add_argument(
        "--replicates",
        type=_non_negative,
        default=DEFAULT_REPLICATES,
        metavar="N",
        help=f"Monte-Carlo replicates of the space-time scan (default {DEFAULT_REPLICATES}; 0 skips the scan)",
    )
    src.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the scan (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        try:
            ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise _UsageError(f"--tz: unknown time zone {args.tz!r} (for example Asia/Jakarta)") from None
        presence, cases = _load(args)
        if args.command == "contacts":
            return _contacts(args, presence, cases, out)
        return _sources(args, presence, cases, out)
    except DataError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s); nothing was written.", file=sys.stderr)
        return 1
    except NoCasesError as exc:
        print(f"{args.cases}: {exc}; nothing was written.", file=sys.stderr)
        return 1
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2


def _contacts(args: argparse.Namespace, presence: list[Presence], cases: list[Case], out: TextIO) -> int:
    rows = close_contacts(
        presence,
        cases,
        tz=args.tz,
        level=args.level,
        min_minutes=args.min_minutes,
        before_days=args.before_days,
        after_days=args.after_days,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["case", "contact", "date", "minutes", "places"])
    for r in rows:
        writer.writerow([r.case, r.contact, r.date.isoformat(), r.minutes, ";".join(r.places)])
    _write(args.output, buffer.getvalue())
    index = sum(1 for c in cases if c.is_index)
    people = len({(r.case, r.contact) for r in rows})
    print(f"{index} index case(s), {people} close contact pair(s), {len(rows)} row(s) → {args.output}", file=out)
    return 0


def _sources(args: argparse.Namespace, presence: list[Presence], cases: list[Case], out: TextIO) -> int:
    ranking = rank_places(presence, cases, level=args.level, tz=args.tz)
    scan = None
    if args.replicates > 0:
        result = space_time_scan(
            presence, cases, ranking.period, tz=args.tz, replicates=args.replicates, seed=args.seed
        )
        scan = None if result is None else result.as_dict()
    text = json.dumps(sources_document(ranking, scan), ensure_ascii=False, indent=1) + "\n"
    _write(args.output, text)
    start, end = ranking.period
    print(
        f"{ranking.cases} case(s) among {ranking.population} people; exposure period {start} to {end}; "
        f"{len(ranking.places)} place(s) at {ranking.level} level → {args.output}",
        file=out,
    )
    if ranking.cases_without_presence:
        print(
            f"not in the presence file, so not counted: {', '.join(ranking.cases_without_presence)}",
            file=out,
        )
    for place in ranking.places[:5]:
        rr = "-" if place.risk_ratio is None else f"{place.risk_ratio:.1f}"
        print(
            f"  {place.place}: {place.a} of {place.a + place.b} exposed ill, {place.c} of {place.c + place.d} "
            f"unexposed; RR {rr}, p_holm {place.p_holm:.3g}",
            file=out,
        )
    if args.replicates > 0 and scan is None:
        print("space-time scan: no place and days with more case-days than expected", file=out)
    if scan is not None:
        print(
            f"space-time scan: {scan['zone']} {scan['start']} to {scan['end']}, {scan['case_days_observed']} "
            f"case-days against {scan['case_days_expected']:.1f} expected, p = {scan['p']:.3g}",
            file=out,
        )
    return 0
