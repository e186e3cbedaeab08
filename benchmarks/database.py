"""The benchmark's own database: ``telemed_bench`` on the embedded server in
``.data/bench-pgdata`` (or on the server of ``DATABASE_URL``), never the development database.

Must run before Django is set up: it decides ``DATABASE_URL`` for this process and for the
gunicorn workers it starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_PGDATA = BASE_DIR / ".data" / "bench-pgdata"
BENCH_DB = "telemed_bench"


def _with_dbname(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + name))


def server_url() -> str:
    """A URL of the server to use: DATABASE_URL's, or the embedded one (started here)."""
    url = os.environ.get("BENCH_SERVER_URL") or os.environ.get("DATABASE_URL", "")
    if url:
        return url
    os.environ.setdefault("TELEMED_PGDATA", str(BENCH_PGDATA))
    from telemed.pgembedded import embedded_database_url

    return embedded_database_url()


def prepare(*, name: str = BENCH_DB) -> str:
    """Create the benchmark database if needed; return its URL and export it as DATABASE_URL."""
    url = server_url()
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # Settings for a bulk load on our own server; an external server may refuse them.
        try:
            conn.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
            conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
            conn.execute("SELECT pg_reload_conf()")
        except psycopg.Error:
            pass
    bench_url = _with_dbname(url, name)
    os.environ["BENCH_SERVER_URL"] = url
    os.environ["DATABASE_URL"] = bench_url
    return bench_url


def drop(*, name: str = BENCH_DB) -> None:
    """Drop the benchmark database (``--rebuild``), closing other sessions on it first."""
    url = server_url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def stop_embedded() -> None:
    if not os.environ.get("BENCH_EXTERNAL_DB"):
        from telemed.pgembedded import stop_embedded as stop

        stop()
