"""``siaga outbreak contacts|sources``: files written, messages and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from siaga.engines.tracing.cli import main
from siaga.engines.tracing.tests.builders import cases_csv, presence_csv

PRESENCE = presence_csv(
    ("case", "mw/5/501", "2026-10-05T23:00", "2026-10-06T01:00"),
    ("ani", "mw/5/501", "2026-10-05T23:40", "2026-10-06T00:20"),
    ("budi", "mw/5", "2026-10-06T00:00", "2026-10-06T00:30"),
    ("citra", "mw/6/601", "2026-10-06T00:00", "2026-10-06T00:30"),
    ("dedi", "kb/1/101", "2026-10-06T00:00", "2026-10-06T00:30"),
)
CASES = cases_csv(("case", "konfirmasi-simptomatik", "2026-10-05", "", ""), ("budi", "suspek", "", "", ""))
CONTACTS = (
    "case,contact,date,minutes,places\n"
    "case,ani,2026-10-05,20,mw/5/501\n"
    "case,ani,2026-10-06,20,mw/5/501\n"
    "case,budi,2026-10-06,30,mw/5\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    presence, cases = tmp_path / "presence.csv", tmp_path / "cases.csv"
    presence.write_text(PRESENCE, encoding="utf-8")
    cases.write_text(CASES, encoding="utf-8")
    return str(presence), str(cases)


def contacts_args(files: tuple[str, str], out: Path, *extra: str) -> list[str]:
    return ["contacts", "--presence", files[0], "--cases", files[1], "-o", str(out), *extra]


def test_contacts_writes_the_rows_and_exits_0(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "contacts.csv"
    assert main(contacts_args(files, out)) == 0
    assert out.read_text(encoding="utf-8") == CONTACTS
    assert capsys.readouterr().out == f"1 index case(s), 2 close contact pair(s), 3 row(s) → {out}\n"


def test_contacts_options_change_the_rules(files: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    assert main(contacts_args(files, out, "--level", "building", "--min-minutes", "25", "--tz", "UTC")) == 0
    # In UTC everything is on 5 October; at building level citra (another floor) meets the case too.
    assert out.read_text(encoding="utf-8") == (
        "case,contact,date,minutes,places\n"
        "case,ani,2026-10-05,40,mw/5/501\n"
        "case,budi,2026-10-05,30,mw/5\n"
        "case,citra,2026-10-05,30,mw/6/601\n"
    )
    assert main(contacts_args(files, out, "--after-days", "0", "--before-days", "0")) == 0
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["case,ani,2026-10-05,20,mw/5/501"]


def test_bad_rows_of_both_files_exit_1_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    presence, cases = tmp_path / "p.csv", tmp_path / "c.csv"
    presence.write_text(PRESENCE + "eko,mw/5/501,2026-10-06T08:00:00+07:00,2026-10-06T07:00:00+07:00\n", "utf-8")
    cases.write_text(CASES + "eko,konfirmasi-asimptomatik,,,\n", encoding="utf-8")
    out = tmp_path / "contacts.csv"
    out.write_text("old\n", encoding="utf-8")
    assert main(contacts_args((str(presence), str(cases)), out)) == 1
    assert capsys.readouterr().err == (
        f"{presence}: line 7: end 2026-10-06T07:00:00+07:00 is not after start 2026-10-06T08:00:00+07:00\n"
        f"{cases}: line 4: specimen is required for konfirmasi-asimptomatik\n"
        "2 problem(s); nothing was written.\n"
    )
    assert out.read_text(encoding="utf-8") == "old\n"


def test_a_missing_file_and_an_unknown_zone_exit_2(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "contacts.csv"
    missing = str(tmp_path / "missing.csv")
    assert main(contacts_args((missing, files[1]), out)) == 2
    assert capsys.readouterr().err == f"{missing}: No such file or directory\n"
    assert main(contacts_args(files, out, "--tz", "Asia/Atlantis")) == 2
    assert capsys.readouterr().err == "--tz: unknown time zone 'Asia/Atlantis' (for example Asia/Jakarta)\n"
    assert not out.exists()


def test_wrong_usage_exits_2(files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(contacts_args(files, tmp_path / "x.csv", "--level", "desk"))
    assert raised.value.code == 2
    assert "invalid choice: 'desk'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(contacts_args(files, tmp_path / "x.csv", "--min-minutes", "-1"))
    assert raised.value.code == 2


def test_a_file_with_a_byte_order_mark_is_read(files: tuple[str, str], tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_text("\ufeff" + PRESENCE, encoding="utf-8")
    out = tmp_path / "contacts.csv"
    assert main(contacts_args((str(bom), files[1]), out)) == 0
    assert out.read_text(encoding="utf-8") == CONTACTS


def sources_args(files: tuple[str, str], out: Path, *extra: str) -> list[str]:
    return ["sources", "--presence", files[0], "--cases", files[1], "-o", str(out), *extra]


def test_sources_writes_the_ranking_and_the_scan(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sources.json"
    # Period: 21 September to 3 October; nobody was present then, except the stays added here.
    extra = Path(files[0])
    extra.write_text(
        PRESENCE
        + "case,mw/5/501,2026-10-01T08:00:00+07:00,2026-10-01T12:00:00+07:00\n"
        + "ani,mw/5/502,2026-10-01T08:00:00+07:00,2026-10-01T12:00:00+07:00\n"
        + "dedi,kb/1/101,2026-10-01T08:00:00+07:00,2026-10-01T12:00:00+07:00\n",
        encoding="utf-8",
    )
    assert main(sources_args(files, out, "--replicates", "19", "--seed", "1")) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "siaga-outbreak-sources/1"
    assert doc["level"] == "floor"
    assert doc["exposure_period"] == {"start": "2026-09-21", "end": "2026-10-03"}
    assert [(p["place"], p["a"], p["b"], p["c"], p["d"]) for p in doc["places"]] == [
        ("mw/5", 1, 1, 0, 3),
        ("kb/1", 0, 1, 1, 3),
    ]
    assert doc["space_time_scan"] is None  # one case-day cannot be a space-time cluster
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == (
        f"1 case(s) among 5 people; exposure period 2026-09-21 to 2026-10-03; 2 place(s) at floor level → {out}"
    )
    assert printed[1].startswith("  mw/5: 1 of 2 exposed ill, 0 of 3 unexposed; RR ")
    assert printed[-1] == "space-time scan: no place and days with more case-days than expected"


def test_sources_without_replicates_has_no_scan(files: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "sources.json"
    assert main(sources_args(files, out, "--replicates", "0", "--level", "room")) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["level"], doc["places"], doc["space_time_scan"]) == ("room", [], None)


def test_sources_without_an_index_case_exits_1(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(files[1]).write_text(cases_csv(("budi", "suspek", "", "", "")), encoding="utf-8")
    out = tmp_path / "sources.json"
    assert main(sources_args(files, out)) == 1
    assert capsys.readouterr().err == (
        f"{files[1]}: the case file has no probable or confirmed case (konfirmasi-*); nothing was written.\n"
    )
    assert not out.exists()


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False)


def test_the_siaga_command_passes_arguments_and_exit_code_through(files: tuple[str, str], tmp_path: Path) -> None:
    siaga = str(Path(sys.executable).parent / "siaga")
    out = tmp_path / "contacts.csv"
    done = run(siaga, "outbreak", *contacts_args(files, out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == CONTACTS
    done = run(siaga, "outbreak", *contacts_args(files, out, "--tz", "Mars/Olympus"))
    assert done.returncode == 2
    assert done.stderr == "--tz: unknown time zone 'Mars/Olympus' (for example Asia/Jakarta)\n"


def test_python_m_runs_without_django(files: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    done = run(sys.executable, "-m", "siaga.engines.tracing", *contacts_args(files, out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == CONTACTS
    probe = (
        "import sys, siaga.engines.tracing.cli, siaga.engines.tracing.scan;"
        " print(any(m.startswith('django') for m in sys.modules))"
    )
    assert run(sys.executable, "-c", probe).stdout == "False\n"


def test_call_command_raises_with_the_exit_code(files: tuple[str, str], tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    Path(files[1]).write_text("person,classification\n", encoding="utf-8")
    with pytest.raises(CommandError, match="outbreak contacts exited with status 1") as raised:
        call_command("outbreak", *contacts_args(files, tmp_path / "contacts.csv"))
    assert raised.value.returncode == 1


def test_sources_reports_the_scan_beside_the_ranking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt
    import random

    from siaga.engines.tracing.tests.test_scan import habits, stay

    records = habits(random.Random(1), 30)
    records += [stay(f"c{i:02d}", "mw/5/aula", dt.date(2026, 10, 13), (9, 12)) for i in range(12)]
    zone = dt.timezone(dt.timedelta(hours=7))

    def iso(us: int) -> str:
        return dt.datetime.fromtimestamp(us / 10**6, zone).isoformat()

    presence, cases, out = tmp_path / "p.csv", tmp_path / "c.csv", tmp_path / "s.json"
    presence.write_text(
        "person,place,start,end\n" + "".join(f"{r.person},{r.place},{iso(r.start)},{iso(r.end)}\n" for r in records),
        encoding="utf-8",
    )
    cases.write_text(
        cases_csv(*((f"c{i:02d}", "konfirmasi-asimptomatik", "", "2026-10-22", "") for i in range(30))), "utf-8"
    )
    assert main(sources_args((str(presence), str(cases)), out, "--level", "room")) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    scan = doc["space_time_scan"]
    assert {k: scan[k] for k in ("zone", "zone_level", "start", "end", "case_days_observed", "replicates", "seed")} == {
        "zone": "mw/5/aula",
        "zone_level": "room",
        "start": "2026-10-13",
        "end": "2026-10-13",
        "case_days_observed": 12,
        "replicates": 999,
        "seed": 0,
    }
    assert scan["p"] == 0.001
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"space-time scan: mw/5/aula 2026-10-13 to 2026-10-13, 12 case-days against "
        f"{scan['case_days_expected']:.1f} expected, p = 0.001"
    )


def test_sources_with_the_same_seed_writes_the_same_bytes(files: tuple[str, str], tmp_path: Path) -> None:
    Path(files[0]).write_text(
        PRESENCE
        + "".join(
            f"{p},mw/5/50{d % 3},2026-09-2{d}T08:00:00+07:00,2026-09-2{d}T12:00:00+07:00\n"
            for p in ("case", "ani", "budi", "dedi")
            for d in range(1, 8)
        ),
        encoding="utf-8",
    )
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    assert main(sources_args(files, first, "--level", "room", "--seed", "7", "--replicates", "99")) == 0
    assert main(sources_args(files, second, "--level", "room", "--seed", "7", "--replicates", "99")) == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(json.loads(first.read_text(encoding="utf-8"))["places"]) == 3
