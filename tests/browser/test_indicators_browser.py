"""The quality indicators page in a real browser: the charts draw (Plotly, no console errors),
each has its table, the period form works, and axe finds nothing serious.
Screenshot: docs/images/indicators.png (docs/guide-nurse.md, "Indicators")."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from indicators.models import IndicatorDay, IndicatorRuleDay
from tests.browser.conftest import axe_check, login_as, screenshot, serious

# templates/includes/language_switch.html on a phone shows "DA"/"EN" but is labelled
# "Dansk"/"English" (label-content-name-mismatch), tracked in tests/browser/test_login_browser.py.
ACCEPTED = {"label-content-name-mismatch"}


def problems(page) -> list[str]:
    return [
        line
        for line in serious(axe_check(page))
        if line.split(": ")[1].split(" ")[0] not in ACCEPTED
    ]


def daily_rows(organisation, team, days: int = 75) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    for offset in range(days):
        day = yesterday - timedelta(days=offset)
        for scope in (team, None):
            IndicatorDay.objects.create(
                organisation=organisation,
                team=scope,
                day=day,
                patients_active=40 + offset % 5,
                patients_started=1 if offset % 9 == 0 else 0,
                patients_ended=1 if offset % 13 == 0 else 0,
                occasions_due=40,
                occasions_on_time=30 + offset % 8,
                missing_alarms=3 + offset % 4,
                alarms_red=offset % 3,
                alarms_yellow=2 + offset % 4,
                ack_red_office=[12 + offset % 20, 35],
                ack_red_outside=[60 + offset % 30] if offset % 2 else [],
                ack_yellow_office=[45, 90 + offset % 10],
                escalations=1 if offset % 10 == 0 else 0,
                referrals_received=1 if scope is None and offset % 4 == 0 else 0,
                referrals_accepted=1 if scope is None and offset % 5 == 0 else 0,
                referral_days_to_data=[2 + offset % 4] if scope is None and offset % 5 == 0 else [],
            )
            for rule, action, no_action in (
                ("spo2:below_red", 2, 1),
                ("pulse:above_yellow", 0, 3),
                ("weight:relative_rise", 1, 0),
            ):
                IndicatorRuleDay.objects.create(
                    organisation=organisation,
                    team=scope,
                    day=day,
                    rule=rule,
                    severity="red" if "red" in rule else "yellow",
                    action=action,
                    no_action=no_action,
                    false_alarm=offset % 2,
                )


def test_nurse_reads_the_indicators_of_her_team(page, nurse, team, org_municipality):
    daily_rows(org_municipality, team)
    login_as(page, nurse)
    page.get_by_role("link", name="Indikatorer").or_(
        page.get_by_role("link", name="Indicators")
    ).first.click()
    page.wait_for_url(f"**{reverse('indicators:page')}")
    page.wait_for_selector("#indicator-adherence .chart__plot .main-svg")
    assert page.locator(".chart__plot[data-drawn='1']").count() == 7
    # Each chart has its table with the same numbers, and a CSV link.
    assert page.locator("section.indicator table").count() == 7
    assert page.locator("section.indicator a[download]").count() == 7
    # The rule that most often led to no action comes first.
    first_rule = page.locator("#indicator-rules tbody tr").first.locator("th").inner_text()
    assert "Puls" in first_rule or "Pulse" in first_rule
    assert problems(page) == []
    screenshot(page, "indicators")

    # Choose another period through the form.
    page.locator("#id_period").select_option("last_month")
    page.locator("form.indicator-form button[type=submit]").click()
    page.wait_for_url("**period=last_month**")
    page.wait_for_selector("#indicator-alarms .chart__plot .main-svg")
    assert problems(page) == []
