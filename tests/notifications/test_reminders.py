"""When reminders are sent and to whom: before the deadline and once overdue, by the
organisation's policy; never when answered, paused, not monitored, or opted out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from alarms import services as alarm_services
from notifications import services
from notifications.models import NotificationPreference, Reminder, ReminderPolicy
from patients.models import PatientState
from tests.factories import PatientPauseFactory, ScheduleFactory
from tests.notifications.conftest import BEFORE, DUE

pytestmark = pytest.mark.django_db


def run(now: datetime) -> int:
    return services.reminders_run(now=now)


def submit(schedule, at: datetime) -> None:
    alarm_services.submission_record(
        patient=schedule.patient,
        questionnaire=schedule.questionnaire,
        answers=[],
        submitted_at=at,
        schedule=schedule,
        received_at=at,
    )


def test_one_reminder_thirty_minutes_before_the_deadline_however_often_the_job_runs(schedule):
    assert run(BEFORE - timedelta(minutes=1)) == 0
    assert run(BEFORE) == 1
    assert run(BEFORE + timedelta(minutes=1)) == 0
    assert run(BEFORE + timedelta(minutes=29)) == 0
    [message] = mail.outbox
    assert message.to == ["dorte@example.dk"]
    assert "12:00" in message.subject  # the deadline, Copenhagen time (11:00 UTC)
    reminder = Reminder.objects.get()
    assert (reminder.sequence, reminder.state, reminder.due_at) == (0, "sent", DUE)


def test_overdue_every_fifteen_minutes_up_to_three_then_silence(schedule):
    deadline = DUE + timedelta(hours=3)
    sent = [run(deadline + timedelta(minutes=m)) for m in range(0, 75, 5)]
    assert sum(sent) == 3
    assert list(Reminder.objects.order_by("sequence").values_list("sequence", "send_at")) == [
        (n, deadline + timedelta(minutes=15 * n)) for n in (1, 2, 3)
    ]
    assert len(mail.outbox) == 3


def test_the_organisations_policy_sets_the_times(schedule, org_municipality):
    ReminderPolicy.objects.create(
        organisation=org_municipality,
        minutes_before_deadline=60,
        overdue_every_minutes=30,
        overdue_max_reminders=1,
    )
    deadline = DUE + timedelta(hours=3)
    assert run(deadline - timedelta(minutes=61)) == 0
    assert run(deadline - timedelta(minutes=60)) == 1
    assert run(deadline + timedelta(minutes=30)) == 1
    assert run(deadline + timedelta(minutes=60)) == 0
    assert len(mail.outbox) == 2


def test_an_organisation_that_turned_reminders_off_sends_none(schedule, org_municipality):
    ReminderPolicy.objects.create(organisation=org_municipality, enabled=False)
    assert run(BEFORE) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("answered_at", [DUE + timedelta(minutes=30), DUE - timedelta(hours=1)])
def test_an_answered_occasion_gets_no_reminder(schedule, answered_at):
    submit(schedule, answered_at)  # on time, or early (inside one grace window before)
    assert run(BEFORE) == 0
    assert run(DUE + timedelta(hours=3, minutes=15)) == 0
    assert mail.outbox == []


def test_yesterdays_answer_does_not_count_for_today(schedule):
    submit(schedule, DUE - timedelta(hours=20))
    assert run(BEFORE) == 1


def test_answered_after_the_reminder_was_raised_it_is_not_sent(schedule):
    [pk] = services.reminders_due(now=BEFORE)
    submit(schedule, BEFORE + timedelta(seconds=10))
    assert services.reminder_deliver(reminder_id=pk, now=BEFORE + timedelta(seconds=20)) is False
    assert Reminder.objects.get().state == "cancelled"
    assert mail.outbox == []


def test_no_reminder_while_a_pause_covers_the_due_time(schedule):
    PatientPauseFactory(
        patient=schedule.patient,
        starts_at=DUE - timedelta(days=1),
        ends_at=DUE + timedelta(days=1),
    )
    # The pause alone suppresses it, even if the patient's state still says active.
    assert schedule.patient.state == PatientState.ACTIVE
    assert run(BEFORE) == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "state",
    [PatientState.PAUSED, PatientState.DISCHARGED, PatientState.DECEASED, PatientState.REFERRED],
)
def test_only_active_patients_are_reminded(schedule, state):
    schedule.patient.state = state
    schedule.patient.save()
    assert run(BEFORE) == 0
    assert mail.outbox == []


def test_web_only_citizen_gets_no_email_or_sms(schedule, capsys):
    NotificationPreference.objects.create(patient=schedule.patient, channel="web")
    assert run(BEFORE) == 0
    assert run(DUE + timedelta(hours=3, minutes=15)) == 0
    assert mail.outbox == []
    assert "SMS" not in capsys.readouterr().out
    assert not Reminder.objects.exists()


def test_without_an_email_address_the_default_is_sms(schedule, capsys):
    schedule.patient.email = ""
    schedule.patient.save()
    assert run(BEFORE) == 1
    out = capsys.readouterr().out
    assert "to +4520304050" in out
    assert "KOL – dagligt spørgeskema" in out
    assert mail.outbox == []
    assert Reminder.objects.get().sent_to == "+4520304050"


def test_a_stopped_schedule_reminds_of_nothing(schedule):
    schedule.active = False
    schedule.save()
    assert run(BEFORE) == 0


@pytest.mark.parametrize(
    ("day", "before_utc"),
    [
        # Last Sunday of March 2026: summer time from 02:00, so 09:00 is 07:00 UTC; the
        # deadline is 12:00 local = 10:00 UTC and the reminder 09:30 UTC.
        (date(2026, 3, 29), datetime(2026, 3, 29, 9, 30, tzinfo=UTC)),
        # Last Sunday of October 2026: winter time from 03:00, 09:00 is 08:00 UTC.
        (date(2026, 10, 25), datetime(2026, 10, 25, 10, 30, tzinfo=UTC)),
    ],
)
def test_a_0900_schedule_reminds_at_the_right_instant_on_daylight_saving_days(
    citizen, day, before_utc
):
    citizen.email = "dorte@example.dk"
    citizen.save()
    ScheduleFactory(patient=citizen, starts_on=day, times=[time(9, 0)], grace_minutes=180)
    assert run(before_utc - timedelta(minutes=1)) == 0
    assert run(before_utc) == 1
    assert Reminder.objects.get().send_at == before_utc
    assert "12:00" in mail.outbox[0].subject  # the deadline on the citizen's wall clock
