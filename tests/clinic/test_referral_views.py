"""The referral, doctor and admin pages as their users use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alarms.threshold_templates import LimitRow, template_save
from patients.models import Referral
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory, measurement_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(org_municipality, org_admin):
    from decimal import Decimal

    return template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[LimitRow(measurement_type("spo2"), Decimal("87"), Decimal("90"))],
        by=org_admin,
        reason="Standard",
    )


def _post_referral(client, org, **extra):
    data = {
        "cpr": "070752-1234",
        "first_name": "Grethe",
        "last_name": "Hansen",
        "receiving_organisation": org.pk,
        "copd_group": "moderate",
        "diagnosis_code": "DJ449",
        "note": "",
        "t-spo2-red_low": "86",
        "t-spo2-yellow_low": "89,5",
        "send": "1",
    }
    data.update(extra)
    return client.post(reverse("referrals:new"), data)


def test_form_is_prefilled_from_the_template(client, doctor, org_municipality, template):
    login(client, doctor)
    response = client.get(
        reverse("referrals:new"),
        {"receiving_organisation": org_municipality.pk, "copd_group": "moderate"},
    )
    assert response.status_code == 200
    assert 'name="t-spo2-red_low" id="id_t-spo2-red_low" value="87"' in response.content.decode()


def test_doctor_sends_and_nurse_sees_it_in_the_inbox(
    client, doctor, nurse, org_municipality, template
):
    login(client, doctor)
    response = _post_referral(client, org_municipality)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert str(referral.threshold_set.thresholds.get().yellow_low) == "89.500"
    client.logout()
    login(client, nurse)
    inbox = client.get(reverse("referrals:list"))
    assert "Hansen, Grethe" in inbox.content.decode()


def test_a_typing_error_keeps_everything_typed(client, doctor, org_municipality, template):
    login(client, doctor)
    response = _post_referral(client, org_municipality, **{"t-spo2-yellow_low": "8x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="8x"' in html and 'value="Grethe"' in html
    assert not Referral.objects.exists()


def test_other_municipality_nurse_gets_404_for_the_referral(
    client, doctor, outsider, org_municipality
):
    login(client, doctor)
    _post_referral(client, org_municipality)
    referral = Referral.objects.get()
    client.logout()
    login(client, outsider)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


def test_nurse_accepts_and_rejects(client, doctor, nurse, team, org_municipality, template):
    login(client, doctor)
    _post_referral(client, org_municipality)
    _post_referral(client, org_municipality, cpr="0808521234", first_name="Hans")
    first, second = Referral.objects.order_by("pk")
    client.logout()
    login(client, nurse)
    response = client.post(
        reverse("referrals:accept", args=[first.pk]),
        {
            "team": team.pk,
            "weekdays": [1, 2, 3],
            "at": "09:00",
            "create_login": "on",
            "username": "grethe",
        },
    )
    assert response.status_code == 200
    assert "grethe" in response.content.decode()
    assert (
        client.post(reverse("referrals:reject", args=[second.pk]), {"reason": ""}).status_code
        == 400
    )
    client.post(reverse("referrals:reject", args=[second.pk]), {"reason": "Bor i anden kommune"})
    client.logout()
    login(client, doctor)
    home = client.get(reverse("alarms:doctor_home")).content.decode()
    assert "Bor i anden kommune" in home
    assert "Hansen, Grethe" in home


def test_doctor_home_and_review_page(
    client, doctor, citizen, outsider, django_assert_max_num_queries
):
    login(client, doctor)
    for n in (1, 10):
        PatientFactory.create_batch(n, treating_doctor=doctor)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("alarms:doctor_home")).status_code == 200
    before = AuditEvent.objects.count()
    review = client.get(reverse("doctor:patient", args=[citizen.pk]))
    assert review.status_code == 200
    assert reverse("patient:detail", args=[citizen.pk]) in review.content.decode()
    assert AuditEvent.objects.count() == before + 1
    client.logout()
    login(client, outsider)
    assert client.get(reverse("doctor:patient", args=[citizen.pk])).status_code == 404


def test_admin_pages_render_for_the_org_admin(client, org_admin, citizen, nurse):
    login(client, org_admin)
    for name in (
        "patients:users",
        "patients:teams",
        "patients:relationships",
        "referrals:templates",
        "patients:audit",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("patients:relationship", args=[citizen.pk])).status_code == 200
    assert client.get(reverse("referrals:template_edit", args=["moderate"])).status_code == 200
    audit = client.get(reverse("patients:audit"), {"cpr": citizen.cpr}).content.decode()
    assert "Administration: behandlingsrelation" in audit  # stored in English, shown in Danish
