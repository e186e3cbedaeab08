"""The organisation admin sets her organisation's reminder times."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import ReminderPolicy
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrgAdminFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("patients:reminder_policy")
CHANGED = {
    "enabled": "on",
    "minutes_before_deadline": "60",
    "overdue_every_minutes": "30",
    "overdue_max_reminders": "2",
}


def test_the_admin_start_page_and_nav_link_to_it(client, org_admin):
    login(client, org_admin)
    assert URL in client.get(reverse("admin_home")).content.decode()
    assert URL in client.get(reverse("patients:alarm_handling")).content.decode()


def test_shows_the_opentele_defaults_until_changed(client, org_admin):
    login(client, org_admin)
    html = client.get(URL).content.decode()
    assert 'name="minutes_before_deadline" value="30"' in html
    assert 'name="overdue_every_minutes" value="15"' in html
    assert 'name="overdue_max_reminders" value="3"' in html
    assert not ReminderPolicy.objects.exists()


def test_saved_for_her_organisation_and_audited(client, org_admin, org_municipality):
    login(client, org_admin)
    assert client.post(URL, CHANGED).status_code == 302
    policy = ReminderPolicy.objects.get(organisation=org_municipality)
    assert (policy.enabled, policy.minutes_before_deadline) == (True, 60)
    assert (policy.overdue_every_minutes, policy.overdue_max_reminders) == (30, 2)
    assert AuditEvent.objects.filter(
        user=org_admin, what="Reminders: policy changed", action="update"
    ).exists()
    # Turned off: the box unticked.
    client.post(URL, {**CHANGED, "enabled": ""})
    policy.refresh_from_db()
    assert policy.enabled is False


def test_out_of_range_times_are_refused_next_to_the_field_and_kept(client, org_admin):
    login(client, org_admin)
    response = client.post(
        URL, {**CHANGED, "overdue_every_minutes": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "At least 5." in html
    assert 'name="minutes_before_deadline" value="60"' in html
    assert not ReminderPolicy.objects.exists()


def test_another_organisations_admin_changes_only_her_own(client, org_admin, org_municipality):
    elsewhere = OrganisationFactory(name="Andeby Kommune", sor_code="900000000000009")
    other_admin = OrgAdminFactory(organisation=elsewhere).user
    login(client, other_admin)
    client.post(URL, CHANGED)
    assert list(ReminderPolicy.objects.values_list("organisation", flat=True)) == [elsewhere.pk]


def test_nurses_and_citizens_may_not(client, nurse, citizen_user):
    for user in (nurse, citizen_user):
        login(client, user)
        assert client.post(URL, CHANGED).status_code in (403, 404)
    assert not ReminderPolicy.objects.exists()
