"""`make run`'s launcher end to end: database, web server, Celery worker, and a clean Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 180
SHUTDOWN_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _wait_for(predicate, timeout: float, what: str, launcher: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if launcher.poll() is not None:
            pytest.fail(f"devrun exited ({launcher.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-5000:]}")


def _alive(proc: psutil.Process) -> bool:
    # Orphans reparented to a PID 1 that does not reap (containers) linger as zombies: dead.
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_devrun_serves_runs_celery_and_stops_everything_on_ctrl_c(tmp_path):
    port = _free_port()
    pgdata = tmp_path / "pgdata"
    log = tmp_path / "devrun.log"
    env = {
        key: value
        for key, value in os.environ.items()
        # A child must look like `make run`, not like a test run or a configured deployment.
        if key not in {"PYTEST_VERSION", "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env |= {
        "TELEMED_PGDATA": str(pgdata),
        "TELEMED_DATA_DIR": str(tmp_path / "data"),
        "TELEMED_DEMO_SEED": "0",  # the seed has its own tests; this one is about processes
        "PORT": str(port),
    }
    login_url = f"http://127.0.0.1:{port}{reverse('login')}"

    with log.open("w") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "telemed.devrun"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a failure below can still clean up the whole tree
        )
    tree: list[psutil.Process] = []
    try:
        _wait_for(
            lambda: _status(login_url) == 200, STARTUP_TIMEOUT, "the login page", launcher, log
        )
        _wait_for(
            lambda: "resume_ended_pauses" in log.read_text() and "succeeded" in log.read_text(),
            STARTUP_TIMEOUT,
            "the Celery worker to run the startup task",
            launcher,
            log,
        )
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        tree = [
            psutil.Process(launcher.pid),
            *psutil.Process(launcher.pid).children(recursive=True),
            psutil.Process(postmaster),
        ]
        assert len(tree) >= 4, "expected launcher, web server, Celery and PostgreSQL"

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=SHUTDOWN_TIMEOUT) == 0, log.read_text()[-5000:]
        _, alive = psutil.wait_procs(tree, timeout=10)
        alive = [proc for proc in alive if _alive(proc)]
        assert not alive, f"left running: {[p.cmdline() for p in alive]}"
        assert not (pgdata / "postmaster.pid").exists(), "PostgreSQL did not shut down cleanly"
        assert _status(login_url) is None
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        for proc in tree:
            if _alive(proc):
                proc.kill()
