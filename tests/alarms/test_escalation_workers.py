"""Escalations are delivered exactly once, even when the workers delivering them are killed.

Real Celery worker processes (kombu's filesystem broker in a temporary folder) on the test
database, sending to a real SMTP server in this process. The server holds every delivery
mid-transaction; both workers are killed with SIGKILL while they hold an escalation each. New
workers, started with a short reclaim time, send everything still owed: each escalation reaches
the nurse once, none is lost, none is sent twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from alarms.models import Escalation, TriageResult
from tests.factories import NurseFactory, monitored_patient, record_reading
from tests.mail_server import MailServer
from tests.processes import BASE_DIR, database_url

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["Alma", "Bodil", "Conny"]


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


class Workers:
    """Starts Celery workers and `celery call`s against the test database and a mail server."""

    def __init__(self, data_dir: Path, server: MailServer) -> None:
        for folder in ("queue", "processed", "control"):
            (data_dir / "broker" / folder).mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "telemed.settings",
            "DATABASE_URL": database_url(
                connection.settings_dict, connection.settings_dict["NAME"]
            ),
            "TELEMED_DATA_DIR": str(data_dir),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(server.port),
            "EMAIL_USE_TLS": "0",
        }
        self.env.pop("PYTEST_VERSION", None)
        self.data_dir = data_dir
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, **env: str) -> subprocess.Popen:
        log = open(self.data_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "telemed",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-n",
                f"{name}@%h",
            ],
            cwd=BASE_DIR,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches all of it
        )
        log.close()
        self.running.append(worker)
        return worker

    def beat(self, **env: str) -> None:
        """What the beat does every minute: run_escalations, through the broker."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "telemed",
                "call",
                "alarms.tasks.run_escalations",
            ],
            cwd=BASE_DIR,
            env={**self.env, **env},
            check=True,
            capture_output=True,
            timeout=60,
        )

    def kill(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(worker)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Workers, MailServer]]:
    with MailServer() as server:
        pool = Workers(tmp_path, server)
        try:
            yield pool, server
        finally:
            pool.stop_all()


@pytest.fixture
def three_overdue_reds(team, org_municipality):
    """Three patients of the team with a red that has waited two hours (limit: one hour)."""
    org_municipality.escalation_minutes = 60
    org_municipality.save()
    NurseFactory(organisation=org_municipality, teams=[team], user__email="vagt@testrup.dk")
    for name in NAMES:
        record_reading(monitored_patient(team, first_name=name), "spo2", "82")
    TriageResult.objects.update(created_at=timezone.now() - timedelta(hours=2))


def _states() -> dict[str, str]:
    return dict(Escalation.objects.values_list("patient__first_name", "state"))


def test_two_workers_killed_mid_delivery_every_escalation_is_sent_exactly_once(
    three_overdue_reds, workers
):
    pool, server = workers
    # Workers that would wait a minute for the mail server and reclaim after two.
    slow = {"EMAIL_TIMEOUT": "60", "ESCALATION_RECLAIM_SECONDS": "120"}
    server.hold()
    first = [pool.start(f"first{n}", **slow) for n in (1, 2)]
    pool.beat(**slow)
    _wait(lambda: server.waiting == 2, "both workers to be mid-delivery")
    assert sorted(_states().values()) == ["pending", "sending", "sending"]
    for worker in first:
        pool.kill(worker)
    server.release()
    assert server.messages == []  # the killed workers' messages were never accepted

    # New workers; the reclaim time has passed for the two rows the killed ones held.
    quick = {"EMAIL_TIMEOUT": "2", "ESCALATION_RECLAIM_SECONDS": "3"}
    for n in (1, 2):
        pool.start(f"second{n}", **quick)
    time.sleep(3.5)
    pool.beat(**quick)
    _wait(lambda: set(_states().values()) == {"sent"}, "every escalation to be sent")

    # Another beat, and duplicate tasks in flight, change nothing.
    pool.beat(**quick)
    time.sleep(2)
    bodies = [message.get_content() for message in server.messages]
    assert sorted(name for body in bodies for name in NAMES if f"for {name} " in body) == NAMES
    assert len(bodies) == 3
    attempts = dict(Escalation.objects.values_list("patient__first_name", "attempts"))
    assert sorted(attempts.values()) == [1, 2, 2]  # the two killed deliveries were tried again
