"""The nurse's triage list: order, filters, counts, paging, refresh, acknowledgement, access."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alarms import services
from alarms.models import PatientTriage, TriageResult
from alarms.outcomes import no_action_outcome
from monitoring.models import MeasurementType, Source
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory, ThresholdSetFactory
from tests.factories import monitored_patient as patient_on
from tests.factories import record_reading as measure

pytestmark = pytest.mark.django_db

URL = "/nurse/"


@pytest.fixture
def ward(team, citizen):
    """Four patients of the nurse's team at four levels, plus the citizen persona."""
    ThresholdSetFactory(patient=citizen, copd=True)
    red = patient_on(team, first_name="Rasmus", last_name="Rød")
    yellow_old = patient_on(team, first_name="Ulla", last_name="Gulgammel")
    yellow_new = patient_on(team, first_name="Yrsa", last_name="Gulny")
    green = patient_on(team, first_name="Gustav", last_name="Grøn")
    measure(red, "spo2", "83", ago=timedelta(minutes=30))
    measure(yellow_old, "spo2", "86", ago=timedelta(hours=5))
    measure(yellow_new, "pulse", "115", ago=timedelta(hours=1))
    measure(green, "spo2", "95", ago=timedelta(hours=2))
    return {"red": red, "yellow_old": yellow_old, "yellow_new": yellow_new, "green": green}


def names_in_order(response):
    return [row.patient.last_name for row in response.context["rows"]]


def test_most_urgent_first_and_longest_waiting_first_inside_a_level(client, nurse, ward):
    login(client, nurse)
    response = client.get(URL)
    assert response.status_code == 200
    order = names_in_order(response)
    assert order[:4] == ["Rød", "Gulgammel", "Gulny", "Grøn"]
    counts = response.context["page"].counts
    assert counts == {
        "red": 1,
        "yellow": 2,
        "missing": 0,
        "green": 2,
        "messages": 0,
        "reminders": 0,
    }


def test_row_shows_reasons_latest_values_and_masked_cpr_in_danish(client, nurse, ward):
    login(client, nurse)
    html = client.get(URL).content.decode()
    assert "SpO2 83 % under rød grænse 85 %" in html
    assert ward["red"].masked_cpr in html
    assert ward["red"].cpr not in html
    assert 'class="value value--red"' in html


def test_english_by_browser(client, nurse, ward):
    login(client, nurse)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SpO2 83 % below red limit 85 %" in html
    # Stored in Danish ("Puls … slag/min"), shown in the reader's language.
    assert "Pulse 115 beats/min above yellow limit 110 beats/min" in html
    assert "slag/min" not in html
    assert "Triage" in html


def test_other_team_sees_none_of_these_patients(client, other_nurse, ward):
    login(client, other_nurse)
    response = client.get(URL)
    assert response.context["rows"] == []
    row = reverse("alarms:triage_row", args=[ward["red"].pk])
    assert client.get(row).status_code == 404


def test_filters_by_level_team_and_search(client, nurse, ward, other_team):
    login(client, nurse)
    assert names_in_order(client.get(URL, {"level": "yellow"})) == ["Gulgammel", "Gulny"]
    assert names_in_order(client.get(URL, {"q": "gul"})) == ["Gulgammel", "Gulny"]
    assert names_in_order(client.get(URL, {"q": ward["green"].cpr[:6]}))[0] in {"Grøn", "Borger"}
    assert names_in_order(client.get(URL, {"q": ward["green"].formatted_cpr})) == ["Grøn"]
    # A team the nurse is not on is ignored rather than leaking anything.
    assert len(names_in_order(client.get(URL, {"team": other_team.pk}))) == 5


def test_a_filter_never_hides_red_patients_silently(client, nurse, ward):
    login(client, nurse)
    response = client.get(URL, {"level": "green"})
    assert response.context["page"].hidden_red == 1
    assert "1 rød patient vises ikke med dette filter." in response.content.decode()


def test_paging_never_pushes_a_red_patient_off_the_first_page(client, nurse, team):
    kind = MeasurementType.objects.get(key="spo2")
    patients = [patient_on(team) for _ in range(5)]
    for patient in patients:
        services.measurements_record(
            patient=patient,
            readings=[services.Reading(kind, Decimal("80"), timezone.now())],
            source=Source.DEVICE,
        )
    from alarms import selectors

    page = selectors.triage_list(user=nurse, filters=selectors.TriageFilters(), per_page=3)
    assert [p.triage.level for p in page.rows] == ["red"] * 5
    assert page.pages == 1


