"""``python -m benchmarks``: build (or reuse) the data set, run the measurements, print one table.

    python -m benchmarks                      # 10,000 patients, 3 years (first build: minutes)
    python -m benchmarks --patients 1000      # a smaller data set (its own build)
    python -m benchmarks --rebuild            # drop the benchmark database and build again
    python -m benchmarks --only triage        # one measurement (repeatable)

The database is ``telemed_bench`` on the embedded PostgreSQL in ``.data/bench-pgdata`` (or on
the server of ``DATABASE_URL``); the development database is never touched. HTTP measurements
start gunicorn on 127.0.0.1:8850 (``--port``).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

MEASUREMENTS = ["triage", "chart", "upload", "batch", "red", "indicators"]
BASE_DIR = Path(__file__).resolve().parent.parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the data set")
    parser.add_argument(
        "--only",
        action="append",
        choices=MEASUREMENTS,
        help="run only this measurement (upload includes the empty POST); repeatable",
    )
    parser.add_argument("--reps", type=int, default=30, help="repetitions per page timing")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each load test")
    parser.add_argument("--connections", type=int, default=8, help="concurrent load connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8850, help="gunicorn port (8850-8859)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator")
    return parser.parse_args(argv)


def environment() -> None:
    """A production-like process: DEBUG off with its own secret key and hosts; the benchmark
    settings module; the workers inherit all of it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    os.environ["ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"
    os.environ["BEHIND_TLS_PROXY"] = "1"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")


def machine(pg_version: str) -> dict[str, str]:
    def read(command: str) -> str:
        try:
            return subprocess.run(
                command, shell=True, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    cpu = read("lscpu | sed -n 's/^Model name:[[:space:]]*//p'") or platform.processor()
    memory = read("free -g | awk '/^Mem:/ {print $2}'")
    disk = read(f'df -h {BASE_DIR} | awk \'NR==2 {{print $2" ("$4" free)"}}\'')
    commit = read(f"git -C {BASE_DIR} rev-parse --short HEAD")
    dirty = read(
        f"git -C {BASE_DIR} status --porcelain -- alarms monitoring interop patients telemed"
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "ram": f"{memory} GiB",
        "disk": disk,
        "postgresql": pg_version,
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not 8850 <= args.port <= 8859:
        print("--port must be in 8850-8859", file=sys.stderr)
        return 2
    environment()
    from benchmarks import database

    external = bool(os.environ.get("DATABASE_URL"))
    if args.rebuild:
        database.drop()
    url = database.prepare()
    import django

    django.setup()
    # In-process page timings run in this process: tune it as telemed/wsgi.py tunes a web
    # worker, so they measure what production serves.
    from telemed.runtime import tune_gc

    tune_gc()
    try:
        return run(args, url, external)
    finally:
        from django.db import connections

        connections.close_all()
        if not external:
            database.stop_embedded()


def ensure_dataset(args: argparse.Namespace) -> dict:
    from django.core.management import call_command
    from django.db import connections

    from benchmarks import database, dataset

    want = dataset.wanted(patients=args.patients, years=args.years)
    found = dataset.marker()
    if dataset.matches(found, want):
        print(
            f"Data set: reusing {found['patients']:,} patients, {found['years']} years "
            f"(built {found['built_at']}, seed {found['seed']})."
        )
        # The code may have moved on since the build: bring the schema along (no-op if current).
        call_command("migrate", verbosity=0)
        return found
    print(
        f"Data set: building {args.patients:,} patients, {args.years} years "
        f"(seed {dataset.SEED}) …",
        flush=True,
    )
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('django_migrations')")
        used = cursor.fetchone()[0] is not None
    if used:
        connections.close_all()
        database.drop()
        database.prepare()
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    info = dataset.build(
        patients=args.patients, years=args.years, log=lambda text: print(text, flush=True)
    )
    print(f"Data set built in {time.monotonic() - started:.0f} s: {info['counts']}")
    return info


def run(args: argparse.Namespace, url: str, external: bool) -> int:
    from django.db import connection

    from benchmarks import measure, report

    info = ensure_dataset(args)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    only = set(args.only or MEASUREMENTS)
    figures: list[measure.Figure] = []
    measure.cleanup()  # left over from an interrupted run
    api = measure.device_api_available()
    patients = measure.device_patients(20) if api else []
    tokens = measure.issue_tokens(patients) if api else []
    try:
        if "triage" in only:
            print("Measuring: triage list …", flush=True)
            figures += measure.triage(reps=args.reps)
        if "chart" in only:
            print("Measuring: patient chart page …", flush=True)
            figures += measure.chart(reps=args.reps)
        if "upload" in only:
            print("Measuring: single upload and empty POST under load …", flush=True)
            figures += measure.upload_and_floor(
                port=args.port,
                workers=args.workers,
                seconds=args.seconds,
                connections=args.connections,
                tokens=tokens,
            )
        if "batch" in only:
            print("Measuring: batch of 1,000 against raw COPY …", flush=True)
            if api:
                figures += measure.batch(
                    reps=5,
                    port=args.port,
                    workers=args.workers,
                    patients=patients,
                    tokens=tokens,
                )
            else:
                figures.append(measure.unavailable("4. batch of 1,000", "no device API", ">= 25 %"))
        if "red" in only:
            print("Measuring: new red result to triage list …", flush=True)
            if api:
                figures += measure.red_visible(port=args.port, workers=args.workers, reps=5)
            else:
                figures.append(measure.unavailable("6. new red visible", "no device API"))
        if "indicators" in only:
            print("Measuring: quality indicators page …", flush=True)
            figures += measure.indicators(reps=args.reps)
    finally:
        removed = measure.cleanup()
        print(f"Removed {removed:,} measurements stored by this run.", flush=True)
    counts = info.get("counts", {})
    context = machine(pg_version)
    context["data set"] = (
        f"{info['patients']:,} patients, {info['years']} years, "
        f"{counts.get('Measurement', 0):,} measurements, "
        f"{counts.get('TriageResult', 0):,} results, {counts.get('Submission', 0):,} submissions; "
        f"{size}"
    )
    context["database"] = (
        "telemed_bench on the DATABASE_URL server"
        if external
        else f"telemed_bench on the embedded server in {os.environ.get('TELEMED_PGDATA')}"
    )
    print()
    print(report.table(figures, context))
    return 0 if all(f.met is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
