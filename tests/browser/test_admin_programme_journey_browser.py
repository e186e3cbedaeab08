"""Issue 14's journey in a real browser, every step through the pages: the organisation admin
builds and publishes a questionnaire whose "yes" is red, offers it in a schedule template, a
nurse accepts a GP's referral with that template, the citizen answers "yes" on her phone, and the
nurse sees the red result in triage (axe clean on the pages of each step)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from alarms.referrals import referral_create
from alarms.threshold_templates import LimitRow
from monitoring.models import Schedule, Submission
from patients.models import Patient
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.browser.test_admin_questionnaire_browser import create_and_publish_yes_no
from tests.factories import measurement_type


def test_admin_questionnaire_to_schedule_template_to_referral_to_red_in_triage(
    browser, page, live_server, org_admin, doctor, nurse, team, org_municipality
):
    # 1. The admin publishes "Dagligt tjek" with a red "yes".
    login_as(page, org_admin)
    questionnaire = create_and_publish_yes_no(page)

    # 2. ... and offers it every day, a few minutes ago, so it is due when the citizen logs in.
    due = timezone.localtime() - timedelta(minutes=5)
    if due.date() != timezone.localdate():
        due = timezone.localtime().replace(hour=0, minute=0)
    page.goto(reverse("admin_home"))
    page.click(f"main a[href='{reverse('patients:schedule_templates')}']")
    page.click(f"a[href='{reverse('patients:schedule_template_new')}']")
    page.fill("#id_name", "Dagligt tjek hver dag")
    page.select_option("#id_questionnaire_code", questionnaire.code)
    for day in range(1, 8):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("#id_times", due.strftime("%H:%M"))
    page.fill("#id_grace_minutes", "120")
    page.check("input[name=copd_groups][value=moderate]")
    assert not serious(axe_check(page))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**{reverse('patients:schedule_templates')}")
    assert "Dagligt tjek hver dag" in page.inner_text("main")

    # 3. A GP refers (moderate COPD); a nurse accepts with the template ticked for her.
    referral = referral_create(
        doctor=doctor,
        cpr="070752-1234",
        first_name="Grethe",
        last_name="Hansen",
        copd_group="moderate",
        receiving_organisation=org_municipality,
        limits=[LimitRow(measurement_type("spo2"), Decimal("87"), Decimal("90"))],
    )
    desk = browser.new_context(base_url=live_server.url, locale="da-DK")
    nurse_page = desk.new_page()
    login_as(nurse_page, nurse)
    nurse_page.goto(reverse("referrals:detail", args=[referral.pk]))
    assert nurse_page.locator("input[name=schedule_templates]:checked").count() == 1
    nurse_page.select_option("#id_team", str(team.pk))
    nurse_page.fill("#id_username", "grethe.hansen")
    assert not serious(axe_check(nurse_page))
    nurse_page.click('form[action$="/accept/"] button[type=submit]')
    password = nurse_page.inner_text("#citizen-password").strip()
    patient = Patient.objects.get(cpr="0707521234")
    schedule = Schedule.objects.get(patient=patient)
    assert schedule.questionnaire == questionnaire

    # 4. The citizen chooses her own password and answers "yes" on her phone.
    phone = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 360, "height": 740}
    )
    citizen_page = phone.new_page()
    login_as(citizen_page, patient.citizen_user, password)
    citizen_page.fill("input[name=new_password1]", "Blaabaer-Lyng-2026")
    citizen_page.fill("input[name=new_password2]", "Blaabaer-Lyng-2026")
    citizen_page.click("main form button[type=submit]")
    citizen_page.wait_for_url(lambda url: reverse("password_first_change") not in url)
    citizen_page.goto(reverse("monitoring:citizen_home"))
    citizen_page.get_by_role("link", name="Besvar nu").first.click()
    assert citizen_page.get_by_text("Har du mere åndenød end i går?").is_visible()
    citizen_page.get_by_label("Ja", exact=True).check()
    citizen_page.get_by_role("button", name="Næste: tjek dine svar").click()
    citizen_page.get_by_role("heading", name="Tjek dine svar").wait_for()
    citizen_page.get_by_role("button", name="Send svar").click()
    citizen_page.get_by_role("heading", name="Tak – dine svar er sendt").wait_for()
    screenshot(citizen_page, "journey-citizen-sent")
    phone.close()
    submission = Submission.objects.get(patient=patient)
    assert (submission.questionnaire, submission.severity) == (questionnaire, "red")

    # 5. The nurse's triage list shows the red answer.
    nurse_page.goto(reverse("alarms:nurse_home"))
    row = nurse_page.locator(f"#patient-{patient.pk}")
    text = row.inner_text()
    assert "Rød" in text and "Har du mere åndenød end i går?" in text
    assert not serious(axe_check(nurse_page))
    screenshot(nurse_page, "journey-red-in-triage", full_page=False)
    desk.close()
