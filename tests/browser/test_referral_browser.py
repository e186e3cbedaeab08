"""The referral journey in a real browser: a GP refers a new CPR with adjusted thresholds, a
municipal nurse accepts, the citizen answers, the GP sees the result against her thresholds, a
nurse of another municipality gets 404, and the citizen sees both looks in "who has looked at
my data"."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from alarms.services import AnswerInput, Reading, submission_record
from alarms.threshold_templates import LimitRow, template_save
from patients.models import Patient, Referral
from telemed.models import AuditEvent
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import measurement_type, questionnaire

D = Decimal


def test_gp_refers_nurse_accepts_citizen_answers_gp_reviews(
    browser, page, live_server, doctor, nurse, team, outsider, org_municipality, org_admin
):
    template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[
            LimitRow(measurement_type("spo2"), D("87"), D("90")),
            LimitRow(measurement_type("pulse"), D("40"), D("50"), D("110"), D("130")),
        ],
        by=org_admin,
        reason="Standard",
    )

    # The GP refers a new CPR; the template fills in when she picks municipality and group.
    login_as(page, doctor)
    page.goto(reverse("referrals:new"))
    page.fill("#id_cpr", "070752-1234")
    page.fill("#id_first_name", "Grethe")
    page.fill("#id_last_name", "Hansen")
    page.select_option("#id_receiving_organisation", str(org_municipality.pk))
    page.select_option("#id_copd_group", "moderate")
    expect(page.locator("#id_t-spo2-red_low")).to_have_value("87")
    # She asks for an earlier warning for this patient: yellow below 92 instead of 90.
    page.fill("#id_t-spo2-yellow_low", "92")
    page.fill("#id_note", "Hyppige exacerbationer, iltmætning falder hurtigt.")
    screenshot(page, "referral-new")
    assert not serious(axe_check(page))
    page.click("button[name=send]")
    page.wait_for_url("**/referrals/*/")
    assert "Sendt" in page.inner_text("main")
    referral = Referral.objects.get()
    assert referral.threshold_set.thresholds.get(type__key="spo2").yellow_low == D("92")

    # A municipal nurse accepts with a team, the daily questionnaire and a citizen login.
    nurse_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    nurse_page = nurse_context.new_page()
    login_as(nurse_page, nurse)
    nurse_page.goto(reverse("referrals:list"))
    nurse_page.click("text=Hansen, Grethe")
    nurse_page.select_option("#id_team", str(team.pk))
    nurse_page.fill("#id_username", "grethe.hansen")
    screenshot(nurse_page, "referral-accept")
    nurse_page.click('form[action$="/accept/"] button[type=submit]')
    password = nurse_page.inner_text("#citizen-password").strip()
    screenshot(nurse_page, "referral-accepted")
    patient = Patient.objects.get(cpr="0707521234")
    assert (patient.monitoring_team, patient.treating_doctor) == (team, doctor)

    # The citizen answers (SpO2 91 %: green by the template, yellow by the GP's limit).
    kol = questionnaire("kol")
    answered_at = timezone.now() + timedelta(seconds=1)  # after the thresholds came into force
    item = kol.items.filter(options__isnull=False).first()
    submission_record(
        patient=patient,
        questionnaire=kol,
        answers=[AnswerInput(item=item, option=item.options.order_by("position").first())],
        readings=[Reading(measurement_type("spo2"), D("91"), answered_at)],
        submitted_at=answered_at,
        submitted_by=patient.citizen_user,
        schedule=patient.schedules.first(),
    )
    # The nurse looks at the patient (a look the citizen must see).
    nurse_page.goto(reverse("doctor:patient", args=[patient.pk]))
    assert nurse_page.locator("#against-thresholds").is_visible()
    nurse_context.close()

    # The GP sees it against her thresholds.
    page.goto(reverse("alarms:doctor_home"))
    row = page.locator("tr", has_text="Hansen, Grethe")
    assert "Ja" in row.inner_text()
    screenshot(page, "doctor-home")
    assert not serious(axe_check(page))
    row.locator("a").first.click()
    spo2_row = page.locator("#against-thresholds tr", has_text="SpO")
    assert "91" in spo2_row.inner_text() and "92" in spo2_row.inner_text()
    assert "Gul" in spo2_row.inner_text()
    screenshot(page, "doctor-patient")
    assert not serious(axe_check(page))

    # A nurse of another municipality: 404 for the patient and the referral.
    outsider_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    outsider_page = outsider_context.new_page()
    login_as(outsider_page, outsider)
    for url in (
        reverse("doctor:patient", args=[patient.pk]),
        reverse("referrals:detail", args=[referral.pk]),
    ):
        assert outsider_page.request.get(url).status == 404, url
    outsider_context.close()

    # The citizen logs in with the password the nurse handed over and sees both looks.
    citizen_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    citizen_page = citizen_context.new_page()
    login_as(citizen_page, patient.citizen_user, password)
    # A first-login password: the citizen must choose her own before anything else.
    assert reverse("password_first_change") in citizen_page.url
    citizen_page.fill("input[name=new_password1]", "Blaabaer-Lyng-2026")
    citizen_page.fill("input[name=new_password2]", "Blaabaer-Lyng-2026")
    citizen_page.click("main form button[type=submit]")
    citizen_page.wait_for_url(lambda url: reverse("password_first_change") not in url)
    citizen_page.goto(reverse("monitoring:citizen_log"))
    log = citizen_page.inner_text("main")
    assert nurse.get_full_name() in log and doctor.get_full_name() in log
    screenshot(citizen_page, "citizen-log-after-referral")
    citizen_context.close()
    looks = AuditEvent.objects.filter(patient=patient, action="view")
    assert looks.filter(user=nurse).exists() and looks.filter(user=doctor).exists()
