"""In a real browser: the organisation admin adds a relative rule to a threshold template (a
window of 0 days is refused at the row, everything typed kept) and creates a schedule template
for the KOL questionnaire; the nurse who accepts a referral of that COPD group finds it ticked,
and the patient gets its schedule. Every page axe-clean."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.urls import reverse

from alarms.referrals import referral_create
from alarms.threshold_templates import rows_of, template_current
from monitoring.models import Schedule, ScheduleTemplate
from patients.models import Referral
from tests.browser.conftest import axe_check, login_as, screenshot, serious


def test_admin_keeps_rules_and_schedule_templates_and_the_nurse_accepts_with_them(
    browser, page, live_server, org_admin, org_municipality, doctor, nurse, team
):
    # The refused save answers 400, which the ``page`` fixture counts as a console error: this
    # part runs in a context of its own.
    admin_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    rules_page = admin_context.new_page()
    login_as(rules_page, org_admin)
    rules_page.goto(reverse("admin_home"))
    rules_page.click(f"main a[href='{reverse('referrals:templates')}']")
    rules_page.click(f"a[href='{reverse('referrals:template_edit', args=['moderate'])}']")
    rules_page.fill("#id_t-spo2-red_low", "87")
    rules_page.fill("#id_t-spo2-yellow_low", "90")
    rules_page.select_option("#id_r-0-type", "weight")
    rules_page.select_option("select[name=r-0-direction]", "rise")
    rules_page.fill("#id_r-0-amount", "2,5")
    rules_page.fill("#id_r-0-window_days", "0")
    rules_page.select_option("select[name=r-0-severity]", "red")
    rules_page.fill("#id_reason", "Vægtøgning som tidligt tegn")
    rules_page.click("form.card button[type=submit]")
    # Refused at the row; nothing typed is lost.
    assert "90" in rules_page.inner_text("#r-0-errors")
    assert rules_page.input_value("#id_r-0-amount") == "2,5"
    assert rules_page.input_value("#id_t-spo2-red_low") == "87"
    assert template_current(organisation=org_municipality, copd_group="moderate") is None
    assert not serious(axe_check(rules_page))
    screenshot(rules_page, "admin-threshold-template-rule-refused")

    rules_page.fill("#id_r-0-window_days", "3")
    rules_page.click("form.card button[type=submit]")
    rules_page.wait_for_url(f"**{reverse('referrals:templates')}")
    template = template_current(organisation=org_municipality, copd_group="moderate")
    assert template is not None
    rule = template.relative_rules.get()
    admin_context.close()
    assert (rule.amount, rule.window_days, rule.severity) == (Decimal("2.5"), 3, "red")

    # A schedule template for the KOL questionnaire, suggested for moderate COPD.
    login_as(page, org_admin)
    page.goto(reverse("admin_home"))
    page.click(f"main a[href='{reverse('patients:schedule_templates')}']")
    assert not serious(axe_check(page))
    page.click(f"a[href='{reverse('patients:schedule_template_new')}']")
    page.fill("#id_name", "KOL mandag, onsdag, fredag")
    page.select_option("#id_questionnaire_code", "kol")
    for day in ("1", "3", "5"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("#id_times", "9.30")
    page.fill("#id_grace_minutes", "120")
    page.check("input[name=copd_groups][value=moderate]")
    assert not serious(axe_check(page))
    screenshot(page, "admin-schedule-template")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**{reverse('patients:schedule_templates')}")
    assert "KOL mandag, onsdag, fredag" in page.inner_text("main")
    screenshot(page, "admin-schedule-templates")
    schedule_template = ScheduleTemplate.objects.get()

    # A GP refers with the template's limits and rules; the nurse accepts.
    limits, rules = rows_of(template)
    referral = referral_create(
        doctor=doctor,
        cpr="070752-1234",
        first_name="Grethe",
        last_name="Hansen",
        copd_group="moderate",
        receiving_organisation=org_municipality,
        limits=limits,
        rules=rules,
    )
    nurse_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    nurse_page = nurse_context.new_page()
    login_as(nurse_page, nurse)
    nurse_page.goto(reverse("referrals:detail", args=[referral.pk]))
    box = nurse_page.locator(f"input[name=schedule_templates][value='{schedule_template.pk}']")
    assert box.is_checked()
    assert not nurse_page.locator("input[name=questionnaires]:checked").count()
    nurse_page.select_option("#id_team", str(team.pk))
    nurse_page.uncheck("#id_create_login")
    assert not serious(axe_check(nurse_page))
    screenshot(nurse_page, "referral-accept-with-schedule-template")
    nurse_page.click('form[action$="/accept/"] button[type=submit]')
    nurse_page.wait_for_selector("text=Grethe Hansen")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    schedule = Schedule.objects.get(patient=referral.patient)
    assert (schedule.questionnaire.code, schedule.weekdays, schedule.times) == (
        "kol",
        [1, 3, 5],
        [time(9, 30)],
    )
    assert schedule.grace_minutes == 120
    assert referral.patient.threshold_sets.get().relative_rules.count() == 1
    nurse_context.close()
