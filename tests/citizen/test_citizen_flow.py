"""The citizen answers the KOL questionnaire one question per screen and sends it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alarms.models import TriageResult
from alarms.services import Reading, measurements_record
from monitoring.models import Schedule, Source, Submission
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import ScheduleFactory, ThresholdSetFactory, measurement_type

pytestmark = pytest.mark.django_db

# The KOL questionnaire's screens with a valid answer each (temperature only after fever=yes).
GREEN_ANSWERS = {
    "spo2_pulse": {"m_spo2": "95", "m_pulse": "72"},
    "weight": {"m_weight": ""},
    "breathless": {"option": "no"},
    "cough": {"option": "no"},
    "sputum_more": {"option": "no"},
    "sputum_colour": {"option": "clear_white"},
    "rescue_medicine": {"option": "no"},
    "fever": {"option": "no"},
    "other": {"text": ""},
}


@pytest.fixture
def schedule(citizen) -> Schedule:
    ThresholdSetFactory(patient=citizen, copd=True)
    return ScheduleFactory(patient=citizen)


def step_url(schedule: Schedule, link_id: str) -> str:
    return reverse("citizen:answer_step", args=[schedule.pk, link_id])


def answer_all(client, schedule, overrides=None) -> None:
    answers = {**GREEN_ANSWERS, **(overrides or {})}
    url = reverse("citizen:answer_start", args=[schedule.pk])
    response = client.get(url)
    while response.status_code == 302 and "/q/" in response.url:
        link_id = response.url.rstrip("/").rsplit("/", 1)[-1]
        response = client.post(response.url, {**answers[link_id], "action": "next"})
    assert response.status_code == 302
    assert response.url == reverse("citizen:answer_summary", args=[schedule.pk])


def test_home_shows_the_due_questionnaire_with_a_button(client, citizen_user, schedule):
    login(client, citizen_user)
    html = client.get(reverse("monitoring:citizen_home")).content.decode()
    assert reverse("citizen:answer_start", args=[schedule.pk]) in html
    assert "KOL – dagligt spørgeskema" in html


def test_spo2_870_is_refused_and_what_was_typed_is_kept(client, citizen_user, schedule):
    login(client, citizen_user)
    url = step_url(schedule, "spo2_pulse")
    response = client.post(url, {"m_spo2": "870", "m_pulse": "72", "action": "next"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Du skrev 870" in html
    assert 'value="870"' in html and 'value="72"' in html
    # A reload (GET) still shows what was typed: the draft is on the server.
    assert 'value="72"' in client.get(url).content.decode()


def test_decimal_comma_is_accepted_and_the_answer_is_evaluated(
    client, citizen_user, citizen, schedule, nurse
):
    login(client, citizen_user)
    answer_all(client, schedule, {"spo2_pulse": {"m_spo2": "87,5", "m_pulse": "80"}})
    summary = client.get(reverse("citizen:answer_summary", args=[schedule.pk]))
    assert "87,5" in summary.content.decode()
    assert not Submission.objects.filter(patient=citizen).exists()  # nothing sent yet

    response = client.post(reverse("citizen:answer_summary", args=[schedule.pk]))
    submission = Submission.objects.get(patient=citizen)
    assert response.url == reverse("citizen:answer_sent", args=[submission.pk])
    spo2 = submission.measurements.get(type__key="spo2")
    assert spo2.value == Decimal("87.5") and spo2.source == Source.TYPED
    assert submission.severity == "yellow"  # 87.5 is below the yellow limit 88
    assert submission.schedule == schedule and submission.due_at is not None
    result = TriageResult.objects.get(submission=submission)
    assert result.severity == "yellow"

    # The nurse's list shows the patient at yellow.
    client.logout()
    login(client, nurse)
    page = client.get(reverse("alarms:nurse_home")).content.decode()
    assert "Borger, Dorte" in page


def test_sending_twice_stores_one_submission(client, citizen_user, citizen, schedule):
    login(client, citizen_user)
    answer_all(client, schedule)
    summary = reverse("citizen:answer_summary", args=[schedule.pk])
    session_before = dict(client.session)
    client.post(summary)
    # A double tap replays the same draft (same client uuid): the second is ignored.
    session = client.session
    session.update(session_before)
    session.save()
    client.post(summary)
    assert Submission.objects.filter(patient=citizen).count() == 1


def test_temperature_is_asked_only_after_fever_yes(client, citizen_user, citizen, schedule):
    login(client, citizen_user)
    answer_all(
        client,
        schedule,
        {"fever": {"option": "yes"}, "temperature": {"m_temperature": "38,6"}},
    )
    client.post(reverse("citizen:answer_summary", args=[schedule.pk]))
    submission = Submission.objects.get(patient=citizen)
    assert submission.measurements.get(type__key="temperature").value == Decimal("38.6")
    assert submission.severity == "yellow"


def test_back_keeps_the_answers(client, citizen_user, schedule):
    login(client, citizen_user)
    client.post(
        step_url(schedule, "spo2_pulse"), {"m_spo2": "93", "m_pulse": "70", "action": "next"}
    )
    response = client.post(step_url(schedule, "weight"), {"m_weight": "", "action": "back"})
    assert response.url == step_url(schedule, "spo2_pulse")
    assert 'value="93"' in client.get(response.url).content.decode()


def test_a_value_far_from_usual_must_be_confirmed(client, citizen_user, citizen, schedule):
    now = timezone.now()
    measurements_record(
        patient=citizen,
        readings=[
            Reading(measurement_type("spo2"), Decimal(v), now - timedelta(days=d))
            for d, v in ((1, 94), (2, 95), (3, 93))
        ],
        source=Source.DEVICE,
    )
    login(client, citizen_user)
    url = step_url(schedule, "spo2_pulse")
    first = client.post(url, {"m_spo2": "78", "m_pulse": "72", "action": "next"})
    assert first.status_code == 200
    assert "mål venligst igen" in first.content.decode().lower()
    assert 'name="confirm_spo2" value="78"' in first.content.decode()
    confirmed = client.post(
        url, {"m_spo2": "78", "confirm_spo2": "78", "m_pulse": "72", "action": "next"}
    )
    assert confirmed.status_code == 302


def test_required_question_without_answer_is_explained(client, citizen_user, schedule):
    login(client, citizen_user)
    response = client.post(step_url(schedule, "breathless"), {"action": "next"})
    assert "Vælg venligst et svar" in response.content.decode()


def test_each_screen_writes_one_audit_event(client, citizen_user, citizen, schedule):
    login(client, citizen_user)
    before = AuditEvent.objects.filter(patient=citizen).count()
    client.get(step_url(schedule, "breathless"))
    assert AuditEvent.objects.filter(patient=citizen).count() == before + 1


def test_other_people_cannot_answer(client, nurse, citizen_user, schedule, outsider):
    login(client, nurse)
    assert client.get(step_url(schedule, "breathless")).status_code == 403
    other = ScheduleFactory()  # another patient's schedule
    client.logout()
    login(client, citizen_user)
    assert client.get(reverse("citizen:answer_start", args=[other.pk])).status_code == 404


def test_anonymous_goes_to_login(client, schedule):
    response = client.get(step_url(schedule, "breathless"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_step_page_queries_do_not_grow_with_history(
    client, citizen_user, citizen, schedule, django_assert_max_num_queries
):
    login(client, citizen_user)
    url = step_url(schedule, "spo2_pulse")
    with django_assert_max_num_queries(14):
        client.post(url, {"m_spo2": "95", "m_pulse": "72", "action": "next"})
    now = timezone.now()
    measurements_record(
        patient=citizen,
        readings=[
            Reading(measurement_type("spo2"), Decimal(94), now - timedelta(hours=h))
            for h in range(1, 60)
        ],
        source=Source.DEVICE,
    )
    with django_assert_max_num_queries(14):
        client.post(url, {"m_spo2": "95", "m_pulse": "72", "action": "next"})


def test_receipt_shows_the_nurses_note_only_when_she_shared_it(client, citizen, nurse):
    from alarms import services
    from alarms.outcomes import outcomes_for

    ThresholdSetFactory(patient=citizen, copd=True)
    for value in ("83", "84"):
        measurements_record(
            patient=citizen,
            readings=[Reading(measurement_type("spo2"), Decimal(value), timezone.now())],
            source=Source.DEVICE,
        )
    shared, private = TriageResult.objects.filter(patient=citizen).order_by("pk")
    outcome = outcomes_for(None).get(code="advised_by_phone")
    common = {"user": nurse, "outcome": outcome, "receipt_to_citizen": True}
    services.result_acknowledge(
        result=shared, note="Tag din akutpakke i dag", note_to_citizen=True, **common
    )
    services.result_acknowledge(result=private, note="Overvej indlæggelse", **common)

    login(client, citizen.citizen_user)
    html = client.get(reverse("citizen:receipts")).content.decode()
    assert html.count("har set din måling") == 2
    assert "Tag din akutpakke i dag" in html
    assert "Overvej indlæggelse" not in html


def test_the_citizens_log_reads_in_her_language(client, citizen, nurse):
    """Who looked, in what role and at what, translated when shown (stored in English)."""
    from django.urls import reverse

    from tests.conftest import login

    login(client, nurse)
    client.get(reverse("patient:detail", args=[citizen.pk]))
    login(client, citizen.citizen_user)
    danish = client.get(reverse("monitoring:citizen_log"), HTTP_ACCEPT_LANGUAGE="da")
    assert "Patientside: grafer" in danish.content.decode()
    assert "Patient page: charts" not in danish.content.decode()
    english = client.get(reverse("monitoring:citizen_log"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Patient page: charts" in english.content.decode()


def test_a_question_without_english_is_shown_in_danish_and_marked(client, citizen_user, schedule):
    item = schedule.questionnaire.items.get(link_id="cough")
    item.text_en = ""
    item.save()
    login(client, citizen_user)
    html = client.get(step_url(schedule, "cough"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<legend class="qquestion" lang="da">{item.text_da}</legend>' in html
    other = client.get(step_url(schedule, "breathless"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<legend class="qquestion">' in other.content.decode()  # English there: no mark
