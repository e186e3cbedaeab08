"""The citizen's side: the due banner on "Today" and choosing how she is reminded."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alarms import services as alarm_services
from monitoring.models import Schedule
from notifications import services
from notifications.models import NotificationPreference
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import ScheduleFactory
from tests.notifications.conftest import BEFORE

pytestmark = pytest.mark.django_db

HOME = reverse("monitoring:citizen_home")
REMINDERS = reverse("citizen:reminders")


@pytest.fixture(autouse=True)
def not_around_midnight():
    # "Today" lists the local day's occasions; one made a few minutes ago must be today's.
    if not time(1, 0) <= timezone.localtime().time() <= time(22, 0):
        pytest.skip("runs between 01:00 and 22:00 Copenhagen time")


def checked(html: str) -> str:
    """The value of the checked channel radio button."""
    [value] = re.findall(r'<input type="radio" name="channel" value="(\w+)"[^>]* checked', html)
    return value


def once(citizen, ago: timedelta, grace_minutes: int) -> Schedule:
    return ScheduleFactory(
        patient=citizen,
        kind=Schedule.Kind.ONCE,
        weekdays=[],
        times=[],
        once_at=timezone.now() - ago,
        starts_on=timezone.localdate(),
        grace_minutes=grace_minutes,
    )


def test_home_shows_a_due_banner_with_the_deadline_and_a_button(client, citizen):
    schedule = once(citizen, timedelta(minutes=10), grace_minutes=60)
    deadline = timezone.localtime(schedule.once_at + timedelta(minutes=60))
    login(client, citizen.citizen_user)
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "due-banner" in html
    assert f"Your COPD – daily questionnaire is due by {deadline:%H:%M}." in html
    assert f'href="{reverse("citizen:answer_start", args=[schedule.pk])}"' in html


def test_an_overdue_occasion_has_an_urgent_banner(client, citizen):
    once(citizen, timedelta(minutes=90), grace_minutes=60)
    login(client, citizen.citizen_user)
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "due-banner--overdue" in html
    assert "Please answer it now." in html


def test_no_banner_before_it_is_due(client, citizen):
    once(citizen, -timedelta(minutes=30), grace_minutes=60)
    login(client, citizen.citizen_user)
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "due-banner" not in html
    assert "Due today" in html  # the card still says it is coming


def test_no_banner_once_answered(client, citizen):
    schedule = once(citizen, timedelta(minutes=10), grace_minutes=60)
    alarm_services.submission_record(
        patient=citizen,
        questionnaire=schedule.questionnaire,
        answers=[],
        submitted_at=timezone.now(),
        schedule=schedule,
    )
    login(client, citizen.citizen_user)
    assert "due-banner" not in client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_home_links_to_the_reminder_page(client, citizen):
    login(client, citizen.citizen_user)
    assert f'href="{REMINDERS}"' in client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_page_shows_the_default_and_what_is_on_file(client, citizen):
    citizen.email = "dorte@example.dk"
    citizen.save()
    login(client, citizen.citizen_user)
    response = client.get(REMINDERS, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert checked(html) == "email"
    assert "dorte@example.dk" in html
    assert AuditEvent.objects.filter(
        patient=citizen, what="Citizen: reminder settings", action="view"
    ).exists()


def test_choosing_only_the_page_opts_out_of_email_and_sms(client, citizen):
    citizen.email = "dorte@example.dk"
    citizen.save()
    ScheduleFactory(patient=citizen, starts_on=BEFORE.date() - timedelta(days=3))
    login(client, citizen.citizen_user)
    response = client.post(REMINDERS, {"channel": "web"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert NotificationPreference.objects.get(patient=citizen).channel == "web"
    assert AuditEvent.objects.filter(
        patient=citizen, what="Citizen: reminder channel changed", action="update"
    ).exists()
    assert services.reminders_run(now=BEFORE) == 0
    assert mail.outbox == []


def test_choosing_email_without_an_address_is_refused_next_to_the_field(client, citizen):
    citizen.email = ""
    citizen.save()
    NotificationPreference.objects.create(patient=citizen, channel="sms")
    login(client, citizen.citizen_user)
    response = client.post(REMINDERS, {"channel": "email"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="channel-error"' in html
    assert "We have no e-mail address for you." in html
    # What she chose stays chosen, and nothing changed.
    assert checked(html) == "email"
    assert NotificationPreference.objects.get(patient=citizen).channel == "sms"


def test_choosing_sms_without_a_phone_number_is_refused(client, citizen):
    citizen.phone = ""
    citizen.save()
    login(client, citizen.citizen_user)
    response = client.post(REMINDERS, {"channel": "sms"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "We have no mobile number for you." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_choosing_sms_with_a_number_is_saved(client, citizen):
    login(client, citizen.citizen_user)
    assert client.post(REMINDERS, {"channel": "sms"}, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    assert NotificationPreference.objects.get(patient=citizen).channel == "sms"


def test_only_the_citizen_has_a_reminder_page(client, citizen, nurse):
    assert client.get(REMINDERS, HTTP_ACCEPT_LANGUAGE="en").status_code == 302  # to the login page
    login(client, nurse)
    assert client.get(REMINDERS, HTTP_ACCEPT_LANGUAGE="en").status_code in (403, 404)
    assert client.post(REMINDERS, {"channel": "web"}, HTTP_ACCEPT_LANGUAGE="en").status_code in (
        403,
        404,
    )
    assert not NotificationPreference.objects.exists()
