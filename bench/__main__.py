"""Run the benchmarks: ``python -m bench [NAME …]`` (every ``bench/bench_*.py`` by default).

Each module has ``main() -> None`` that prints a table of its figures with the ratio to a baseline
measured in the same run. PostgreSQL figures are taken when ``BENCH_POSTGRES_URL`` is set
(``make bench`` starts a temporary server for that). ``python -m bench load [--speed X]`` runs the load
test of a regency's morning (bench/load, docs/load.md), never included by default.

``python -m bench tenants`` loads ``BENCH_TENANTS`` governments (default 3); ``python -m bench.bench_tenants N``
takes N from the command line.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if argv[:1] == ["load"]:  # the load test (bench/load): long, so only when asked for; its own options
        from bench.load.run import main as load

        load(argv[1:])
        return 0
    names = argv or sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
