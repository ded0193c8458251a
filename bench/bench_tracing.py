"""Outbreak tracing engine on a generated regency-sized presence file, against a naive all-pairs scan.

The presence file (seeded): 7,000 people in 4 buildings × 4 floors × 10 rooms (plus a meeting room per
floor) over 60 days; on each working day a person has a morning and an afternoon stay in their own room,
sometimes a meeting on their floor and a short stay on the floor without a room (pantry, corridor), so
about a million rows. CASES.csv holds a 30-case cluster on one floor.

Measured in the same run:
- the CLI (``python -m siaga.engines.tracing contacts`` and ``sources``) on the whole file, in a fresh
  process, wall time and peak memory;
- in process: parsing, close contacts of the 30 cases, and source ranking with the space-time scan;
- on a slice (the first 7 days, 2 cases): the engine against ``naive_close_contacts`` (every record of
  the case against every record), checked to give the same rows; the ratio column is engine ÷ naive.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import Row, print_table, run_child

SEED = 0
PEOPLE = 7_000
DAYS = 60
FIRST_DAY = dt.date(2026, 9, 1)
BUILDINGS = ("menara-wijaya", "kantor-bupati", "gedung-dprd", "balai-kesehatan")
FLOORS = 4
ROOMS = 10
CLUSTER = 30
SLICE_DAYS = 7
SLICE_CASES = 2
TARGET_CLI = 60.0  # seconds for the contacts CLI on the whole file ("well under a minute")


def generate(folder: Path) -> tuple[Path, Path, int]:
    """Write PRESENCE.csv and CASES.csv; return their paths and the number of presence rows."""
    rng = random.Random(SEED)
    rooms = [f"{b}/{f}/{f}{r:02d}" for b in BUILDINGS for f in range(1, FLOORS + 1) for r in range(1, ROOMS + 1)]
    home = [rooms[rng.randrange(len(rooms))] for _ in range(PEOPLE)]
    lines = ["person,place,start,end\n"]
    for k in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=k)
        if day.weekday() >= 5:
            continue
        stamp = day.isoformat()

        def at(minute: int, stamp: str = stamp) -> str:
            return f"{stamp}T{minute // 60:02d}:{minute % 60:02d}:00+07:00"

        for p in range(PEOPLE):
            if rng.random() < 0.1:  # on leave or working from home
                continue
            person = f"p{p:05d}"
            room = home[p]
            floor = room.rsplit("/", 1)[0]
            arrive = 450 + rng.randrange(30)
            lines.append(f"{person},{room},{at(arrive)},{at(690)}\n")
            lines.append(f"{person},{room},{at(780)},{at(960 + rng.randrange(30))}\n")
            if rng.random() < 0.4:
                start = 540 + 30 * rng.randrange(5)
                lines.append(f"{person},{floor}/rapat,{at(start)},{at(start + 30 * rng.randrange(1, 4))}\n")
            if rng.random() < 0.8:
                start = 700 + rng.randrange(60)
                lines.append(f"{person},{floor},{at(start)},{at(start + 5 + rng.randrange(20))}\n")
            if rng.random() < 0.5:
                start = 1000 + rng.randrange(30)
                lines.append(f"{person},{floor},{at(start)},{at(start + 10)}\n")
    presence = folder / "presence.csv"
    presence.write_text("".join(lines), encoding="utf-8")
    floor = f"{BUILDINGS[0]}/3/"
    members = [p for p in range(PEOPLE) if home[p].startswith(floor)]
    onset = FIRST_DAY + dt.timedelta(days=40)
    case_lines = ["person,classification,onset,specimen,isolation_start\n"]
    for p in rng.sample(members, CLUSTER):
        day = onset + dt.timedelta(days=rng.randrange(8))
        if rng.random() < 0.7:
            case_lines.append(f"p{p:05d},konfirmasi-asimptomatik,,{day},{day + dt.timedelta(days=1)}\n")
        else:
            case_lines.append(f"p{p:05d},konfirmasi-simptomatik,{day},,{day + dt.timedelta(days=1)}\n")
    cases = folder / "cases.csv"
    cases.write_text("".join(case_lines), encoding="utf-8")
    return presence, cases, len(lines) - 1


def _child_peak(stdout: str) -> float:
    return float(stdout.strip().splitlines()[-1])


def main() -> None:
    from siaga.engines.tracing.contacts import close_contacts, naive_close_contacts
    from siaga.engines.tracing.data import Clock, parse_cases, parse_presence
    from siaga.engines.tracing.scan import space_time_scan
    from siaga.engines.tracing.sources import rank_places

    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-tracing-"))
    try:
        start = time.perf_counter()
        presence_path, cases_path, rows_count = generate(folder)
        generated = time.perf_counter() - start

        env_note = "fresh process"
        cli_contacts, _, _ = run_child(
            "siaga.engines.tracing",
            ["contacts", "--presence", str(presence_path), "--cases", str(cases_path), "-o", str(folder / "c.csv")],
            env=dict(os.environ),
        )
        contacts_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        cli_sources, _, _ = run_child(
            "siaga.engines.tracing",
            ["sources", "--presence", str(presence_path), "--cases", str(cases_path), "-o", str(folder / "s.json")],
            env=dict(os.environ),
        )
        contact_rows = (folder / "c.csv").read_text(encoding="utf-8").count("\n") - 1

        text = presence_path.read_text(encoding="utf-8")
        start = time.perf_counter()
        presence = parse_presence(text)
        parse_seconds = time.perf_counter() - start
        cases = parse_cases(cases_path.read_text(encoding="utf-8"))
        start = time.perf_counter()
        rows = close_contacts(presence, cases)
        contacts_seconds = time.perf_counter() - start
        start = time.perf_counter()
        ranking = rank_places(presence, cases, level="floor")
        rank_seconds = time.perf_counter() - start
        start = time.perf_counter()
        scan = space_time_scan(presence, cases, ranking.period, replicates=999, seed=SEED)
        scan_seconds = time.perf_counter() - start

        clock = Clock("Asia/Jakarta")
        cut = clock.midnight(FIRST_DAY + dt.timedelta(days=SLICE_DAYS))
        part = [r for r in presence if r.start < cut]
        slice_cases = [
            type(c)(c.person, "konfirmasi-simptomatik", onset=FIRST_DAY + dt.timedelta(days=3))
            for c in sorted(cases, key=lambda c: c.person)[:SLICE_CASES]
        ]
        start = time.perf_counter()
        fast = close_contacts(part, slice_cases)
        fast_seconds = time.perf_counter() - start
        start = time.perf_counter()
        naive = naive_close_contacts(part, slice_cases)
        naive_seconds = time.perf_counter() - start
        same = 1.0 if fast == naive else 0.0
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    top = ranking.places[0]
    cli_ok = "met" if cli_contacts <= TARGET_CLI else "MISSED"
    out = [
        Row(f"generate the files ({rows_count:,} presence rows)", generated, "s"),
        Row(
            f"CLI contacts, {CLUSTER} cases, whole file ({env_note})",
            cli_contacts,
            "s",
            target=f"< {TARGET_CLI:.0f} s ({cli_ok})",
        ),
        Row("CLI contacts: peak memory", contacts_peak, "MB"),
        Row("CLI contacts: rows written", contact_rows, ""),
        Row("CLI sources (floor level, scan 999 replicates)", cli_sources, "s"),
        Row("in process: parse PRESENCE.csv", parse_seconds, "s"),
        Row(f"in process: close contacts of {CLUSTER} cases", contacts_seconds, "s", target=f"{len(rows)} rows"),
        Row("in process: source ranking (floor level)", rank_seconds, "s", target=f"first: {top.place}"),
        Row(
            "in process: space-time scan, 999 replicates",
            scan_seconds,
            "s",
            target="" if scan is None else f"{scan.zone} {scan.start}–{scan.end}, p = {scan.p:.3f}",
        ),
        Row(
            f"slice ({len(part):,} rows, {SLICE_CASES} cases): engine",
            fast_seconds,
            "s",
            naive_seconds,
            f"{len(fast)} rows",
        ),
        Row("  naive all-pairs scan on the slice", naive_seconds, "s"),
        Row("  same rows as the naive scan (1 = yes)", same, "", target="1"),
    ]
    print_table(
        f"Outbreak tracing (seed {SEED}: {PEOPLE:,} people × {DAYS} days, {rows_count:,} presence rows, "
        f"{CLUSTER}-case cluster); baseline = naive all-pairs scan on a slice, same run",
        out,
    )


if __name__ == "__main__":
    main()
