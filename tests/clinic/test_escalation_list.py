"""The escalation list: what was escalated, whether the e-mail went out, and the alarm's state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alarms import services
from alarms.models import Escalation, TriageResult
from alarms.outcomes import outcomes_for
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import monitored_patient, record_reading

pytestmark = pytest.mark.django_db

URL = "/nurse/escalations/"


def escalate(patient, **fields) -> Escalation:
    record_reading(patient, "spo2", "82", ago=timedelta(hours=3))
    result = TriageResult.objects.filter(patient=patient).latest("pk")
    return Escalation.objects.create(result=result, patient=patient, **fields)


@pytest.fixture
def escalations(team, other_team, nurse):
    sent = escalate(
        monitored_patient(team, first_name="Sigrid", last_name="Sendt"),
        state="sent",
        sent_at=timezone.now(),
        recipients=["anne.nord@testrup.dk", "vagt@testrup.dk"],
    )
    failed = escalate(
        monitored_patient(team, first_name="Frede", last_name="Fejl"),
        state="failed",
        attempts=5,
        last_error="[Errno 111] Connection refused",
    )
    waiting = escalate(monitored_patient(team, first_name="Vera", last_name="Venter"))
    stranger = escalate(monitored_patient(other_team, first_name="Anders", last_name="Andet"))
    services.result_acknowledge(
        result=sent.result,
        user=nurse,
        outcome=next(o for o in outcomes_for(None) if o.code == "contacted_gp"),
        note="",
    )
    return {"sent": sent, "failed": failed, "waiting": waiting, "stranger": stranger}


def test_lists_the_teams_escalations_with_delivery_and_alarm(client, nurse, escalations):
    login(client, nurse)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert [e.patient.last_name for e in response.context["page"]] == ["Venter", "Fejl", "Sendt"]
    assert "Andet" not in html  # another team's patient
    assert "Sendt" in html and "2 modtagere" in html
    assert "Acknowledged" not in html and "Kvitteret af Anne Nord" in html
    assert "Kontaktet egen læge" in html
    assert "5 forsøg: [Errno 111] Connection refused" in html
    assert "Stadig åben" in html
    tabs = {tab.key: tab.count for tab in response.context["tabs"]}
    assert tabs == {"": 3, "open": 1, "sent": 1, "failed": 1}


def test_filters_by_delivery_state(client, nurse, escalations):
    login(client, nurse)
    failed = client.get(URL, {"show": "failed"}).context["page"]
    assert [e.pk for e in failed] == [escalations["failed"].pk]
    # An unknown filter shows everything rather than failing.
    assert len(client.get(URL, {"show": "nonsense"}).context["page"]) == 3


def test_one_audit_event_per_look(client, nurse, escalations):
    login(client, nurse)
    before = AuditEvent.objects.count()
    client.get(URL)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").what == "Escalation list (3 patients shown)"


def test_only_nurses_open_it(client, doctor, citizen):
    login(client, doctor)
    assert client.get(URL).status_code in (302, 403)


@pytest.mark.parametrize("size", [10, 60])
def test_query_count_does_not_grow_with_escalations(
    client, nurse, team, size, django_assert_max_num_queries
):
    for _ in range(size):
        escalate(monitored_patient(team))
    login(client, nurse)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(response.context["page"]) == min(size, 50)
    if size > 50:
        assert "Side 1 af 2" in response.content.decode()