def test_acknowledge_leaves_the_list_level_and_can_be_undone(client, nurse, ward):
    login(client, nurse)
    result = TriageResult.objects.get(patient=ward["yellow_old"])
    response = client.post(
        reverse("alarms:result_acknowledge", args=[result.pk]),
        {
            "outcome": "advised_by_phone",
            "note": "Ringet, har det fint",
            "receipt_to_citizen": "1",
            "note_to_citizen": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="patient-{ward["yellow_old"].pk}"' in html
    assert "Fortryd" in html  # undo offered in the updated row
    result.refresh_from_db()
    assert (result.acknowledged_by, result.acknowledgement_note) == (nurse, "Ringet, har det fint")
    assert result.receipt_to_citizen and result.note_to_citizen
    assert result.outcome is not None and result.outcome.code == "advised_by_phone"
    names = names_in_order(client.get(URL, {"level": "yellow"}))
    assert names == ["Gulny"]
    assert AuditEvent.objects.filter(patient=ward["yellow_old"], action="update").count() == 1

    client.post(reverse("alarms:result_acknowledge_undo", args=[result.pk]), HTTP_HX_REQUEST="true")
    assert names_in_order(client.get(URL, {"level": "yellow"})) == ["Gulgammel", "Gulny"]


def test_acknowledge_without_javascript_redirects_back_with_filters(client, nurse, ward):
    login(client, nurse)
    result = TriageResult.objects.get(patient=ward["red"])
    response = client.post(
        reverse("alarms:result_acknowledge", args=[result.pk]),
        {"next": "/nurse/?level=red", "outcome": "contacted_gp"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/nurse/?level=red"


def test_acknowledge_all_green_in_the_list(client, nurse, ward):
    login(client, nurse)
    response = client.post(reverse("alarms:list_acknowledge_green"), {})
    assert response.status_code == 302
    assert not TriageResult.objects.filter(severity="green", acknowledged_at=None).exists()
    assert TriageResult.objects.filter(severity="red", acknowledged_at=None).exists()
    assert PatientTriage.objects.get(patient=ward["green"]).open_green == 0
    outcomes = set(
        TriageResult.objects.filter(severity="green").values_list("outcome__code", flat=True)
    )
    assert outcomes == {"no_action"}


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Vælg, hvad der blev gjort ved resultatet."),
        ({"outcome": "made_up"}, "Vælg et af udfaldene på listen."),
    ],
)
def test_acknowledge_without_a_listed_outcome_is_refused_and_keeps_the_note(
    client, nurse, ward, posted, message
):
    login(client, nurse)
    result = TriageResult.objects.get(patient=ward["red"])
    response = client.post(
        reverse("alarms:result_acknowledge", args=[result.pk]),
        {"note": "Ringet, ingen svar", **posted},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Ringet, ingen svar</textarea>" in html  # what she typed is still there
    assert "Kontaktet egen læge" in html  # the outcomes are offered again
    result.refresh_from_db()
    assert result.acknowledged_at is None


def test_opened_row_offers_the_outcomes_grouped_by_kind(client, nurse, ward):
    login(client, nurse)
    row = client.get(
        reverse("alarms:triage_row", args=[ward["red"].pk]),
        {"open": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert '<optgroup label="Action">' in row and "Contacted the GP" in row
    assert "Measurement error or device fault (false alarm)" in row


def test_outsider_cannot_acknowledge(client, outsider, ward):
    login(client, outsider)
    result = TriageResult.objects.get(patient=ward["red"])
    response = client.post(reverse("alarms:result_acknowledge", args=[result.pk]))
    assert response.status_code in (403, 404)
    result.refresh_from_db()
    assert result.acknowledged_at is None


def test_refresh_returns_the_list_only_keeps_open_rows_and_marks_new_reds(client, nurse, ward):
    login(client, nurse)
    since = timezone.now()
    newcomer = ward["green"]
    measure(newcomer, "spo2", "82")
    response = client.get(
        URL,
        {"since": since.isoformat(), "open_ids": str(ward["yellow_new"].pk)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="triage-list"' in html
    row = next(r for r in response.context["rows"] if r.pk == newcomer.pk)
    assert row.is_new
    assert not next(r for r in response.context["rows"] if r.pk == ward["red"].pk).is_new
    assert next(r for r in response.context["rows"] if r.pk == ward["yellow_new"].pk).expanded


def test_one_audit_event_per_view(client, nurse, ward):
    login(client, nurse)
    before = AuditEvent.objects.count()
    client.get(URL)
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize("size", [10, 500])
def test_query_count_does_not_grow_with_patients(
    client, nurse, team, size, django_assert_max_num_queries
):
    kind = MeasurementType.objects.get(key="spo2")
    for index in range(size):
        patient = patient_on(team) if index < 10 else PatientFactory(monitoring_team=team)
        if index < 10:
            services.measurements_record(
                patient=patient,
                readings=[services.Reading(kind, Decimal(80 + index), timezone.now())],
                source=Source.DEVICE,
            )
    login(client, nurse)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"open_ids": ",".join(str(i) for i in range(1, 20))})
    assert response.status_code == 200


def test_unread_citizen_message_and_due_reminder_bring_a_green_patient_forward(
    client, nurse, ward, team
):
    from alarms.models import PatientNote
    from monitoring.models import Message

    quiet = patient_on(team, first_name="Kaj", last_name="Stille")
    measure(quiet, "spo2", "97", ago=timedelta(hours=10))
    Message.objects.create(patient=quiet, sender_is_citizen=True, body="Jeg hoster mere i dag")
    reminded = patient_on(team, first_name="Lis", last_name="Påmindet")
    PatientNote.objects.create(
        patient=reminded, author=nurse, text="Ring om ny inhalator", remind_on=timezone.localdate()
    )
    PatientNote.objects.create(
        patient=ward["green"],
        author=nurse,
        text="Senere",
        remind_on=timezone.localdate() + timedelta(days=3),
    )
    login(client, nurse)
    response = client.get(URL)
    order = names_in_order(response)
    assert order[:3] == ["Rød", "Gulgammel", "Gulny"]
    assert set(order[3:5]) == {"Stille", "Påmindet"}
    assert response.context["page"].counts["messages"] == 1
    assert response.context["page"].counts["reminders"] == 1
    html = response.content.decode()
    assert "1 ulæst besked fra borgeren" in html
    assert "Ring om ny inhalator" in html

    Message.objects.filter(patient=quiet).update(read_by_team_at=timezone.now())
    rows = client.get(URL).context["rows"]
    assert [
        row.patient.urgency for row in rows if row.patient.last_name in ("Stille", "Påmindet")
    ] == [1, 0]


# Polish a nurse asked for ---------------------------------------------------------------


def test_a_reading_of_this_minute_says_just_now_not_zero_minutes(client, nurse, team):
    fresh = patient_on(team, first_name="Frida", last_name="Frisk")
    measure(fresh, "spo2", "83")
    login(client, nurse)
    html = client.get(URL).content.decode()
    assert "lige nu" in html and "venter under et minut" in html
    assert "0 minutter" not in html


def test_count_bubbles_say_what_they_count(client, nurse, ward):
    login(client, nurse)
    html = client.get(URL).content.decode()
    assert '<span class="visually-hidden">1 rød ikke kvitteret</span>' in html
    assert 'title="1 gul ikke kvitteret"' in html


def test_an_acknowledgement_updates_the_list_counters_at_once(client, nurse, ward):
    login(client, nurse)
    result = TriageResult.objects.get(patient=ward["red"])
    response = client.post(
        reverse("alarms:result_acknowledge", args=[result.pk]),
        {"next": f"{URL}?level=red", "outcome": "contacted_gp"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    # The counters come along out of band, with the list's filter kept in their links.
    assert 'id="level-counts"' in html and 'hx-swap-oob="outerHTML"' in html
    counts = html[html.index('id="level-counts"') : html.index("</ul>", html.index("level-counts"))]
    assert '<span class="level-count__n">0</span> Rød' in counts
    assert "level-count--red is-current" in counts


def test_acknowledge_all_green_is_offered_only_when_something_green_is_open(client, nurse, ward):
    login(client, nurse)
    html = client.get(URL).content.decode()
    assert "Kvittér for det 1 grønne resultat på listen" in html
    services.results_acknowledge_green(
        patient_ids=[ward["green"].pk],
        user=nurse,
        outcome=no_action_outcome(None),
    )
    html = client.get(URL).content.decode()
    assert "grønne resultat" not in html and "ack-all-green" not in html


def test_acknowledging_all_green_shows_one_undo_that_undoes_them_all(client, nurse, team):
    several = patient_on(team, first_name="Grete", last_name="Grønsen")
    for hours in (3, 2, 1):
        measure(several, "spo2", "95", ago=timedelta(hours=hours))
    login(client, nurse)
    response = client.post(
        reverse("alarms:patient_acknowledge_green", args=[several.pk]),
        {"next": URL},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.count("Fortryd</button>") == 1
    assert "Du kvitterede for 3 resultater kl." in html
    first = TriageResult.objects.filter(patient=several).order_by("pk").first()
    client.post(reverse("alarms:result_acknowledge_undo", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert PatientTriage.objects.get(patient=several).open_green == 3
