"""Login, logout, the role-based home redirect and the three start pages."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alarms.models import TriageResult
from alarms.services import triage_refresh
from monitoring.models import Measurement, MeasurementType, Questionnaire, Schedule, Submission
from patients.models import ClinicianProfile, Organisation, Patient, PatientState, Team
from patients.services import care_permissions_grant
from telemed.models import AuditEvent

PASSWORD = "demo-password-1"
_cpr_serial = itertools.count(1000)


def make_org(name: str, kind: str = Organisation.Kind.MUNICIPALITY) -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, sor_code=f"SOR-{name}")


def make_team(org: Organisation, name: str) -> Team:
    group = Group.objects.create(name=f"{org.name} {name}")
    return Team.objects.create(group=group, organisation=org, name=name)


def make_clinician(username: str, role: str, org: Organisation, teams=()) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, first_name=username.title(), last_name="Test"
    )
    ClinicianProfile.objects.create(user=user, role=role, organisation=org)
    for team in teams:
        user.groups.add(team.group)
    return user


def make_patient(first_name: str, team: Team | None = None, doctor: User | None = None, **kw):
    serial = next(_cpr_serial)
    patient = Patient.objects.create(
        cpr=f"010150{serial:04d}"[-10:],
        first_name=first_name,
        last_name="Jensen",
        copd_group="moderate",
        state=kw.pop("state", PatientState.ACTIVE),
        monitoring_team=team,
        treating_doctor=doctor,
        **kw,
    )
    # As referral acceptance does: the care relationship grants the object permissions.
    care_permissions_grant(patients=[patient])
    return patient


def open_result(patient: Patient, severity: str, minutes_ago: int = 10) -> TriageResult:
    spo2 = MeasurementType.objects.get(key="spo2")
    at = timezone.now() - timedelta(minutes=minutes_ago)
    measurement = Measurement.objects.create(
        patient=patient, type=spo2, value=90, unit="%", measured_at=at, source="typed"
    )
    result = TriageResult.objects.create(
        patient=patient,
        kind="measurement",
        measurement=measurement,
        severity=severity,
        created_at=at,
    )
    # Written past the services here, so bring the patient's triage summary up to date too.
    triage_refresh(patient_ids=[patient.pk])
    return result


@pytest.fixture
def world(db):
    kommune = make_org("Aarhus Kommune")
    other_kommune = make_org("Odense Kommune")
    clinic = make_org("Lægerne i Viby", Organisation.Kind.GP_CLINIC)
    team = make_team(kommune, "KOL-team Nord")
    other_team = make_team(other_kommune, "KOL-team Syd")
    nurse = make_clinician("nurse", ClinicianProfile.Role.NURSE, kommune, [team])
    other_nurse = make_clinician(
        "other_nurse", ClinicianProfile.Role.NURSE, other_kommune, [other_team]
    )
    doctor = make_clinician("doctor", ClinicianProfile.Role.DOCTOR, clinic)
    other_doctor = make_clinician("other_doctor", ClinicianProfile.Role.DOCTOR, clinic)
    org_admin = make_clinician("org_admin", ClinicianProfile.Role.ADMIN, kommune)
    citizen = User.objects.create_user("citizen", password=PASSWORD)
    mine = make_patient("Karen", team=team, doctor=doctor, citizen_user=citizen)
    theirs = make_patient("Ole", team=other_team, doctor=other_doctor)
    outsider = User.objects.create_user("outsider", password=PASSWORD)
    return {
        "team": team,
        "other_team": other_team,
        "nurse": nurse,
        "other_nurse": other_nurse,
        "doctor": doctor,
        "other_doctor": other_doctor,
        "org_admin": org_admin,
        "citizen": citizen,
        "outsider": outsider,
        "mine": mine,
        "theirs": theirs,
    }


# Login and language ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_danish_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Log ind" in html
    assert "Adgangskode" in html


@pytest.mark.django_db
def test_login_page_is_english_with_accept_language(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Password" in html


@pytest.mark.django_db
def test_language_switch_works_without_javascript(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_page_has_no_inline_script_and_sends_csrf_header(client):
    html = client.get(reverse("login")).content.decode()
    assert "<script>" not in html and "onclick" not in html
    assert 'src="/static/vendor/htmx.min.js" defer' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert '"includeIndicatorStyles": false' in html


def test_wrong_password_shows_translated_error(world, client):
    response = client.post(reverse("login"), {"username": "nurse", "password": "wrong"})
    assert response.status_code == 200
    assert "Indtast venligst korrekt brugernavn og adgangskode" in response.content.decode()

    response = client.post(
        reverse("login"), {"username": "nurse", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Please enter a correct username and password" in response.content.decode()


def test_anonymous_home_goes_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "url_name"),
    [
        ("nurse", "alarms:nurse_home"),
        ("doctor", "alarms:doctor_home"),
        ("citizen", "monitoring:citizen_home"),
        ("org_admin", "admin_home"),
    ],
)
def test_each_role_lands_on_its_home_after_login(world, client, username, url_name):
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(url_name)
    assert response.status_code == 200


def test_superuser_without_profile_goes_to_admin(client, db):
    User.objects.create_superuser("root", password=PASSWORD)
    client.login(username="root", password=PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


def test_account_without_role_is_told_so(world, client):
    client.force_login(world["outsider"])
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert client.get(reverse("alarms:nurse_home")).status_code == 403


def test_roles_cannot_open_each_others_homes(world, client):
    client.force_login(world["citizen"])
    assert client.get(reverse("alarms:nurse_home")).status_code == 403
    assert client.get(reverse("alarms:doctor_home")).status_code == 403
    client.force_login(world["nurse"])
    assert client.get(reverse("monitoring:citizen_home")).status_code == 403
    assert client.get(reverse("admin_home")).status_code == 403


def test_logout_by_post(world, client):
    client.force_login(world["nurse"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("alarms:nurse_home")).status_code == 302


# Nurse and doctor homes -----------------------------------------------------------------------


def test_nurse_home_lists_only_patients_of_her_teams(world, client):
    client.force_login(world["nurse"])
    response = client.get(reverse("alarms:nurse_home"))
    names = [row.patient.first_name for row in response.context["rows"]]
    assert names == ["Karen"]
    html = response.content.decode()
    assert "010150-XXXX" in html
    assert world["mine"].cpr not in html
    assert "Ole" not in html


def test_nurse_home_orders_red_yellow_missing_green(world, client):
    team, nurse = world["team"], world["nurse"]
    green = make_patient("Grøn", team=team)
    red = make_patient("Rød", team=team)
    yellow = make_patient("Gul", team=team)
    missing = make_patient("Mangler", team=team)
    open_result(green, "green")
    open_result(red, "green", minutes_ago=50)
    open_result(red, "red")
    open_result(yellow, "yellow")
    schedule = Schedule.objects.create(
        patient=missing,
        questionnaire=Questionnaire.objects.create(code="x", title_da="X", title_en="X"),
        kind="weekdays",
        weekdays=[1],
        times=["09:00"],
    )
    TriageResult.objects.create(
        patient=missing,
        kind="missing",
        schedule=schedule,
        due_at=timezone.now(),
        severity="missing",
    )
    acknowledged = open_result(world["mine"], "red")
    TriageResult.objects.filter(pk=acknowledged.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=nurse
    )
    triage_refresh(patient_ids=[missing.pk, world["mine"].pk])
    client.force_login(nurse)
    rows = client.get(reverse("alarms:nurse_home")).context["rows"]
    assert [(r.patient.first_name, r.level, r.triage.open_total) for r in rows] == [
        ("Rød", "red", 2),
        ("Gul", "yellow", 1),
        ("Mangler", "missing", 1),
        ("Grøn", "green", 1),
        ("Karen", "green", 0),
    ]


def test_doctor_home_lists_only_his_patients(world, client):
    make_patient("Ingen", team=world["team"])
    client.force_login(world["doctor"])
    response = client.get(reverse("alarms:doctor_home"))
    assert [row.patient.first_name for row in response.context["patients"]] == ["Karen"]
    assert "Ole" not in response.content.decode()


@pytest.mark.parametrize(
    ("username", "url_name", "patient_id"),
    [
        ("nurse", "alarms:nurse_home", None),
        ("doctor", "alarms:doctor_home", None),
        ("citizen", "monitoring:citizen_home", "mine"),
    ],
)
def test_each_home_writes_one_audit_event(world, client, username, url_name, patient_id):
    client.force_login(User.objects.get(username=username))
    before = AuditEvent.objects.count()
    assert client.get(reverse(url_name)).status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("occurred_at")
    assert event.action == "view"
    assert event.user.username == username
    expected = world[patient_id].pk if patient_id else None
    assert event.patient_id == expected


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("username", "url_name", "attach"),
    [
        ("nurse", "alarms:nurse_home", "team"),
        ("doctor", "alarms:doctor_home", "doctor"),
    ],
)
def test_home_query_count_does_not_grow_with_patients(
    world, client, django_assert_max_num_queries, username, url_name, attach
):
    def add_patients(n):
        for i in range(n):
            kwargs = {"team": world["team"]} if attach == "team" else {"doctor": world["doctor"]}
            patient = make_patient(f"P{i}", **kwargs)
            open_result(patient, ["red", "yellow", "green"][i % 3])

    client.force_login(world[username])
    url = reverse(url_name)
    add_patients(2)
    few = _count_queries(client, url)
    add_patients(27)
    listed = client.get(url).context
    assert len(listed["rows"] if "rows" in listed else listed["patients"]) == 30
    many = _count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(few):
        client.get(url)


# Citizen home ---------------------------------------------------------------------------------


def test_citizen_home_lists_questionnaires_with_status(world, client):
    patient = world["mine"]
    today = timezone.localdate()
    daily = Questionnaire.objects.create(
        code="daily", title_da="Dagligt spørgeskema", title_en="Daily questionnaire"
    )
    weekly = Questionnaire.objects.create(
        code="weekly", title_da="Ugentligt spørgeskema", title_en="Weekly questionnaire"
    )
    Schedule.objects.create(
        patient=patient,
        questionnaire=daily,
        kind="weekdays",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        times=["08:00"],
    )
    other_day = (today.isoweekday() % 7) + 1
    Schedule.objects.create(
        patient=patient,
        questionnaire=weekly,
        kind="weekdays",
        weekdays=[other_day],
        times=["08:00"],
    )
    evening = Questionnaire.objects.create(
        code="evening", title_da="Aftenmåling", title_en="Evening measurement"
    )
    Schedule.objects.create(
        patient=patient,
        questionnaire=evening,
        kind="weekdays",
        weekdays=[today.isoweekday()],
        times=["23:59"],
    )
    Submission.objects.create(
        patient=patient, questionnaire=daily, submitted_at=timezone.now(), source="typed"
    )
    client.force_login(world["citizen"])
    response = client.get(reverse("monitoring:citizen_home"))
    statuses = {s.questionnaire.code: s.status for s in response.context["schedules"]}
    assert statuses == {"daily": "done", "weekly": "not_due", "evening": "due"}
    html = response.content.decode()
    assert "Dagligt spørgeskema" in html
    assert "Udfyldt i dag" in html
    assert "Endnu ikke besvaret" in html
    assert "Skal udfyldes i dag" in html
