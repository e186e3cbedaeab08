"""Citizen login: lockout after repeated failures, first-login sheet, forced password change,
and login / failed-login audit events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from telemed import login as login_rules
from telemed.models import AuditEvent, LoginSecurity
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db


def post_login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_failed_login_are_audited(client, citizen_user, citizen):
    post_login(client, "citizen", "wrong")
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.patient_id == citizen.pk  # the citizen sees tries on their account
    post_login(client, "citizen", PASSWORD)
    assert AuditEvent.objects.filter(action="login", user=citizen_user).count() == 1


def test_unknown_username_is_audited_without_storing_what_was_typed(client, db):
    post_login(client, "hunter2-typed-in-wrong-field", "x")
    event = AuditEvent.objects.get(action="login_failed")
    assert "hunter2" not in event.what


def test_five_wrong_passwords_lock_even_the_right_one(client, citizen_user):
    for _ in range(login_rules.LOCKOUT_ATTEMPTS):
        post_login(client, "citizen", "wrong")
    response = post_login(client, "citizen", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "15" in response.content.decode()  # says how long
    security = LoginSecurity.objects.get(user=citizen_user)
    assert security.is_locked()


def test_the_lock_ends_by_itself(client, citizen_user):
    LoginSecurity.objects.create(
        user=citizen_user, locked_until=timezone.now() - timedelta(seconds=1)
    )
    post_login(client, "citizen", PASSWORD)
    assert "_auth_user_id" in client.session


def test_fewer_failures_then_success_resets_the_count(client, citizen_user):
    for _ in range(login_rules.LOCKOUT_ATTEMPTS - 1):
        post_login(client, "citizen", "wrong")
    post_login(client, "citizen", PASSWORD)
    assert LoginSecurity.objects.get(user=citizen_user).failed_attempts == 0


def test_nurse_prints_a_first_login_sheet_and_the_citizen_must_change_password(
    client, nurse, citizen, citizen_user
):
    client.force_login(nurse)
    url = reverse("patient_messages:first_login", args=[citizen.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    assert password in response.content.decode()
    client.logout()

    post_login(client, "citizen", password)
    home = client.get(reverse("monitoring:citizen_home"))
    assert home.status_code == 302 and home.url == reverse("password_first_change")

    weak = client.post(
        reverse("password_first_change"), {"new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    new = "Kaffe-og-Rugbrød-7"
    done = client.post(
        reverse("password_first_change"), {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert client.get(reverse("monitoring:citizen_home")).status_code == 200
    citizen_user.refresh_from_db()
    assert citizen_user.check_password(new)
    assert not LoginSecurity.objects.get(user=citizen_user).must_change_password


def test_first_login_sheet_creates_a_login_when_missing(client, nurse, team):
    patient = PatientFactory(monitoring_team=team, first_name="Ørnulf")
    client.force_login(nurse)
    response = client.post(reverse("patient_messages:first_login", args=[patient.pk]))
    patient.refresh_from_db()
    assert patient.citizen_user is not None
    assert patient.citizen_user.check_password(response.context["password"])


def test_first_login_sheet_unlocks_a_locked_account(client, nurse, citizen, citizen_user):
    LoginSecurity.objects.create(
        user=citizen_user, locked_until=timezone.now() + timedelta(minutes=10)
    )
    client.force_login(nurse)
    client.post(reverse("patient_messages:first_login", args=[citizen.pk]))
    assert not LoginSecurity.objects.get(user=citizen_user).is_locked()


@pytest.mark.parametrize("who", ["outsider", "other_nurse", "doctor"])
def test_only_the_monitoring_team_issues_passwords(client, citizen, citizen_user, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("patient_messages:first_login", args=[citizen.pk]))
    assert response.status_code in (403, 404)
    citizen_user.refresh_from_db()
    assert citizen_user.check_password(PASSWORD)


def test_sheet_passwords_avoid_lookalike_characters():
    for _ in range(50):
        password = login_rules.sheet_password()
        assert len(password) == 14
        assert not set(password) & set("0O1lI")
