"""The ``make run`` launcher: database, migrations, demo data, web server and Celery, one Ctrl-C.

    python -m telemed.devrun

1. Sets DEBUG=1 unless DEBUG is set.
2. Without DATABASE_URL, starts the embedded PostgreSQL (telemed.pgembedded) once, in this
   process, and hands its URL to every child, so the children never start or stop it.
3. Runs ``migrate``, and ``seed_demo`` when the database has no users yet (first run).
   TELEMED_DEMO_SEED=0 skips the seed.
4. Starts the web server (``runserver 0.0.0.0:$PORT``, default 8000) and a Celery worker with
   embedded beat (broker folders and beat schedule in .data, or TELEMED_DATA_DIR), queues one
   ``patients.tasks.resume_ended_pauses`` so the worker log shows the broker works, and prints
   the URL and the demo logins.
5. Ctrl-C or SIGTERM stops the children (each in its own process group, so autoreloader and
   pool processes go too), then releases the database handle, which stops the server it started.
   The data stays in .data/pgdata for the next run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The same folder settings.DATA_DIR uses for the broker; the beat schedule goes there too.
DATA_DIR = Path(os.environ.get("TELEMED_DATA_DIR") or BASE_DIR / ".data")
STOP_TIMEOUT = 15.0

# Answered by a child Python: 0 = the database already has users, 3 = seed it, 4 = no seed
# command (the demo app is not installed), anything else = an error to show.
_NEEDS_SEED = """
import sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import get_commands
if "seed_demo" not in get_commands():
    sys.exit(4)
sys.exit(0 if get_user_model().objects.exists() else 3)
"""


class Shutdown(Exception):
    """Raised from the SIGTERM handler so the launcher unwinds like it does on Ctrl-C."""


def log(message: str) -> None:
    print(f"[telemed] {message}", flush=True)


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) of the demo users, as the seed creates them."""
    try:
        from demo import DEMO_LOGINS
    except ImportError:
        return []
    return [(role, username, password) for role, username, password in DEMO_LOGINS]


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=check)


def maybe_seed() -> None:
    if os.environ.get("TELEMED_DEMO_SEED", "1").strip().lower() in {"0", "false", "no", "off"}:
        log("TELEMED_DEMO_SEED=0: not loading demo data")
        return
    answer = subprocess.run([sys.executable, "-c", _NEEDS_SEED], cwd=BASE_DIR)
    if answer.returncode == 0:
        log("database already has users: keeping its data (no demo seed)")
    elif answer.returncode == 3:
        log("first run: loading demo data (manage.py seed_demo) ...")
        manage("seed_demo")
    elif answer.returncode == 4:
        log("no seed_demo command in this checkout: starting without demo data")
    else:
        raise SystemExit(f"could not inspect the database (exit {answer.returncode})")


def start_child(name: str, args: list[str]) -> subprocess.Popen:
    log(f"starting {name}: {' '.join(args)}")
    # Own session: Ctrl-C in the terminal reaches only this launcher, which then stops each
    # child's whole group in order (runserver's reloader, Celery's pool and beat included).
    return subprocess.Popen(args, cwd=BASE_DIR, start_new_session=True)


def stop_children(children: dict[str, subprocess.Popen]) -> None:
    for name, proc in children.items():
        if proc.poll() is None:
            log(f"stopping {name}")
            # The leader only: it shuts its own workers down (a signal to the whole group
            # would kill Celery's pool under it and turn a warm shutdown into errors).
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in {STOP_TIMEOUT:.0f}s: killing it")
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        # The group leader may be gone while a grandchild lingers; make sure the group is empty.
        _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def wait_for_http(url: str, children: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in children.items():
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with {proc.returncode} during startup")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers; a 4xx/5xx page is for the browser to show
        except OSError:
            time.sleep(0.3)
    return False


def queue_startup_task() -> None:
    """Queue one beat task now (beat's first run is 5 minutes away) to prove the broker works."""
    try:
        from telemed.celery import app

        app.send_task("patients.tasks.resume_ended_pauses")
        log("queued patients.tasks.resume_ended_pauses: the worker log shows it received")
    except Exception as exc:  # the app still works without it; say why and go on
        log(f"could not queue the startup task: {exc}")


def print_banner(url: str) -> None:
    lines = [
        "",
        "=" * 64,
        f"  Telemed is running: {url}",
        f"  Admin:              {url}admin/",
    ]
    logins = demo_logins()
    if logins:
        lines.append("  Demo logins (username / password):")
        width = max(len(role) for role, _, _ in logins)
        lines += [f"    {role:<{width}}  {user} / {password}" for role, user, password in logins]
    else:
        lines.append("  Demo logins: see the seed_demo output above.")
    lines += ["  Ctrl-C stops the web server, Celery and the database.", "=" * 64, ""]
    print("\n".join(lines), flush=True)


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telemed.settings")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    DATA_DIR.mkdir(exist_ok=True)
    # The filesystem broker's folders (settings only name them; importing settings creates
    # nothing).
    for sub in ("queue", "processed", "control"):
        (DATA_DIR / "broker" / sub).mkdir(parents=True, exist_ok=True)
    port = os.environ.get("PORT", "8000")

    def on_sigterm(signum, frame):
        raise Shutdown

    signal.signal(signal.SIGTERM, on_sigterm)
    # Explicitly: a shell starting us in the background sets SIGINT to "ignore", and Python
    # then leaves it ignored, so Ctrl-C (or `kill -INT`) would do nothing.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    started_database = False
    children: dict[str, subprocess.Popen] = {}
    try:
        if not os.environ.get("DATABASE_URL"):
            from telemed.pgembedded import embedded_database_url, pgdata_dir

            log(f"starting embedded PostgreSQL in {pgdata_dir()}")
            os.environ["DATABASE_URL"] = embedded_database_url()
            started_database = True
        manage("migrate", "--no-input")
        maybe_seed()

        children["web"] = start_child(
            "web server", [sys.executable, "manage.py", "runserver", f"0.0.0.0:{port}"]
        )
        children["celery"] = start_child(
            "Celery worker with beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "telemed",
                "worker",
                "-B",
                "-l",
                "info",
                "--concurrency=2",
                f"--schedule={DATA_DIR / 'celerybeat-schedule'}",
            ],
        )
        url = f"http://127.0.0.1:{port}/"
        if not wait_for_http(url, children):
            log(f"the web server did not answer on {url} yet; carrying on")
        queue_startup_task()
        print_banner(f"http://localhost:{port}/")

        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    log(f"{name} exited with {proc.returncode}; stopping everything")
                    return proc.returncode or 1
            time.sleep(0.5)
    except (KeyboardInterrupt, Shutdown):
        log("shutting down")
        return 0
    except subprocess.CalledProcessError as exc:
        log(f"{' '.join(map(str, exc.cmd[1:]))} failed with exit code {exc.returncode}")
        return exc.returncode
    finally:
        # Ignore further Ctrl-C while we stop things in order; a second one must not strand
        # the database.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children)
        if started_database:
            from telemed.pgembedded import stop_embedded

            log("stopping embedded PostgreSQL (data kept)")
            stop_embedded()
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
