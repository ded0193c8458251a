"""The load test of a regency's morning: ``python -m bench load [--speed X]`` or ``bench/load/run.sh``.

Against a PostgreSQL server (``BENCH_POSTGRES_URL``, which ``make bench`` and ``run.sh`` start as a
temporary server; without it the script starts one with scripts/with-postgres.sh), in a fresh database:
migrate, seed the demo regency and prepare its accounts (``bench.load.seed``), collect the static files,
start gunicorn with ``deploy/gunicorn.conf.py`` (``LOAD_WORKERS`` processes, default 3, the configured
threads) on a loopback port, run locust headless (``bench/load/locustfile.py``) for the quarter hour
divided by the speed, stop everything, and print per endpoint: requests, failures, p50/p95/p99,
throughput, against the target (p95 < 300 ms, no failure), with ``/healthz`` as the baseline of the same
run, and what the database holds afterwards (check-ins and applications made).

Options: ``--speed X`` (default 3: every rate × 3, five minutes), ``--scale small`` (the small demo
organisation: a smoke run), ``--run-time S`` (seconds, overrides the quarter hour ÷ speed).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Row, print_table, run_child, temporary_postgres_database

TARGET_P95_MS = 300.0
WINDOW_S = 15 * 60
USERS = 93  # 40 employees + 2 citizens + 50 viewers + 1 baseline (the locustfile's fixed counts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(base: dict[str, str]) -> dict[str, str]:
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "siaga.settings",
        "DEBUG": "false",
        "SIAGA_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": base.get("SECRET_KEY") or "bench-only-secret-key-0123456789abcdefghijklmnop",
        "EMAIL_URL": "smtp://127.0.0.1:1",  # the outbox keeps the mail; no worker sends it during the run
        "LOG_LEVEL": "WARNING",
        # no task worker runs during the load test: the seed's queued tasks must not fail the health check
        "HEALTH_TASK_MAX_AGE_SECONDS": "86400",
    }


def _serve(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    server_env = {**env, "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": str(workers)}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
    # gunicorn's own messages (start, stop) go to a log of their own, shown when it does not start
    server = subprocess.Popen(command, cwd=ROOT, env=server_env, stderr=log.open("wb"))
    deadline = time.monotonic() + 600  # a busy machine boots the workers slowly
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def _workers_rss_mib(server: subprocess.Popen[bytes]) -> list[float]:
    """The resident memory of each gunicorn worker (the master's children), in MiB."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # exited meanwhile
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def _sample_memory(
    server: subprocess.Popen[bytes], duration: int, into: list[tuple[float, list[float]]], stop: threading.Event
) -> None:
    """The workers' memory at the start of the load and then ten times over it (whether it levels off)."""
    started = time.perf_counter()
    while True:
        into.append((time.perf_counter() - started, _workers_rss_mib(server)))
        if stop.wait(max(duration / 10, 1)):
            return


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _locust(env: dict[str, str], port: int, accounts: Path, speed: float, run_time: int, out: Path) -> None:
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--host", f"http://127.0.0.1:{port}",
        "--users", str(USERS),
        "--spawn-rate", "10",
        "--run-time", f"{run_time}s",
        "--stop-timeout", "30",
        "--csv", str(out / "load"),
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    locust_env = {
        **env,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_SPEED": str(speed),
        "LOAD_RECONNECTS_FILE": str(out / "reconnects"),
    }
    with (out / "locust.log").open("w") as log:
        done = subprocess.run(command, cwd=ROOT, env=locust_env, check=False, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"locust failed:\n{(out / 'locust.log').read_text()[-3000:]}")


def _stats(out: Path) -> list[dict[str, Any]]:
    with (out / "load_stats.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _failures(out: Path) -> list[dict[str, Any]]:
    path = out / "load_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _counts(env: dict[str, str], today: str) -> dict[str, int]:
    """What the database holds: today's check-ins, all applications."""
    code = (
        "import django, json; django.setup()\n"
        "from siaga.attendance.models import CheckIn\n"
        "from siaga.services.models import Application\n"
        f"print(json.dumps({{'check_ins': CheckIn.objects.filter(date='{today}').count(),"
        " 'applications': Application.objects.count()}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(server_url: str, *, speed: float, scale: str, run_time: int | None, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="siaga-load-") as tmp, temporary_postgres_database(server_url) as base:
        out = Path(tmp)
        env = _env({**base, "LOAD_SCALE": scale})
        started = time.perf_counter()
        run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
        _wall, _rss, printed = run_child("bench.load.seed", [str(out)], env)
        seeded = json.loads(printed.strip().splitlines()[-1])
        run_child("siaga.cli", ["collectstatic", "--noinput", "-v0"], env)
        setup_s = time.perf_counter() - started
        accounts = out / "accounts.json"
        today = json.loads(accounts.read_text())["today"]
        before = _counts(env, today)
        port = _free_port()
        server = _serve(env, port, workers, out / "gunicorn.log")
        duration = run_time or round(WINDOW_S / speed)
        memory: list[tuple[float, list[float]]] = []
        stop_sampling = threading.Event()
        sampler = threading.Thread(target=_sample_memory, args=(server, duration, memory, stop_sampling), daemon=True)
        try:
            started = time.perf_counter()
            sampler.start()
            _locust(env, port, accounts, speed, duration, out)
            load_s = time.perf_counter() - started
            stop_sampling.set()
            sampler.join()
            memory.append((time.perf_counter() - started, _workers_rss_mib(server)))
        finally:
            stop_sampling.set()
            _stop(server)
        after = _counts(env, today)
        return {
            "seeded": seeded,
            "setup_s": setup_s,
            "load_s": load_s,
            "duration": duration,
            "stats": _stats(out),
            "failures": _failures(out),
            "reconnects": int((out / "reconnects").read_text() or 0) if (out / "reconnects").exists() else 0,
            "check_ins": after["check_ins"] - before["check_ins"],
            "applications": after["applications"] - before["applications"],
            "memory": memory,
        }


def report(result: dict[str, Any], *, speed: float, workers: int) -> bool:
    stats = [row for row in result["stats"] if row["Name"] != "Aggregated"]
    total = next((row for row in result["stats"] if row["Name"] == "Aggregated"), None)
    baseline = next((row for row in stats if row["Name"].startswith("Baseline")), None)
    base95 = float(baseline["95%"]) if baseline else None
    seeded = result["seeded"]
    print(
        f"\nA regency's morning: {seeded['asn']} ASN ({seeded['wfo']} WFO), {seeded['citizens']} citizens, "
        f"{seeded['viewers']} dashboard viewers; gunicorn {workers} workers on PostgreSQL; speed ×{speed:g}, "
        f"{result['duration']} s of load (set-up {result['setup_s']:.0f} s)"
    )
    header = f"{'endpoint':<48} {'req':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}  target"
    print(header)
    print("-" * len(header))
    ok = True
    for row in sorted(stats, key=lambda r: r["Name"]):
        p95, fails = float(row["95%"]), int(row["Failure Count"])
        passed = p95 < TARGET_P95_MS and fails == 0
        ok = ok and (passed or row["Name"].startswith("Baseline"))
        print(
            f"{row['Name'][:48]:<48} {int(row['Request Count']):>6} {fails:>5} {float(row['50%']):>6.0f} "
            f"{p95:>6.0f} {float(row['99%']):>6.0f} {float(row['Requests/s']):>7.2f}  "
            f"{'ok' if passed else 'MISSED'}"
        )
    if total:
        print(
            f"{'all requests':<48} {int(total['Request Count']):>6} {int(total['Failure Count']):>5} "
            f"{float(total['50%']):>6.0f} {float(total['95%']):>6.0f} {float(total['99%']):>6.0f} "
            f"{float(total['Requests/s']):>7.2f}"
        )
    print(f"check-ins recorded: {result['check_ins']}; applications submitted: {result['applications']}")
    for failure in result["failures"][:10]:
        print(f"  failure ×{failure['Occurrences']}: {failure['Name']}: {failure['Error'][:160]}")
    print(
        f"GETs sent again on a new connection after the server closed an idle keep-alive one "
        f"(a worker restarting), as browsers do: {result['reconnects']}"
    )
    print("gunicorn workers' resident memory (MiB) during the load, by elapsed time:")
    for elapsed, sizes in result["memory"]:
        print(f"  {elapsed:6.0f} s: {', '.join(f'{size:.0f}' for size in sizes)}")
    rows = [
        Row(
            "p95 of the slowest endpoint", max(float(r["95%"]) for r in stats) if stats else 0, "ms", base95, "< 300 ms"
        ),
        Row("failures", float(total["Failure Count"]) if total else 0, "", None, "0"),
    ]
    print_table("Target check (baseline: GET /healthz p95 in the same run)", rows)
    print(f"target {'met' if ok else 'MISSED'}: p95 < {TARGET_P95_MS:.0f} ms and no failure on every endpoint")
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=float(os.environ.get("LOAD_SPEED") or 3))
    parser.add_argument("--scale", choices=["regency", "small"], default="regency")
    parser.add_argument("--run-time", type=int, default=None)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS") or 3))
    args = parser.parse_args(argv if argv is not None else [])
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        # no server given: run this again under a temporary PostgreSQL server
        command = [
            str(ROOT / "scripts" / "with-postgres.sh"),
            "bash", "-c",
            'BENCH_POSTGRES_URL="$DATABASE_URL"; unset DATABASE_URL; export BENCH_POSTGRES_URL; exec "$@"', "load",
            sys.executable, "-m", "bench.load.run", *(argv or []),
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, check=True)
        return
    result = measure(server, speed=args.speed, scale=args.scale, run_time=args.run_time, workers=args.workers)
    report(result, speed=args.speed, workers=args.workers)


if __name__ == "__main__":
    main(sys.argv[1:])
