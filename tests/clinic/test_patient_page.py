"""The patient page: who may see it, one audit event per request, fixed query counts, and what
a nurse notices on each tab."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alarms import services
from alarms.models import Escalation, PatientNote, TriageResult
from alarms.outcomes import no_action_outcome
from alarms.services import AnswerInput, Reading, measurements_record, submission_record
from monitoring.models import Source
from patients.models import PatientPause, PatientState
from patients.services import patient_resume_ended_pauses
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import ThresholdSetFactory, measurement_type, questionnaire

pytestmark = pytest.mark.django_db

TABS = ["detail", "measurements", "answers", "results", "notes", "thresholds"]


def record_days(patient, days: int, *, start_value: int = 95, red_last: bool = True) -> None:
    """``days`` daily SpO2 and pulse readings from a device; the last SpO2 is red (83 %)."""
    now = timezone.now()
    readings = []
    for day in range(days):
        at = now - timedelta(days=days - day, hours=1)
        readings.append(Reading(measurement_type("spo2"), Decimal(start_value - day % 3), at))
        readings.append(Reading(measurement_type("pulse"), Decimal(80 + day % 5), at))
    if red_last:
        readings.append(
            Reading(measurement_type("spo2"), Decimal("83"), now - timedelta(minutes=30))
        )
    measurements_record(patient=patient, readings=readings, source=Source.DEVICE, device_id="oxi-1")


@pytest.fixture
def monitored(citizen):
    ThresholdSetFactory(patient=citizen, copd=True)
    record_days(citizen, 5)
    return citizen


def chart_figures(response) -> dict[str, dict]:
    body = response.content.decode()
    found = re.findall(
        r'<script id="chart-data-([\w-]+)" type="application/json">(.*?)</script>', body
    )
    return {key: json.loads(data) for key, data in found}


# Access and audit -------------------------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_is_for_the_care_team_only_and_audited_once(client, monitored, nurse, tab):
    url = reverse(f"patient:{tab}", args=[monitored.pk])
    login(client, nurse)
    before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("occurred_at")
    assert event.patient_id == monitored.pk and event.user == nurse and event.action == "view"


@pytest.mark.parametrize("tab", TABS)
def test_outsiders_get_404_and_the_citizen_403(
    client, monitored, other_nurse, outsider, citizen_user, tab
):
    url = reverse(f"patient:{tab}", args=[monitored.pk])
    for user, status in ((other_nurse, 404), (outsider, 404), (citizen_user, 403)):
        client.logout()
        login(client, user)
        assert client.get(url).status_code == status, user
    assert not AuditEvent.objects.filter(patient=monitored, action="view").exists()
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_treating_doctor_sees_the_page(client, monitored, doctor):
    login(client, doctor)
    assert client.get(reverse("patient:detail", args=[monitored.pk])).status_code == 200


# Header -----------------------------------------------------------------------------------


def test_header_masks_cpr_and_reveal_is_an_audited_post(client, monitored, nurse):
    login(client, nurse)
    page = client.get(reverse("patient:detail", args=[monitored.pk])).content.decode()
    assert monitored.masked_cpr in page and monitored.cpr not in page
    assert monitored.formatted_cpr not in page
    assert "Dorte Borger" in page and "KOL-team Nord" in page and "Carl Læge" in page

    url = reverse("patient:cpr", args=[monitored.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert monitored.formatted_cpr in response.content.decode()
    event = AuditEvent.objects.latest("occurred_at")
    assert "CPR" in event.what and event.patient_id == monitored.pk

    # Without JavaScript the same form shows it on a page of its own.
    response = client.post(url)
    assert response.status_code == 200 and monitored.formatted_cpr in response.content.decode()


def test_header_lists_thresholds_and_open_alarms(client, monitored, nurse):
    login(client, nurse)
    page = client.get(reverse("patient:detail", args=[monitored.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "red &lt; 85 · yellow &lt; 88 %" in body
    assert "1 red" in body


def test_header_shows_who_is_on_it_and_the_escalations_of_open_results(
    client, monitored, nurse, colleague
):
    url = reverse("patient:detail", args=[monitored.pk])
    login(client, nurse)
    # Nobody on it yet: the nurse can claim from the header, and comes back to the page.
    assert "I'm on it" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reverse("alarms:patient_claim", args=[monitored.pk]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are on it since" in body and "Release" in body

    red = TriageResult.objects.get(patient=monitored, severity="red")
    Escalation.objects.create(result=red, patient=monitored, state="sent")
    login(client, colleague)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anne Nord is on it since" in body and "Take over from Anne Nord" in body
    assert "to the monitoring team: sent" in body

    # Once the red is acknowledged the escalation is history, not shown in the header.
    services.result_acknowledge(result=red, user=nurse, outcome=no_action_outcome(None), note="")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "to the monitoring team" not in body


# Charts -----------------------------------------------------------------------------------


def test_chart_shows_the_red_value_inside_the_red_band(client, monitored, nurse):
    login(client, nurse)
    figures = chart_figures(client.get(reverse("patient:detail", args=[monitored.pk])))
    assert set(figures) == {"spo2", "pulse"}
    spo2 = figures["spo2"]
    values = next(t for t in spo2["data"] if t["mode"] == "lines+markers")
    red = [
        y for y, sev in zip(values["y"], values["meta"]["severities"], strict=True) if sev == "red"
    ]
    assert red == [83.0]
    red_band = next(s for s in spo2["layout"]["shapes"] if s["name"] == "red")
    assert red_band["y0"] <= 83 <= red_band["y1"] == 85
    # Not acknowledged: ringed, and the hover says where it came from.
    ring = [t for t in spo2["data"] if t.get("marker", {}).get("symbol") == "circle-open"]
    assert ring and ring[0]["y"] == [83.0]
    assert "oxi-1" in ring[0]["text"][0]


def test_blood_pressure_is_one_chart(client, citizen, nurse):
    now = timezone.now()
    measurements_record(
        patient=citizen,
        readings=[
            Reading(measurement_type("bp_systolic"), Decimal("150"), now - timedelta(hours=2)),
            Reading(measurement_type("bp_diastolic"), Decimal("90"), now - timedelta(hours=2)),
        ],
        source=Source.CLINIC,
    )
    login(client, nurse)
    figures = chart_figures(client.get(reverse("patient:detail", args=[citizen.pk])))
    assert list(figures) == ["bp_systolic"]
    series = [t["y"] for t in figures["bp_systolic"]["data"] if t["mode"] == "lines+markers"]
    assert series == [[150.0], [90.0]]


def test_range_switch_and_bad_custom_range(client, monitored, nurse):
    login(client, nurse)
    url = reverse("patient:detail", args=[monitored.pk])
    week = client.get(url, {"range": "7d"})
    assert 'aria-current="true">7' in week.content.decode()
    bad = client.get(
        url,
        {"range": "custom", "from": "2025-02-01", "to": "2025-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200
    assert "The last day must not be before the first day." in bad.content.decode()
    custom = client.get(
        url,
        {"range": "custom", "from": "2020-01-01", "to": "2020-01-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No measurements in this period" in custom.content.decode()


def test_days_are_shown_and_typed_as_in_denmark(client, monitored, nurse):
    login(client, nurse)
    url = reverse("patient:measurements", args=[monitored.pk])
    custom = client.get(url, {"range": "custom", "from": "01.02.2025", "to": "28.02.2025"})
    body = custom.content.decode()
    assert "Viser 01.02.2025–28.02.2025" in body
    assert 'name="from" placeholder="dd.mm.åååå"' in body and 'value="01.02.2025"' in body
    assert 'type="date"' not in body
    typo = client.get(url, {"range": "custom", "from": "31.02.2025", "to": "28.02.2025"})
    body = typo.content.decode()
    assert "Indtast en gyldig dato." in body
    assert 'value="31.02.2025"' in body  # what was typed is kept


def test_htmx_tab_switch_returns_only_the_panel(client, monitored, nurse):
    login(client, nurse)
    response = client.get(
        reverse("patient:measurements", args=[monitored.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="patient-panel"')
    assert "<html" not in body and "oxi-1" in body


@pytest.mark.parametrize("tab", ["detail", "measurements", "answers", "results"])
def test_ranged_tabs_keep_a_fixed_number_of_queries(
    client, citizen, nurse, django_assert_max_num_queries, tab
):
    ThresholdSetFactory(patient=citizen, copd=True)
    login(client, nurse)
    url = reverse(f"patient:{tab}", args=[citizen.pk])
    kol = questionnaire("kol")
    item = kol.items.filter(kind="boolean").first() or kol.items.first()
    option = item.options.first()

    def add(days: int) -> None:
        record_days(citizen, days, red_last=False)
        for day in range(days):
            submission_record(
                patient=citizen,
                questionnaire=kol,
                answers=[AnswerInput(item=item, option=option)] if option else [],
                submitted_at=timezone.now() - timedelta(days=day, hours=2),
            )

    add(2)
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(24) as small:
        assert client.get(url).status_code == 200
    add(25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# Measurements -----------------------------------------------------------------------------


def test_measurement_table_sorts_and_exports_what_is_shown(client, monitored, nurse):
    login(client, nurse)
    url = reverse("patient:measurements", args=[monitored.pk])
    by_value = client.get(url, {"sort": "value", "range": "7d"}).content.decode()
    assert 'aria-sort="ascending"' in by_value
    spo2_values = re.findall(r"<strong>(\d+)</strong> <span class=\"muted\">%</span>", by_value)
    assert spo2_values == sorted(spo2_values, key=int)

    before = AuditEvent.objects.filter(action="export").count()
    export = client.get(
        reverse("patient:measurements_csv", args=[monitored.pk]),
        {"range": "7d", "sort": "-time"},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 11  # header + 5 days x 2 types + the red one
    assert "83" in lines[1] and "oxi-1" in lines[1] and ";" in lines[1]
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    assert AuditEvent.objects.filter(action="export").latest("occurred_at").patient == monitored


# Answers ----------------------------------------------------------------------------------


def test_answers_matrix_has_questions_as_rows_and_coloured_cells(client, citizen, nurse):
    kol = questionnaire("kol")
    item = next(i for i in kol.items.all() if i.options.filter(severity="red").exists())
    red = item.options.get(severity="red")
    green = item.options.filter(severity="green").first()
    for days, option in ((2, green), (1, red)):
        submission_record(
            patient=citizen,
            questionnaire=kol,
            answers=[AnswerInput(item=item, option=option)],
            submitted_at=timezone.now() - timedelta(days=days),
        )
    login(client, nurse)
    body = client.get(reverse("patient:answers", args=[citizen.pk])).content.decode()
    row = body[body.index(item.text_da) :]
    row = row[: row.index("</tr>")]
    assert row.count('class="cell') == 2
    assert row.index("cell--green") < row.index("cell--red")  # oldest column first


# Results ----------------------------------------------------------------------------------


def test_nurse_acknowledges_from_the_result_history(client, monitored, nurse):
    result = TriageResult.objects.get(patient=monitored, severity="red")
    login(client, nurse)
    page = client.get(reverse("patient:results", args=[monitored.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "below red limit 85" in page.content.decode()

    response = client.post(
        reverse("patient:result_acknowledge", args=[monitored.pk, result.pk]),
        {"note": "Ringet op, har det godt", "range": "7d", "outcome": "asked_to_remeasure"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?range=7d")
    result.refresh_from_db()
    assert result.acknowledged_by == nurse
    assert result.outcome is not None and result.outcome.code == "asked_to_remeasure"
    assert result.acknowledgement_note == "Ringet op, har det godt"
    body = client.get(reverse("patient:results", args=[monitored.pk])).content.decode()
    assert "Ringet op, har det godt" in body and "Anne Nord" in body
    assert "Bedt om at måle igen" in body


def test_acknowledging_without_an_outcome_keeps_what_was_typed(client, monitored, nurse):
    result = TriageResult.objects.get(patient=monitored, severity="red")
    login(client, nurse)
    response = client.post(
        reverse("patient:result_acknowledge", args=[monitored.pk, result.pk]),
        {"note": "Ringet op", "range": "7d", "receipt_to_citizen": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose what was done about the result." in html
    assert "Ringet op</textarea>" in html
    result.refresh_from_db()
    assert result.acknowledged_at is None


def test_doctor_cannot_acknowledge(client, monitored, doctor):
    result = TriageResult.objects.get(patient=monitored, severity="red")
    login(client, doctor)
    page = client.get(reverse("patient:results", args=[monitored.pk])).content.decode()
    assert "/acknowledge/" not in page
    response = client.post(reverse("patient:result_acknowledge", args=[monitored.pk, result.pk]))
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.acknowledged_at is None


# Notes ------------------------------------------------------------------------------------


def test_note_with_reminder_and_marking_it_done(client, citizen, nurse):
    login(client, nurse)
    today = timezone.localdate()
    response = client.post(
        reverse("patient:note_add", args=[citizen.pk]),
        {
            "text": "Ring i morgen om iltbehandling",
            "importance": "important",
            "remind_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    note = PatientNote.objects.get(patient=citizen)
    assert note.importance == "important" and note.remind_on == today and note.author == nurse
    # What the triage list reads for due reminders.
    assert PatientNote.objects.filter(remind_on__lte=today, done_at__isnull=True).count() == 1

    client.post(reverse("patient:note_done", args=[citizen.pk, note.pk]))
    note.refresh_from_db()
    assert note.done_at is not None and note.done_by == nurse


def test_empty_note_is_refused_and_keeps_the_reminder(client, citizen, nurse):
    login(client, nurse)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("patient:note_add", args=[citizen.pk]),
        {"text": " ", "importance": "normal", "remind_on": day},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Write the note before saving it." in response.content.decode()
    assert f'value="{day}"' in response.content.decode()
    assert not PatientNote.objects.exists()


# Pause ------------------------------------------------------------------------------------


def test_nurse_pauses_and_monitoring_resumes_by_itself(client, citizen, nurse):
    login(client, nurse)
    until = timezone.localdate() + timedelta(days=4)
    response = client.post(
        reverse("patient:pause", args=[citizen.pk]),
        {"reason": "Indlagt på AUH", "until": until.isoformat()},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.state == PatientState.PAUSED
    pause = PatientPause.objects.get(patient=citizen)
    assert pause.reason == "Indlagt på AUH" and pause.created_by == nurse
    page = client.get(reverse("patient:detail", args=[citizen.pk])).content.decode()
    assert "Indlagt på AUH" in page

    assert patient_resume_ended_pauses(now=pause.ends_at + timedelta(minutes=1)) == 1
    citizen.refresh_from_db()
    assert citizen.state == PatientState.ACTIVE


def test_pause_needs_a_reason_and_a_future_day(client, citizen, nurse):
    login(client, nurse)
    response = client.post(
        reverse("patient:pause", args=[citizen.pk]),
        {"reason": "", "until": "2020-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please give a reason for the pause." in body
    assert "The last day of the pause cannot be in the past." in body
    citizen.refresh_from_db()
    assert citizen.state == PatientState.ACTIVE and not PatientPause.objects.exists()


def test_resume_now_ends_the_pause(client, citizen, nurse):
    login(client, nurse)
    client.post(
        reverse("patient:pause", args=[citizen.pk]),
        {"reason": "Ferie", "until": (timezone.localdate() + timedelta(days=7)).isoformat()},
    )
    client.post(reverse("patient:pause_end", args=[citizen.pk]))
    citizen.refresh_from_db()
    assert citizen.state == PatientState.ACTIVE
    assert PatientPause.objects.get(patient=citizen).ends_at <= timezone.now()


def test_doctor_cannot_pause(client, citizen, doctor):
    login(client, doctor)
    response = client.post(
        reverse("patient:pause", args=[citizen.pk]),
        {"reason": "x", "until": (timezone.localdate() + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 403
    assert not PatientPause.objects.exists()


def test_header_links_to_messages_devices_and_first_login_for_the_team(
    client, monitored, nurse, doctor
):
    page = reverse("patient:detail", args=[monitored.pk])
    html = login(client, nurse).get(page).content.decode()
    for name in ("patient_messages:thread", "interop:devices", "patient_messages:first_login"):
        assert reverse(name, args=[monitored.pk]) in html
    client.logout()
    html = login(client, doctor).get(page).content.decode()
    assert reverse("patient_messages:thread", args=[monitored.pk]) in html
    assert reverse("interop:devices", args=[monitored.pk]) not in html


def test_a_value_typed_with_a_decimal_is_shown_as_typed_in_chart_table_and_csv(
    client, citizen, nurse
):
    ThresholdSetFactory(patient=citizen, copd=True)
    measurements_record(
        patient=citizen,
        readings=[Reading(measurement_type("spo2"), Decimal("87.5"), timezone.now())],
        source=Source.TYPED,
        device_id='=HYPERLINK("http://evil")',
    )
    login(client, nurse)
    spo2 = chart_figures(client.get(reverse("patient:detail", args=[citizen.pk])))["spo2"]
    hover = next(t for t in spo2["data"] if t["mode"] == "lines+markers")["text"][0]
    assert "SpO2): 87,5 %</b>" in hover  # not rounded to 88

    table = client.get(reverse("patient:measurements", args=[citizen.pk])).content.decode()
    assert "<strong>87,5</strong>" in table

    export = client.get(reverse("patient:measurements_csv", args=[citizen.pk]))
    [row] = export.content.decode("utf-8-sig").strip().splitlines()[1:]
    cells = row.split(";")
    assert "87,5" in cells
    # The device id a spreadsheet would run as a formula is neutralised, kept readable.
    assert any(cell.strip('"').startswith("'=HYPERLINK") for cell in cells)
