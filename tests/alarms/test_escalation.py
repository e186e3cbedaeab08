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
from tests.factories import NurseFactory, ThresholdSetFactory
from tests.mail_server import MailServer

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


@pytest.fixture
def on_call(org_municipality, other_team):
    """The organisation's second tier: the on-call team, told 30 minutes after the first."""
    NurseFactory(organisation=org_municipality, teams=[other_team], user__email="vagt@testrup.dk")
    org_municipality.second_escalation_minutes = 30
    org_municipality.second_escalation_team = other_team
    org_municipality.save()
    return other_team


def test_second_tier_after_the_further_delay_to_its_own_recipients(red, on_call):
    first = red.created_at + timedelta(minutes=61)
    assert services.escalations_run(now=first) == 1
    assert services.escalations_run(now=first + timedelta(minutes=29)) == 0
    assert services.escalations_run(now=first + timedelta(minutes=31)) == 1
    assert services.escalations_run(now=first + timedelta(hours=4)) == 0
    assert [m.to for m in mail.outbox] == [["anne.nord@testrup.dk"], ["vagt@testrup.dk"]]
    assert "stadig ikke kvitteret" in mail.outbox[1].subject
    tiers = dict(Escalation.objects.values_list("tier", "state"))
    assert tiers == {Escalation.Tier.TEAM: "sent", Escalation.Tier.SECOND: "sent"}


def test_no_second_tier_once_acknowledged_or_when_the_organisation_has_none(
    red, nurse, on_call, org_municipality
):
    first = red.created_at + timedelta(minutes=61)
    services.escalations_run(now=first)
    org_municipality.second_escalation_minutes = None
    org_municipality.save()
    assert services.escalations_raise(now=first + timedelta(hours=2)) == 0
    org_municipality.second_escalation_minutes = 30
    org_municipality.save()
    services.result_acknowledge(
        result=red, user=nurse, outcome=no_action_outcome(None), note="Ringet op"
    )
    assert services.escalations_raise(now=first + timedelta(hours=2)) == 0


def test_one_delivery_queued_per_escalation_until_it_fails(red, monkeypatch):
    later = red.created_at + timedelta(minutes=61)
    escalation_ids = services.escalations_due(now=later)
    assert len(escalation_ids) == 1
    # The next beat a minute later: the task is still waiting in the queue, queue nothing.
    assert services.escalations_due(now=later + timedelta(minutes=1)) == []

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("alarms.services.escalation.send_mail", refuse)
    assert not services.escalation_deliver(escalation_id=escalation_ids[0], now=later)
    # Failed and back to pending: the next beat queues it again.
    assert services.escalations_due(now=later + timedelta(minutes=2)) == escalation_ids


def test_a_lost_task_is_queued_again_after_the_reclaim_time(red, settings):
    later = red.created_at + timedelta(minutes=61)
    services.escalations_due(now=later)
    reclaim = timedelta(seconds=settings.ESCALATION_RECLAIM_SECONDS)
    assert services.escalations_due(now=later + reclaim - timedelta(seconds=1)) == []
    assert len(services.escalations_due(now=later + reclaim + timedelta(seconds=1))) == 1


def test_a_delivery_left_sending_by_a_killed_worker_is_sent_after_the_reclaim_time(red, settings):
    later = red.created_at + timedelta(minutes=61)
    services.escalations_raise(now=later)
    escalation = Escalation.objects.get()
    # What a worker's claim writes before it is killed (the real kill: test_escalation_workers).
    Escalation.objects.filter(pk=escalation.pk).update(
        state="sending", claimed_at=later, attempts=1
    )
    reclaim = timedelta(seconds=settings.ESCALATION_RECLAIM_SECONDS)
    assert services.escalations_run(now=later + reclaim - timedelta(seconds=1)) == 0
    assert mail.outbox == []
    assert services.escalations_run(now=later + reclaim + timedelta(seconds=1)) == 1
    escalation.refresh_from_db()
    assert escalation.state == "sent" and escalation.attempts == 2
    assert len(mail.outbox) == 1


def test_delivered_through_a_real_smtp_server(red, settings):
    with MailServer() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        assert services.escalations_run(now=red.created_at + timedelta(minutes=61)) == 1
        (message,) = server.messages
    assert message["To"] == "anne.nord@testrup.dk"
    assert message["Subject"].strip() == "Telemed: rød alarm ikke kvitteret (KOL-team Nord)"


def test_a_hung_mail_server_times_out_and_the_escalation_waits_for_the_next_run(red, settings):
    """A server that accepts the connection and never greets: EMAIL_TIMEOUT ends the wait."""
    import socket

    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = hung.getsockname()
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 1
        assert services.escalations_run(now=red.created_at + timedelta(minutes=61)) == 0
    escalation = Escalation.objects.get()
    assert escalation.state == "pending" and escalation.queued_at is None
    assert "timed out" in escalation.last_error


def test_reclaim_must_outlast_the_mail_timeout(settings):
    from alarms.checks import escalation_reclaim_outlasts_mail_timeout

    settings.EMAIL_TIMEOUT, settings.ESCALATION_RECLAIM_SECONDS = 30, 300
    assert escalation_reclaim_outlasts_mail_timeout() == []
    settings.ESCALATION_RECLAIM_SECONDS = 30
    assert [e.id for e in escalation_reclaim_outlasts_mail_timeout()] == ["alarms.E001"]


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


def test_the_email_is_in_the_recipients_language(red, nurse):
    later = red.created_at + timedelta(minutes=61)
    nurse.clinician.language = "en"
    nurse.clinician.save()
    services.escalations_run(now=later)
    [message] = mail.outbox
    assert message.subject == "Telemed: red alarm not acknowledged (KOL-team Nord)"
    assert "A red alarm for Dorte B. has waited" in message.body
    assert "rød" not in message.body


def test_mixed_languages_get_one_email_in_danish_then_english(red, nurse, colleague):
    later = red.created_at + timedelta(minutes=61)
    colleague.email = "bente.syd@testrup.dk"
    colleague.save()
    colleague.clinician.language = "en"
    colleague.clinician.save()
    services.escalations_run(now=later)
    [message] = mail.outbox
    assert sorted(message.to) == ["anne.nord@testrup.dk", "bente.syd@testrup.dk"]
    assert message.subject.startswith("Telemed: rød alarm")
    assert message.body.index("En rød alarm") < message.body.index("A red alarm")
