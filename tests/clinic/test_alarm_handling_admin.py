"""The organisation admin sets escalation times, the second tier, the claim time and the
outcome list, without the Django admin."""

import pytest
from django.urls import reverse

from alarms.models import Outcome
from alarms.outcomes import outcomes_for
from alarms.services.outcome_list import OutcomeError, outcome_change, outcomes_make_own
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrgAdminFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "/administration/alarm-handling/"


def test_admin_sets_escalation_second_tier_and_claim_time(
    client, org_admin, org_municipality, other_team
):
    login(client, org_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Alarmhåndtering" in page.content.decode()
    response = client.post(
        URL,
        {
            "escalation_minutes": "45",
            "second_escalation_minutes": "30",
            "second_escalation_team": other_team.pk,
            "claim_minutes": "90",
        },
    )
    assert response.status_code == 302
    org_municipality.refresh_from_db()
    assert (org_municipality.escalation_minutes, org_municipality.claim_minutes) == (45, 90)
    assert org_municipality.second_escalation_team == other_team
    event = AuditEvent.objects.latest("pk")
    assert event.action == "update" and event.patient_id is None


def test_bad_times_are_refused_with_a_message_and_nothing_changes(
    client, org_admin, org_municipality, other_team
):
    login(client, org_admin)
    response = client.post(
        URL,
        {"escalation_minutes": "1", "second_escalation_minutes": "30", "claim_minutes": "60"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Mindst 5 minutter." in body
    assert "Vælg, hvem andet niveau giver besked." in body
    assert 'value="30"' in body  # what was typed is kept
    org_municipality.refresh_from_db()
    assert org_municipality.escalation_minutes == 120


def test_a_team_of_another_organisation_cannot_be_the_second_tier(client, org_admin):
    from tests.factories import TeamFactory

    foreign = TeamFactory(organisation=OrganisationFactory())
    login(client, org_admin)
    response = client.post(
        URL,
        {
            "escalation_minutes": "60",
            "second_escalation_minutes": "30",
            "second_escalation_team": foreign.pk,
            "claim_minutes": "60",
        },
    )
    assert response.status_code == 400


def test_admin_makes_the_outcome_list_her_own_adds_and_retires(
    client, org_admin, org_municipality, nurse
):
    login(client, org_admin)
    client.post(reverse("patients:outcomes_customise"))
    own = Outcome.objects.filter(organisation=org_municipality)
    assert own.count() == 9
    client.post(
        reverse("patients:outcome_new"),
        {
            "label_da": "Henvist til KOL-skole",
            "label_en": "Referred to COPD school",
            "kind": "action",
        },
    )
    added = own.get(code="referred-to-copd-school")
    assert [o.code for o in outcomes_for(org_municipality.pk)][-1] == added.code
    # Retire "home visit planned": no longer offered to the organisation's nurses.
    visit = own.get(code="home_visit_planned")
    response = client.post(
        reverse("patients:outcome_edit", args=[visit.pk]),
        {
            "label_da": visit.label_da,
            "label_en": visit.label_en,
            "kind": "action",
            "sort_order": visit.sort_order,
        },
    )
    assert response.status_code == 302
    assert "home_visit_planned" not in [o.code for o in outcomes_for(org_municipality.pk)]
    # Other organisations keep the defaults.
    assert "home_visit_planned" in [o.code for o in outcomes_for(OrganisationFactory().pk)]


def test_the_last_no_action_outcome_cannot_be_retired(client, org_admin, org_municipality):
    outcomes_make_own(organisation=org_municipality)
    no_action = Outcome.objects.get(organisation=org_municipality, kind="no_action")
    with pytest.raises(OutcomeError):
        outcome_change(
            outcome=no_action,
            label_da="x",
            label_en="",
            kind="no_action",
            active=False,
            sort_order=0,
        )
    login(client, org_admin)
    response = client.post(
        reverse("patients:outcome_edit", args=[no_action.pk]),
        {"label_da": "Intet", "label_en": "", "kind": "action", "sort_order": 0, "active": "on"},
    )
    assert response.status_code == 400
    assert "Behold mindst ét tilbudt udfald" in response.content.decode()
    no_action.refresh_from_db()
    assert no_action.kind == "no_action" and no_action.active


def test_another_organisations_outcome_is_404_and_nurses_get_403(
    client, org_admin, nurse, org_municipality
):
    elsewhere = OrganisationFactory()
    outcomes_make_own(organisation=elsewhere)
    theirs = Outcome.objects.filter(organisation=elsewhere).first()
    login(client, org_admin)
    assert client.get(reverse("patients:outcome_edit", args=[theirs.pk])).status_code == 404
    login(client, nurse)
    assert client.get(URL).status_code == 403
    other_admin = OrgAdminFactory(organisation=elsewhere).user
    login(client, other_admin)
    assert client.get(URL).status_code == 200


def test_admin_home_links_to_her_pages_not_the_django_admin(client, org_admin):
    login(client, org_admin)
    body = client.get(reverse("admin_home")).content.decode()
    assert reverse("patients:alarm_handling") in body and reverse("patients:users") in body
    assert "/django-admin/" not in body and reverse("admin:index") not in body
