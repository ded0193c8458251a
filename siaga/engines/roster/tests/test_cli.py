"""``siaga roster solve|check|stress``: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from siaga.engines.roster.check import check
from siaga.engines.roster.cli import main
from siaga.engines.roster.tests.builders import (
    one_unit_plan_dict,
    one_unit_problem_dict,
    small_plan_dict,
    small_problem_dict,
)
from siaga.engines.roster.types import parse_plan, parse_problem

OK_OUTPUT = """\
term         recomputed      claimed
mixing                2            2
fairness              6            6
changes               0            0
underuse              3            3
total                41           41
bound                              0
OK: the plan satisfies every rule and its objective matches.
"""


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path / "problem.json", small_problem_dict()), write(tmp_path / "plan.json", small_plan_dict())


def test_check_prints_the_terms_and_exits_0(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *files]) == 0
    assert capsys.readouterr().out == OK_OUTPUT


def test_check_prints_each_violation_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = small_plan_dict()
    plan["assignments"][0]["shift"] = "siang"  # p1 leaves the morning front office on the 7th
    plan["objective"]["mixing"] = 3
    problem_path = write(tmp_path / "problem.json", small_problem_dict())
    assert main(["check", problem_path, write(tmp_path / "plan.json", plan)]) == 1
    assert capsys.readouterr().out == (
        "H6: unit dpmptsp: 0 on site with skill front_office in shift pagi on 2026-12-07, below the minimum of 1\n"
        "objective: objective.total is 41, but the plan gives 51\n"
        "term         recomputed      claimed\n"
        "mixing                3            3\n"
        "fairness              6            6\n"
        "changes               0            0\n"
        "underuse              3            3\n"
        "total                51           41\n"
        "bound                              0\n"
        "2 violation(s).\n"
    )


def test_a_format_error_exits_2_naming_the_file(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = small_problem_dict()
    data["colour"] = "merah"
    bad = write(tmp_path / "bad.json", data)
    assert main(["check", bad, files[1]]) == 2
    assert capsys.readouterr().err == f"{bad}: problem: unknown key(s) colour\n"


def test_a_plan_format_error_exits_2_naming_the_plan(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = small_plan_dict()
    data["status"] = "done"
    bad = write(tmp_path / "bad-plan.json", data)
    assert main(["check", files[0], bad]) == 2
    assert capsys.readouterr().err == (f"{bad}: plan.status: 'done' is not one of optimal, feasible, infeasible\n")


def test_invalid_json_and_a_missing_file_exit_2(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    assert main(["check", str(broken), files[1]]) == 2
    assert capsys.readouterr().err == f"{broken}: invalid JSON: Expecting value at line 1 column 12\n"
    missing = str(tmp_path / "missing.json")
    assert main(["stress", missing, files[1]]) == 2
    assert capsys.readouterr().err == f"{missing}: No such file or directory\n"


def test_stress_prints_the_weakest_services_and_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = write(tmp_path / "problem.json", one_unit_problem_dict(holders=1, others=0))
    plan = write(tmp_path / "plan.json", one_unit_plan_dict(holders=1, others=0))
    assert main(["stress", problem, plan, "--trials", "10", "--seed", "4"]) == 0
    assert capsys.readouterr().out == (
        "unit                 skill                 broken first  min survived\n"
        "dukcapil             signer                          10             0\n"
        "10 trials (seed 4): absences survived min 0, median 0, p90 0; never broken 0\n"
    )


def test_stress_refuses_zero_trials(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stress", *files, "--trials", "0"]) == 2
    assert capsys.readouterr().err == "--trials must be at least 1\n"


def test_solve_writes_a_plan_that_passes_the_independent_check(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "solved.json"
    assert main(["solve", files[0], "-o", str(out), "--time-limit", "10", "--workers", "1", "--seed", "1"]) == 0
    assert capsys.readouterr().out.startswith("status: ")
    plan = parse_plan(json.loads(out.read_text(encoding="utf-8")))
    report = check(parse_problem(small_problem_dict()), plan)
    assert report.violations == []
    assert plan.status in ("optimal", "feasible")


def test_solve_of_an_unreadable_problem_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing.json")
    assert main(["solve", missing, "-o", str(tmp_path / "plan.json")]) == 2
    assert capsys.readouterr().err == f"{missing}: No such file or directory\n"
    assert not (tmp_path / "plan.json").exists()


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False)


def test_the_siaga_command_passes_arguments_and_exit_code_through(files: tuple[str, str], tmp_path: Path) -> None:
    siaga = str(Path(sys.executable).parent / "siaga")
    done = run(siaga, "roster", "check", *files)
    assert (done.returncode, done.stdout) == (0, OK_OUTPUT)
    plan = small_plan_dict()
    plan["objective"]["underuse"] = 4
    done = run(siaga, "roster", "check", files[0], write(tmp_path / "bad.json", plan))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "objective: objective.underuse is 4, but the plan gives 3"


def test_python_m_runs_without_django(files: tuple[str, str]) -> None:
    done = run(sys.executable, "-m", "siaga.engines.roster", "check", *files)
    assert (done.returncode, done.stdout) == (0, OK_OUTPUT)
    probe = "import sys, siaga.engines.roster.cli; print(any(m.startswith('django') for m in sys.modules))"
    assert run(sys.executable, "-c", probe).stdout == "False\n"


def test_call_command_raises_with_the_exit_code(files: tuple[str, str], tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    plan = small_plan_dict()
    plan["objective"]["total"] = 40
    with pytest.raises(CommandError, match="roster check exited with status 1") as raised:
        call_command("roster", "check", files[0], write(tmp_path / "bad.json", plan))
    assert raised.value.returncode == 1
