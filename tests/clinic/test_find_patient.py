"""Find a patient from the top bar: by CPR number, birth date or name, among one's own patients."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from patients import cpr
from patients.models import PatientState
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = reverse("patient:find")


def find(client, q: str | None = None, **params):
    query = {} if q is None else {"q": q}
    return client.get(URL, {**query, **params}, HTTP_ACCEPT_LANGUAGE="en")


def shown(response) -> list[str]:
    return [p.last_name for p in response.context["patients"]]


def last_event() -> AuditEvent:
    return AuditEvent.objects.latest("pk")


# The field in the top bar ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["nurse", "doctor", "org_admin"])
def test_every_clinician_page_has_the_search_field(client, request, persona):
    login(client, request.getfixturevalue(persona))
    html = client.get(reverse("home"), follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{URL}"' in html
    assert '<label class="visually-hidden" for="topbar-q">' in html


def test_the_citizen_has_no_search_field(client, citizen):
    login(client, citizen.citizen_user)
    html = client.get(reverse("monitoring:citizen_home")).content.decode()
    assert f'action="{URL}"' not in html


def test_citizen_and_anonymous_cannot_search(client, citizen):
    assert client.get(URL, {"q": citizen.cpr}).status_code == 302  # to the login page
    login(client, citizen.citizen_user)
    assert client.get(URL, {"q": citizen.cpr}).status_code == 403


# Finding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["formatted", "digits"])
def test_an_exact_cpr_number_opens_the_patient_page(client, nurse, citizen, typed):
    login(client, nurse)
    text = citizen.formatted_cpr if typed == "formatted" else citizen.cpr
    response = find(client, text)
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:detail", args=[citizen.pk])


def test_the_birth_date_lists_everyone_born_that_day(client, nurse, team, citizen):
    twin = PatientFactory(
        monitoring_team=team,
        cpr=citizen.cpr[:6] + ("1111" if citizen.cpr[6:] != "1111" else "2222"),
        last_name="Tvilling",
    )
    login(client, nurse)
    response = find(client, citizen.cpr[:6])
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted([citizen.last_name, twin.last_name])


@pytest.mark.parametrize("typed", ["dorte", "BORG", "orte borg", "Borger Dorte"])
def test_a_name_matches_first_and_last_name_partly_and_case_insensitively(
    client, nurse, team, citizen, typed
):
    PatientFactory(monitoring_team=team, first_name="Karl", last_name="Hansen")
    login(client, nurse)
    response = find(client, typed)
    assert shown(response) == ["Borger"]


def test_the_list_shows_name_masked_cpr_state_team_and_a_link(client, nurse, team, citizen):
    PatientFactory(
        monitoring_team=team, first_name="Dorthe", last_name="Andersen", state=PatientState.PAUSED
    )
    login(client, nurse)
    response = find(client, "dort")
    html = response.content.decode()
    assert shown(response) == ["Andersen", "Borger"]  # by last name
    assert f'href="{reverse("patient:detail", args=[citizen.pk])}">Borger, Dorte</a>' in html
    assert citizen.masked_cpr in html
    assert citizen.formatted_cpr not in html and citizen.cpr not in html
    assert "Paused" in html and "Active" in html
    assert "KOL-team Nord" in html


def test_a_single_name_match_is_listed_not_opened(client, nurse, citizen):
    login(client, nurse)
    response = find(client, "Borger")
    assert response.status_code == 200
    assert shown(response) == ["Borger"]


def test_results_are_paged_and_the_pages_keep_the_search(client, nurse, team):
    for n in range(25):
        PatientFactory(monitoring_team=team, first_name="Ole", last_name=f"Olsen {n:02d}")
    login(client, nurse)
    first = find(client, "olsen")
    assert len(shown(first)) == 20
    html = first.content.decode()
    assert 'href="?q=olsen&amp;page=2" rel="next"' in html
    second = find(client, "olsen", page=2)
    assert shown(second) == [f"Olsen {n:02d}" for n in range(20, 25)]


@pytest.mark.parametrize("matches", [1, 30])
def test_a_fixed_number_of_queries_whatever_the_number_of_matches(
    client, nurse, team, matches, django_assert_max_num_queries
):
    for _n in range(matches):
        PatientFactory(monitoring_team=team, last_name="Mortensen")
    login(client, nurse)
    with django_assert_max_num_queries(7):
        response = find(client, "mortensen")
    assert len(shown(response)) == min(matches, 20)


# Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "Type a whole CPR number (10 digits, DDMMYY-XXXX)"),
        ("1204a91234", "Type a whole CPR number (10 digits, DDMMYY-XXXX)"),
        ("3102501234", "must be a real date (DDMMYY)"),
        ("310250", "must be a real date (DDMMYY)"),
    ],
)
def test_a_malformed_cpr_number_is_explained_next_to_the_field_and_kept(
    client, nurse, citizen, typed, message
):
    login(client, nurse)
    response = find(client, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<p class="field__error" id="find-error">[^<]*{re.escape(message)}', html)
    assert f'value="{typed}"' in html and 'aria-invalid="true"' in html
    assert response.context["page"] is None


def test_an_empty_search_says_what_to_type(client, nurse, citizen):
    login(client, nurse)
    for typed in (None, "", "   "):
        response = find(client, typed)
        assert response.status_code == 200
        assert "Type a CPR number, a birth date or a name" in response.content.decode()
        assert response.context["patients"] == []


# Who finds whom ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "other_nurse"])
def test_a_stranger_finds_nothing_and_learns_nothing(client, request, citizen, persona):
    never_issued = cpr.format_cpr("0101504321")
    assert not type(citizen).objects.filter(cpr=cpr.normalize(never_issued)).exists()
    login(client, request.getfixturevalue(persona))

    def page_for(text: str) -> str:
        response = find(client, text)
        assert response.status_code == 200
        assert response.context["patients"] == []
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
        return html.replace(text, "TYPED")

    existing, unknown = page_for(citizen.formatted_cpr), page_for(never_issued)
    assert existing == unknown
    assert citizen.last_name not in existing
    assert page_for(citizen.last_name) == page_for("Nobodysson").replace("Nobodysson", "TYPED")
    assert not AuditEvent.objects.filter(patient=citizen).exists()


def test_the_treating_doctor_finds_her_patient(client, doctor, citizen):
    login(client, doctor)
    assert find(client, citizen.cpr)["Location"] == reverse("patient:detail", args=[citizen.pk])


# Audit ------------------------------------------------------------------------------------


def test_a_search_is_one_audit_event_naming_the_patients_shown(client, nurse, team, citizen):
    other = PatientFactory(monitoring_team=team, first_name="Dorit", last_name="Ahl")
    login(client, nurse)
    before = AuditEvent.objects.count()
    find(client, "dor")
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.what == f"Patient search (2 patients shown: {other.pk},{citizen.pk})"
    assert event.patient_id is None and event.user == nurse


def test_the_typed_cpr_number_is_never_stored(client, nurse, citizen):
    login(client, nurse)
    find(client, citizen.formatted_cpr)
    event = AuditEvent.objects.filter(what__startswith="Patient search").get()
    assert event.patient_id == citizen.pk
    assert event.what == f"Patient search (1 patients shown: {citizen.pk})"
    for text in (citizen.cpr, citizen.formatted_cpr, citizen.cpr[:6]):
        assert text not in event.what and text not in event.path
    # Neither for a malformed or a non-matching number.
    find(client, "1204a91234")
    find(client, "0101504321")
    for event in AuditEvent.objects.filter(what__startswith="Patient search"):
        assert "1204" not in event.what + event.path and "010150" not in event.what + event.path


def test_the_audit_description_is_known_and_translated(client, nurse, citizen):
    from django.utils import translation

    from telemed.audit_text import describe, is_known

    login(client, nurse)
    find(client, "")
    find(client, "Borger")
    for what in AuditEvent.objects.values_list("what", flat=True):
        assert is_known(what), what
    with translation.override("en"):
        assert describe(f"Patient search (1 patients shown: {citizen.pk})") == (
            "Patient search (1 patients shown)"
        )
