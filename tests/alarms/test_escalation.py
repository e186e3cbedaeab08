"""An unacknowledged red escalates to the team once, after the organisation's limit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from alarms import services
from alarms.models import Escalation, TriageResult
from alarms.outcomes import no_action_outcome
from monitoring.models import MeasurementType, Source
from tests.factories import ThresholdSetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(citizen, nurse, org_municipality):
    """A red SpO2 result for the nurse's patient; the municipality escalates after 60 min."""
    org_municipality.escalation_minutes = 60
    org_municipality.save()
    nurse.email = "anne.nord@testrup.dk"
    nurse.save()
    ThresholdSetFactory(patient=citizen, copd=True)
    spo2 = MeasurementType.objects.get(key="spo2")
    at = timezone.now() - timedelta(minutes=30)
    services.measurements_record(
        patient=citizen,
        readings=[services.Reading(spo2, Decimal("82"), at)],
        source=Source.DEVICE,
        received_at=at,
    )
    return TriageResult.objects.get(patient=citizen, severity="red")


def test_not_before_the_limit(red):
    assert services.escalations_raise(now=red.created_at + timedelta(minutes=59)) == 0
    assert not Escalation.objects.exists()


def test_escalates_once_however_often_it_runs(red):
    later = red.created_at + timedelta(minutes=61)
    assert services.escalations_raise(now=later) == 1
    assert services.escalations_raise(now=later) == 0
    assert services.escalations_raise(now=later + timedelta(hours=3)) == 0
    assert Escalation.objects.get().result == red


def test_the_team_is_told_once_without_cpr_even_if_two_workers_deliver(red, citizen):
    later = red.created_at + timedelta(minutes=61)
    services.escalations_raise(now=later)
    escalation = Escalation.objects.get()
    # Two workers picking up the same row: the conditional claim lets one of them send.
    sent = [services.escalation_deliver(escalation_id=escalation.pk, now=later) for _ in range(2)]
    assert sent == [True, False]
    assert services.escalations_run(now=later) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne.nord@testrup.dk"]
    assert "rød alarm" in message.subject
    assert citizen.cpr not in message.body and citizen.cpr[:6] not in message.body
    escalation.refresh_from_db()
    assert escalation.state == "sent" and escalation.recipients == ["anne.nord@testrup.dk"]


def test_an_acknowledged_red_does_not_escalate(red, nurse):
    services.result_acknowledge(
        result=red, user=nurse, outcome=no_action_outcome(None), note="Ringet op"
    )
    assert services.escalations_raise(now=red.created_at + timedelta(hours=5)) == 0


def test_a_failing_mail_server_is_retried_and_then_given_up(red, settings, monkeypatch):
    later = red.created_at + timedelta(minutes=61)
    services.escalations_raise(now=later)

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("alarms.services.escalation.send_mail", refuse)
    for _ in range(services.ESCALATION_MAX_ATTEMPTS):
        services.escalations_run(now=later)
    escalation = Escalation.objects.get()
    assert escalation.state == "failed"
    assert escalation.attempts == services.ESCALATION_MAX_ATTEMPTS
    assert "connection refused" in escalation.last_error


def test_triage_list_marks_an_escalated_patient(client, nurse, red, citizen):
    from tests.conftest import login

    services.escalations_raise(now=timezone.now() + timedelta(hours=2))
    login(client, nurse)
    row = next(r for r in client.get("/nurse/").context["rows"] if r.pk == citizen.pk)
    assert row.escalated
    assert "Eskaleret" in client.get("/nurse/").content.decode()
