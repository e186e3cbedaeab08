"""Schedule templates: the organisation admin keeps them at /administration/schedules/, and the
nurse who accepts a referral gets a schedule per chosen template."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alarms.referrals import ReferralError, referral_accept, referral_create
from alarms.threshold_templates import LimitRow
from monitoring.models import Questionnaire, Schedule, ScheduleTemplate
from monitoring.schedule_templates import TemplateInput, schedule_template_save
from patients.models import Referral
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrgAdminFactory, measurement_type, questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def make_template(org, admin, name="KOL hverdage", **kwargs) -> ScheduleTemplate:
    values = {
        "name": name,
        "questionnaire_code": "kol",
        "weekdays": (1, 3, 5),
        "times": (time(9, 0),),
        "grace_minutes": 180,
        "copd_groups": ("moderate",),
    }
    values.update(kwargs)
    return schedule_template_save(organisation=org, data=TemplateInput(**values), by=admin)


def form_data(**overrides) -> dict:
    data = {
        "name": "KOL morgen og aften",
        "questionnaire_code": "kol",
        "weekdays": ["1", "2", "3", "4", "5"],
        "times": "09:00, 18:00",
        "grace_minutes": "120",
        "copd_groups": ["moderate", "severe"],
        "active": "on",
    }
    data.update(overrides)
    return data


# The admin pages ------------------------------------------------------------------------------


def test_admin_creates_a_template_and_sees_it_in_the_list(client, org_admin, org_municipality):
    login(client, org_admin)
    assert client.get(reverse("patients:schedule_template_new")).status_code == 200
    response = client.post(reverse("patients:schedule_template_new"), form_data())
    assert response.status_code == 302
    template = ScheduleTemplate.objects.get()
    assert template.organisation == org_municipality
    assert template.weekdays == [1, 2, 3, 4, 5]
    assert template.times == [time(9, 0), time(18, 0)]
    assert (template.grace_minutes, template.copd_groups) == (120, ["moderate", "severe"])
    assert AuditEvent.objects.filter(what="Schedule template created").count() == 1

    page = client.get(reverse("patients:schedule_templates")).content.decode()
    assert "KOL morgen og aften" in page and "09:00, 18:00" in page
    assert "/admin/" not in page


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"weekdays": []}, "weekdays", "Choose at least one weekday."),
        ({"times": ""}, "times", "Give at least one time of day"),
        ({"times": "9, 25:00"}, "times", "“25:00” is not a time of day"),
        ({"grace_minutes": "600"}, "grace_minutes", "longer than the time between two answers"),
        ({"grace_minutes": "0"}, "grace_minutes", ""),
        ({"questionnaire_code": "nope"}, "questionnaire_code", ""),
        ({"name": ""}, "name", "Give the template a name."),
    ],
)
def test_a_bad_template_is_refused_next_to_the_field_keeping_what_was_typed(
    client, org_admin, changes, field, words
):
    login(client, org_admin)
    response = client.post(reverse("patients:schedule_template_new"), form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field] and words in " ".join(form.errors[field])
    body = response.content.decode()
    if field != "times":
        assert 'value="09:00, 18:00"' in body
    assert not ScheduleTemplate.objects.exists()
    assert not AuditEvent.objects.filter(what__startswith="Schedule template").exists()


def test_two_offered_templates_cannot_share_a_name(client, org_admin, org_municipality):
    make_template(org_municipality, org_admin, name="KOL morgen og aften")
    login(client, org_admin)
    response = client.post(reverse("patients:schedule_template_new"), form_data())
    assert response.status_code == 400
    assert "Another offered template is called" in response.content.decode()
    assert ScheduleTemplate.objects.count() == 1


def test_admin_changes_and_retires_a_template(client, org_admin, org_municipality):
    template = make_template(org_municipality, org_admin)
    login(client, org_admin)
    url = reverse("patients:schedule_template_edit", args=[template.pk])
    page = client.get(url).content.decode()
    assert 'value="KOL hverdage"' in page and 'value="09:00"' in page

    response = client.post(url, form_data(name="KOL hverdage", times="08:30"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.times == [time(8, 30)] and template.changed_by == org_admin

    response = client.post(reverse("patients:schedule_template_retire", args=[template.pk]))
    assert response.status_code == 302
    template.refresh_from_db()
    assert not template.active
    assert [
        e.what for e in AuditEvent.objects.filter(object_type="schedule_template").order_by("pk")
    ] == [
        "Schedule template changed",
        "Schedule template retired",
    ]
    assert client.get(reverse("patients:schedule_templates")).content.decode().count("Retired") >= 1


def test_another_organisations_template_is_not_found(client, org_admin, org_municipality, outsider):
    template = make_template(org_municipality, org_admin)
    other_admin = OrgAdminFactory(
        organisation=outsider.clinician.organisation, user__username="other_admin"
    ).user
    login(client, other_admin)
    assert "KOL hverdage" not in client.get(reverse("patients:schedule_templates")).content.decode()
    url = reverse("patients:schedule_template_edit", args=[template.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    retire = reverse("patients:schedule_template_retire", args=[template.pk])
    assert client.post(retire).status_code == 404
    template.refresh_from_db()
    assert template.active and template.name == "KOL hverdage"


def test_nurses_cannot_open_the_admin_pages(client, nurse):
    login(client, nurse)
    response = client.get(reverse("patients:schedule_templates"))
    assert response.status_code in (302, 403)


def test_the_list_costs_the_same_number_of_queries_for_two_or_six_templates(
    client, org_admin, org_municipality
):
    login(client, org_admin)
    url = reverse("patients:schedule_templates")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_template(org_municipality, org_admin, name="A")
    make_template(org_municipality, org_admin, name="B", questionnaire_code="cat")
    two = count()
    for n in range(4):
        make_template(org_municipality, org_admin, name=f"C{n}", copd_groups=())
    assert count() == two


def test_the_start_page_and_the_nav_link_to_the_templates(client, org_admin):
    login(client, org_admin)
    url = reverse("patients:schedule_templates")
    assert f'href="{url}"' in client.get(reverse("admin_home")).content.decode()
    assert f'href="{url}"' in client.get(reverse("patients:users")).content.decode()


# Accepting a referral with templates ----------------------------------------------------------


@pytest.fixture
def referral(doctor, org_municipality):
    return referral_create(
        doctor=doctor,
        cpr="070752-1234",
        first_name="Grethe",
        last_name="Hansen",
        copd_group="moderate",
        receiving_organisation=org_municipality,
        limits=[LimitRow(measurement_type("spo2"), Decimal("86"), Decimal("90"))],
    )


def test_the_templates_of_the_referrals_group_are_ticked_and_accepting_makes_their_schedules(
    client, nurse, team, org_admin, org_municipality, referral
):
    kol = make_template(org_municipality, org_admin)  # moderate
    cat = make_template(
        org_municipality,
        org_admin,
        name="CAT om mandagen",
        questionnaire_code="cat",
        weekdays=(1,),
        times=(time(10, 0),),
        grace_minutes=600,
        copd_groups=("severe",),
    )
    login(client, nurse)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    form = page.context["accept_form"]
    assert form["schedule_templates"].initial == [kol.pk]
    assert not form["questionnaires"].initial  # no hand-picked schedule on top of the template

    response = client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {
            "team": team.pk,
            "schedule_templates": [kol.pk, cat.pk],
            "weekdays": [],
            "at": "09:00",
        },
    )
    assert response.status_code == 200
    referral.refresh_from_db()
    schedules = {s.questionnaire.code: s for s in Schedule.objects.filter(patient=referral.patient)}
    assert set(schedules) == {"kol", "cat"}
    assert schedules["kol"].weekdays == [1, 3, 5] and schedules["kol"].times == [time(9, 0)]
    assert (schedules["cat"].weekdays, schedules["cat"].grace_minutes) == ([1], 600)
    assert schedules["kol"].questionnaire.status == Questionnaire.Status.PUBLISHED


def test_a_template_uses_the_questionnaire_version_published_when_accepting(
    nurse, team, org_admin, org_municipality, referral
):
    template = make_template(org_municipality, org_admin)
    old = questionnaire("kol")
    old.status = Questionnaire.Status.RETIRED
    old.save(update_fields=["status"])
    new = Questionnaire.objects.create(
        code="kol",
        version=old.version + 1,
        status=Questionnaire.Status.PUBLISHED,
        title_da=old.title_da,
        title_en=old.title_en,
    )
    acceptance = referral_accept(
        referral=referral, by=nurse, team=team, schedule_templates=[template]
    )
    assert Schedule.objects.get(patient=acceptance.patient).questionnaire == new


def test_a_template_and_the_same_questionnaire_by_hand_is_refused_and_nothing_accepted(
    nurse, team, org_admin, org_municipality, referral
):
    template = make_template(org_municipality, org_admin)
    with pytest.raises(ReferralError) as error:
        referral_accept(
            referral=referral,
            by=nurse,
            team=team,
            schedule_templates=[template],
            questionnaires=[questionnaire("kol")],
            weekdays=[1],
        )
    assert "choose one of them" in error.value.problems[0]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert not Schedule.objects.exists()


def test_a_retired_or_foreign_template_is_refused(
    nurse, team, org_admin, org_municipality, outsider, referral
):
    from monitoring.schedule_templates import schedule_template_retire

    template = make_template(org_municipality, org_admin)
    schedule_template_retire(template=template, by=org_admin)
    with pytest.raises(ReferralError) as error:
        referral_accept(referral=referral, by=nurse, team=team, schedule_templates=[template])
    assert "not offered by your municipality" in error.value.problems[0]
    assert referral.__class__.objects.get(pk=referral.pk).status == Referral.Status.SENT


def test_without_templates_the_nurse_chooses_by_hand_as_before(client, nurse, team, referral):
    login(client, nurse)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    form = page.context["accept_form"]
    assert "schedule_templates" not in form.fields
    response = client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {
            "team": team.pk,
            "questionnaires": [questionnaire("kol").pk],
            "weekdays": [1, 2],
            "at": "08:00",
        },
    )
    assert response.status_code == 200
    schedule = Schedule.objects.get()
    assert (schedule.weekdays, schedule.times) == ([1, 2], [time(8, 0)])
