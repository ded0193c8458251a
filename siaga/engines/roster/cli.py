"""``siaga roster solve|check|stress`` on problem and plan files (also ``python -m siaga.engines.roster``).

Exit codes: 0 success (a plan was found; the plan passes every check); 1 the problem is infeasible, or the
plan breaks a rule or its objective does not match; 2 a file cannot be read or does not follow the format.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from siaga.engines.roster.check import TERMS, check
from siaga.engines.roster.stress import stress
from siaga.engines.roster.types import FormatError, Plan, Problem, parse_plan, parse_problem, plan_to_dict


class _FileError(Exception):
    """A file that cannot be read or parsed; the message starts with its path."""


def _load(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _FileError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _FileError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _FileError(f"{path}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _problem(path: str) -> Problem:
    data = _load(path)
    try:
        return parse_problem(data)
    except FormatError as exc:
        raise _FileError(f"{path}: {exc}") from None


def _plan(path: str) -> Plan:
    data = _load(path)
    try:
        return parse_plan(data)
    except FormatError as exc:
        raise _FileError(f"{path}: {exc}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siaga roster", description="Plan WFO/WFH rosters in stable cohorts.")
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="Solve a problem file and write the plan file.")
    solve.add_argument("problem", metavar="PROBLEM.json")
    solve.add_argument("-o", "--output", metavar="PLAN.json", required=True)
    solve.add_argument("--time-limit", type=float, default=30.0, metavar="S", help="seconds (default 30)")
    solve.add_argument("--workers", type=int, default=2, metavar="N", help="solver threads (default 2)")
    solve.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    chk = sub.add_parser("check", help="Check a plan against its problem: rules H1–H8 and the objective.")
    chk.add_argument("problem", metavar="PROBLEM.json")
    chk.add_argument("plan", metavar="PLAN.json")
    st = sub.add_parser("stress", help="How many random absences the plan survives before a service breaks.")
    st.add_argument("problem", metavar="PROBLEM.json")
    st.add_argument("plan", metavar="PLAN.json")
    st.add_argument("--trials", type=int, default=200, metavar="N", help="number of trials (default 200)")
    st.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "solve":
            return _solve(args, out)
        if args.command == "check":
            return _check(_problem(args.problem), _plan(args.plan), out)
        return _stress(args, out)
    except _FileError as exc:
        print(exc, file=sys.stderr)
        return 2


def _solve(args: argparse.Namespace, out: TextIO) -> int:
    from siaga.engines.roster.solve import solve  # the solver loads OR-Tools: only when asked to solve

    problem = _problem(args.problem)
    plan = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    text = json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1) + "\n"
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _FileError(f"{args.output}: {exc.strerror or exc}") from None
    print(f"status: {plan.status} ({plan.solve_seconds:.1f} s)", file=out)
    if plan.status == "infeasible":
        for e in plan.explanation:
            print(f"- {e.message}", file=out)
        return 1
    total = plan.objective.get("total")
    print(f"objective: {total}  bound: {plan.bound}", file=out)
    return 0


def _check(problem: Problem, plan: Plan, out: TextIO) -> int:
    report = check(problem, plan)
    for v in report.violations:
        print(f"{v.rule}: {v.message}", file=out)
    if report.total is not None:
        print(f"{'term':<10} {'recomputed':>12} {'claimed':>12}", file=out)
        for name in (*TERMS, "total"):
            value = report.total if name == "total" else report.terms[name]
            print(f"{name:<10} {value!s:>12} {report.claimed.get(name, '-')!s:>12}", file=out)
        print(f"{'bound':<10} {'':>12} {report.bound!s:>12}", file=out)
    if report.ok:
        print("OK: the plan satisfies every rule and its objective matches.", file=out)
        return 0
    print(f"{len(report.violations)} violation(s).", file=out)
    return 1


def _stress(args: argparse.Namespace, out: TextIO) -> int:
    problem, plan = _problem(args.problem), _plan(args.plan)
    if args.trials < 1:
        print("--trials must be at least 1", file=sys.stderr)
        return 2
    report = stress(problem, plan, trials=args.trials, seed=args.seed)
    print(f"{'unit':<20} {'skill':<20} {'broken first':>13} {'min survived':>13}", file=out)
    for s in report.services:
        least = "-" if s.min_survived is None else s.min_survived
        print(f"{s.unit:<20} {s.skill:<20} {s.broken_first:>13} {least!s:>13}", file=out)
    print(
        f"{report.trials} trials (seed {report.seed}): absences survived min {report.min}, "
        f"median {report.median:g}, p90 {report.p90}; never broken {report.never_broken}",
        file=out,
    )
    return 0
