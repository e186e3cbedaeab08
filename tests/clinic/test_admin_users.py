"""The organisation admin's user page: a clinician's role, teams and e-mail language."""

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_admin_sets_the_language_of_a_nurses_emails(client, org_admin, nurse, team):
    login(client, org_admin)
    url = reverse("patients:user_edit", args=[nurse.pk])
    page = client.get(url).content.decode()
    assert "Sprog i e-mails" in page
    response = client.post(
        url,
        {
            "first_name": nurse.first_name,
            "last_name": nurse.last_name,
            "email": "anne.nord@testrup.dk",
            "role": "nurse",
            "title": "KOL-sygeplejerske",
            "language": "en",
            "teams": [team.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    nurse.clinician.refresh_from_db()
    assert nurse.clinician.language == "en" and nurse.clinician.title == "KOL-sygeplejerske"
    assert list(nurse.groups.values_list("team__pk", flat=True)) == [team.pk]


def test_an_unknown_language_is_refused(client, org_admin, nurse, team):
    login(client, org_admin)
    url = reverse("patients:user_edit", args=[nurse.pk])
    response = client.post(
        url,
        {"first_name": "A", "last_name": "N", "role": "nurse", "language": "fr", "is_active": "on"},
    )
    assert response.status_code == 400 or "Vælg et gyldigt valg" in response.content.decode()
    nurse.clinician.refresh_from_db()
    assert nurse.clinician.language == "da"


# Deactivating, self-protection, team membership, the list's query count ------------------------


def test_deactivating_a_nurse_ends_her_session_and_refuses_her_login(
    client, org_admin, nurse, password
):
    from django.test import Client

    from telemed.models import AuditEvent

    nurses_browser = Client()
    login(nurses_browser, nurse)
    assert nurses_browser.get(reverse("home")).status_code == 302
    login(client, org_admin)
    response = client.post(reverse("patients:user_active", args=[nurse.pk]), {"active": "0"})
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert (
        AuditEvent.objects.filter(what="Admin: user deactivated", object_id=nurse.pk).count() == 1
    )
    # Her open session is over: the next page sends her to the login.
    triage = nurses_browser.get(reverse("alarms:nurse_home"))
    assert triage.status_code == 302 and reverse("login") in triage["Location"]
    assert not Client().login(username="nurse", password=password)
    page = client.get(reverse("patients:users")).content.decode()
    assert "Deaktiveret" in page or "Deactivated" in page
    client.post(reverse("patients:user_active", args=[nurse.pk]), {"active": "1"})
    nurse.refresh_from_db()
    assert nurse.is_active and Client().login(username="nurse", password=password)
    assert AuditEvent.objects.filter(what="Admin: user reactivated").count() == 1


def test_an_admin_cannot_deactivate_herself_or_drop_her_admin_role(client, org_admin, team):
    login(client, org_admin)
    response = client.post(
        reverse("patients:user_active", args=[org_admin.pk]), {"active": "0"}, follow=True
    )
    org_admin.refresh_from_db()
    assert org_admin.is_active
    edit = client.post(
        reverse("patients:user_edit", args=[org_admin.pk]),
        {"first_name": "Frida", "last_name": "Admin", "role": "nurse", "language": "da"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert edit.status_code == 400
    org_admin.clinician.refresh_from_db()
    assert org_admin.clinician.role == "admin"
    assert response.status_code == 200


def test_an_admin_cannot_add_herself_to_a_team(client, org_admin, team, citizen):
    login(client, org_admin)
    response = client.post(
        reverse("patients:user_edit", args=[org_admin.pk]),
        {
            "first_name": "Frida",
            "last_name": "Admin",
            "email": "frida@testrup.dk",
            "role": "admin",
            "language": "da",
            "teams": [team.pk],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Another admin must do it" in response.content.decode()
    assert not org_admin.groups.exists()


def test_another_admin_changes_roles_and_teams(client, org_admin, nurse, team, other_team):
    from telemed.models import AuditEvent

    login(client, org_admin)
    response = client.post(
        reverse("patients:user_edit", args=[nurse.pk]),
        {
            "first_name": "Anne",
            "last_name": "Nord",
            "email": "anne@testrup.dk",
            "role": "doctor",
            "language": "da",
            "teams": [other_team.pk],
        },
    )
    assert response.status_code == 302
    nurse.clinician.refresh_from_db()
    assert nurse.clinician.role == "doctor"
    assert list(nurse.groups.values_list("team__pk", flat=True)) == [other_team.pk]
    assert AuditEvent.objects.filter(what="Admin: user changed", object_id=nurse.pk).exists()


def test_users_of_another_organisation_are_not_found(client, org_admin, outsider):
    login(client, org_admin)
    assert client.get(reverse("patients:user_edit", args=[outsider.pk])).status_code == 404
    assert (
        client.post(
            reverse("patients:user_active", args=[outsider.pk]), {"active": "0"}
        ).status_code
        == 404
    )
    outsider.refresh_from_db()
    assert outsider.is_active


def test_the_user_list_costs_the_same_queries_for_two_or_twelve_users(
    client, org_admin, org_municipality, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import NurseFactory

    login(client, org_admin)
    counts = []
    for n in (2, 10):
        NurseFactory.create_batch(n, organisation=org_municipality, teams=[team])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("patients:users")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
