"""Reminders are e-mailed exactly once with two real Celery workers running at the same time,
and none is lost or sent twice when both are killed mid-delivery.

The approach of tests/alarms/test_escalation_workers.py: real worker processes (kombu's
filesystem broker in a temporary folder) on the test database, a real SMTP server in this
process (tests/mail_server.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from monitoring.models import Schedule
from notifications.models import Reminder
from tests.alarms.test_escalation_workers import Workers, _wait
from tests.factories import PatientFactory, QuestionnaireFactory, ScheduleFactory
from tests.mail_server import MailServer
from tests.processes import BASE_DIR

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESSES = ["alma@example.dk", "bodil@example.dk", "conny@example.dk"]


class ReminderWorkers(Workers):
    def call(self, task: str, *args: int, **env: str) -> subprocess.Popen:
        """`celery call` a task through the broker (returns at once; wait() on it)."""
        extra = ["--args", json.dumps(list(args))] if args else []
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "telemed", "call", task, *extra],
            cwd=BASE_DIR,
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _all(calls: list[subprocess.Popen]) -> None:
    for call in calls:
        assert call.wait(timeout=60) == 0


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[ReminderWorkers, MailServer]]:
    with MailServer() as server:
        pool = ReminderWorkers(tmp_path, server)
        try:
            yield pool, server
        finally:
            pool.stop_all()


@pytest.fixture
def three_due(team):
    """Three citizens whose questionnaire was due five minutes ago, deadline in 25 minutes:
    the reminder before the deadline is due now. Its own questionnaire: a transactional test
    empties the seeded ones for the next."""
    questionnaire = QuestionnaireFactory(title_da="KOL – dagligt spørgeskema")
    for address in ADDRESSES:
        ScheduleFactory(
            patient=PatientFactory(monitoring_team=team, email=address),
            questionnaire=questionnaire,
            kind=Schedule.Kind.ONCE,
            weekdays=[],
            times=[],
            once_at=timezone.now() - timedelta(minutes=5),
            grace_minutes=30,
        )


def _states() -> dict[str, str]:
    return dict(Reminder.objects.values_list("patient__email", "state"))


def _recipients(server: MailServer) -> list[str]:
    return sorted(address for message in server.messages for address in message["To"].split(","))


def test_two_workers_at_once_send_every_reminder_exactly_once(three_due, workers):
    pool, server = workers
    for n in (1, 2):
        pool.start(f"worker{n}")
    # Two beats at the same moment, each raising and queueing what it finds.
    _all([pool.call("notifications.tasks.run_reminders") for _ in range(2)])
    _wait(lambda: len(_states()) == 3, "the reminders to be raised")
    # Every delivery task twice more, as a broker redelivering after a lost ack would.
    ids = list(Reminder.objects.values_list("pk", flat=True))
    _all([pool.call("notifications.tasks.deliver_reminder", pk) for pk in ids * 2])
    _wait(lambda: set(_states().values()) == {"sent"}, "every reminder to be sent")
    _all([pool.call("notifications.tasks.run_reminders") for _ in range(2)])
    time.sleep(3)

    assert _recipients(server) == ADDRESSES
    assert Reminder.objects.count() == 3
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


def test_workers_killed_mid_delivery_every_reminder_is_sent_once(three_due, workers):
    pool, server = workers
    slow = {"EMAIL_TIMEOUT": "60", "REMINDER_RECLAIM_SECONDS": "120"}
    server.hold()
    first = [pool.start(f"first{n}", **slow) for n in (1, 2)]
    _all([pool.call("notifications.tasks.run_reminders", **slow)])
    _wait(lambda: server.waiting == 2, "both workers to be mid-delivery")
    assert sorted(_states().values()) == ["pending", "sending", "sending"]
    for worker in first:
        pool.kill(worker)
    server.release()
    assert server.messages == []

    quick = {"EMAIL_TIMEOUT": "2", "SMS_HTTP_TIMEOUT": "1", "REMINDER_RECLAIM_SECONDS": "3"}
    for n in (1, 2):
        pool.start(f"second{n}", **quick)
    time.sleep(3.5)
    _all([pool.call("notifications.tasks.run_reminders", **quick)])
    _wait(lambda: set(_states().values()) == {"sent"}, "every reminder to be sent")
    _all([pool.call("notifications.tasks.run_reminders", **quick)])
    time.sleep(2)

    assert _recipients(server) == ADDRESSES
    assert sorted(Reminder.objects.values_list("attempts", flat=True)) == [1, 2, 2]
