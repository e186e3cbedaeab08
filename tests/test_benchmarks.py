"""Smoke test of the benchmark harness (benchmarks/, docs/PERFORMANCE.md): a tiny data set,
every measurement once, every figure printed. Figures are never asserted here: they depend on
the machine, and the harness's own exit status says whether the targets were met."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

FIGURES = [
    "1. triage list, first page",
    "1b. triage list, coordinator on all teams",
    "2. patient chart page, 1 year",
    "2b. chart data (htmx panel), 1 year",
    "3. single-measurement upload",
    "5. empty DRF POST (framework floor",
    "3/5. upload rate / empty-POST rate",
    "4a. raw COPY of the same 1,000 rows",
    "4b. batch of 1,000 through the service",
    "4c. batch of 1,000 through the API",
    "4b/4a. service / raw COPY",
    "4c/4a. API / raw COPY",
    "6. new red result visible",
    "7. indicators page, one team, 12 months",
    "7b. indicators page, whole municipality, 12 months",
    "7c. nightly rebuild of one day",
]


def test_harness_prints_every_figure(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        # A production-like run of its own: not pytest's settings, not the suite's database.
        if key not in {"PYTEST_VERSION", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env["TELEMED_PGDATA"] = str(tmp_path / "pgdata")
    env["TELEMED_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--patients=20",
            "--years=1",
            "--reps=2",
            "--seconds=1",
            "--connections=2",
            "--workers=1",
            "--port=8859",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output[-4000:]  # 1: a target missed, still a full run
    table = result.stdout.split("| measurement |", 1)
    assert len(table) == 2, output[-4000:]
    for name in FIGURES:
        assert name in table[1], f"{name!r} missing from:\n{table[1]}"
    assert "not available" not in table[1]
    assert "postgresql:" in result.stdout
