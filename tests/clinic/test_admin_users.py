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
