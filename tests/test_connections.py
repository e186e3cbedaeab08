"""`make run` with people clicking must not exhaust PostgreSQL's connections (the pool holds them).

Before the pool, runserver's threads each kept a connection open, and after a few minutes of
use every page answered 500 "too many clients". This drives 300 requests, ten at a time, at the
launcher's web server and counts the server's client connections.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from django.urls import reverse

from tests.test_devrun import BASE_DIR, STARTUP_TIMEOUT, _free_port, _status, _wait_for

REQUESTS = 300
PARALLEL = 10
MAX_CONNECTIONS = 20


def _client_connections(pgdata: Path) -> int:
    with psycopg.connect(host=str(pgdata), dbname="postgres", user="postgres") as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        ).fetchone()
    assert row is not None
    return int(row[0]) - 1  # not this one


def test_300_requests_leave_fewer_than_20_server_connections(tmp_path):
    port = _free_port()
    pgdata = tmp_path / "pgdata"
    log = tmp_path / "devrun.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env |= {
        "TELEMED_PGDATA": str(pgdata),
        "TELEMED_DATA_DIR": str(tmp_path / "data"),
        "TELEMED_DEMO_SEED": "0",
        "PORT": str(port),
    }
    base = f"http://127.0.0.1:{port}"
    login_url = base + reverse("login")
    with log.open("w") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "telemed.devrun"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(
            lambda: _status(login_url) == 200, STARTUP_TIMEOUT, "the login page", launcher, log
        )

        def attempt(number: int) -> int:
            # A wrong password: the login view reads the user table and the lockout records.
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(login_url, timeout=30).read().decode()
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert match, "no CSRF token on the login page"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": match.group(1),
                    "username": f"nobody{number % 7}",
                    "password": "wrong",
                }
            ).encode()
            request = urllib.request.Request(login_url, data=body, headers={"Referer": login_url})
            try:
                with opener.open(request, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code

        with ThreadPoolExecutor(PARALLEL) as pool:
            statuses = list(pool.map(attempt, range(REQUESTS // 2)))  # two requests each
        assert all(status < 500 for status in statuses), sorted(set(statuses))
        connections = _client_connections(pgdata)
        assert connections < MAX_CONNECTIONS, f"{connections} server connections left open"
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
