"""Messages between a citizen and the monitoring team, both sides, with unread counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import Message
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def thread_url(patient) -> str:
    return reverse("patient_messages:thread", args=[patient.pk])


def test_citizen_message_is_unread_for_the_team_until_a_nurse_opens_the_thread(
    client, citizen, citizen_user, nurse
):
    login(client, citizen_user)
    response = client.post(reverse("citizen:messages"), {"body": "Jeg hoster mere i dag."})
    assert response.status_code == 302
    message = Message.objects.get(patient=citizen)
    assert message.sender_is_citizen and message.read_by_team_at is None
    assert Message.objects.filter(sender_is_citizen=True, read_by_team_at__isnull=True).count() == 1

    client.logout()
    login(client, nurse)
    inbox = client.get(reverse("patient_messages:inbox"))
    assert inbox.context["patients"][0].unread_count == 1
    page = client.get(thread_url(citizen))
    assert "Jeg hoster mere i dag." in page.content.decode()
    message.refresh_from_db()
    assert message.read_by_team_at is not None and message.read_by_team_user == nurse
    assert client.get(reverse("patient_messages:inbox")).context["patients"][0].unread_count == 0


def test_nurse_reply_shows_as_new_on_the_citizen_home(client, citizen, citizen_user, nurse):
    login(client, nurse)
    client.post(thread_url(citizen), {"body": "Ring til os, hvis det bliver værre."})
    reply = Message.objects.get(patient=citizen)
    assert not reply.sender_is_citizen and "Anne Nord" in reply.sender_display

    client.logout()
    login(client, citizen_user)
    assert client.get(reverse("monitoring:citizen_home")).context["unread_messages"] == 1
    client.get(reverse("citizen:messages"))
    reply.refresh_from_db()
    assert reply.read_by_citizen_at is not None
    assert client.get(reverse("monitoring:citizen_home")).context["unread_messages"] == 0


def test_empty_message_is_refused_and_nothing_is_stored(client, citizen_user, citizen):
    login(client, citizen_user)
    response = client.post(reverse("citizen:messages"), {"body": "   "})
    assert response.status_code == 200
    assert response.context["error"]
    assert not Message.objects.exists()


def test_too_long_message_is_refused_but_the_text_is_kept(client, citizen_user):
    login(client, citizen_user)
    body = "x" * (services.MESSAGE_MAX + 1)
    response = client.post(reverse("citizen:messages"), {"body": body})
    assert body in response.content.decode()
    assert not Message.objects.exists()


def test_outsider_and_other_team_get_404(client, citizen, outsider, other_nurse):
    for user in (outsider, other_nurse):
        login(client, user)
        assert client.get(thread_url(citizen)).status_code == 404
        assert client.post(thread_url(citizen), {"body": "hej"}).status_code == 404
        client.logout()
    assert not Message.objects.exists()


def test_treating_doctor_reads_without_marking_read_or_writing(client, citizen, doctor):
    message = services.message_send(
        patient=citizen, sender=citizen.citizen_user, body="Hej sygeplejerske"
    )
    login(client, doctor)
    assert client.get(thread_url(citizen)).status_code == 200
    message.refresh_from_db()
    assert message.read_by_team_at is None
    assert client.post(thread_url(citizen), {"body": "hej"}).status_code == 404


def test_thread_view_writes_one_audit_event(client, citizen, nurse):
    login(client, nurse)
    before = AuditEvent.objects.filter(patient=citizen).count()
    client.get(thread_url(citizen))
    assert AuditEvent.objects.filter(patient=citizen).count() == before + 1


@pytest.mark.parametrize("count", [1, 15])
def test_thread_and_inbox_queries_are_fixed(
    client, citizen, nurse, team, count, django_assert_max_num_queries
):
    others = PatientFactory.create_batch(count, monitoring_team=team, with_login=True)
    for patient in [citizen, *others]:
        for _ in range(count):
            services.message_send(patient=patient, sender=patient.citizen_user, body="Hej")
    login(client, nurse)
    with django_assert_max_num_queries(14):
        client.get(thread_url(citizen))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("patient_messages:inbox"))
    assert len(response.context["patients"]) == count + 1


def test_citizen_messages_page_rejects_clinicians(client, nurse):
    login(client, nurse)
    assert client.get(reverse("citizen:messages")).status_code == 403
